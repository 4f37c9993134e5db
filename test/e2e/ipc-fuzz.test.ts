// Property-based fuzzing of the IPC surface (fast-check): every invoke channel, through the REAL registration and
// guard (main/app/ipc/register.ts over the e2e harness: real services, moto with auth on, the real keychain), is
// driven with valid, near-valid and hostile arguments — huge strings, deep objects, __proto__/constructor keys, odd
// Unicode, lone surrogates, traversal and device paths. For every call: the listener never throws or rejects, the
// answer is a Result, every refusal carries a code documented in docs/helpdesk.md (never UNEXPECTED), the call ends
// within CALL_LIMIT_MS, and no answer carries a secret (the signed-in user's key, a session's key or token, or a
// secret the call itself sent). No unhandled rejection and no prototype pollution after the run.
// CI runs FUZZ_RUNS (default 1,000) cases in a few seconds; `npm run fuzz:ipc` runs 20,000.
import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { INVOKE_CHANNELS } from '../../main/app/ipc/schemas';
import type { ArgsOf, InvokeChannel } from '../../preload/contract';
import { documentedCodes } from '../docs/error-codes';
import { startHarness, type Harness } from '../helpers/e2e-harness';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const CALL_LIMIT_MS = 5_000;

let h: Harness;
let fakeHome: string;
let files: { small: string; folder: string; hiddenCreds: string; sshKey: string; missing: string };
const known = documentedCodes(await fs.readFile(path.resolve(__dirname, '../../docs/helpdesk.md'), 'utf8'));

beforeAll(async () => {
  h = await startHarness({ mfaTimeoutMs: 200 });
  // The home folder main protects in this run: hidden files here must be refused from uploads:start.
  fakeHome = h.homeDir;
  const folder = path.join(fakeHome, 'Documents', 'forms');
  await fs.mkdir(folder, { recursive: true });
  await fs.mkdir(path.join(fakeHome, '.aws'));
  await fs.mkdir(path.join(fakeHome, '.ssh'));
  files = {
    small: path.join(fakeHome, 'Documents', 'form.pdf'),
    folder,
    hiddenCreds: path.join(fakeHome, '.aws', 'credentials'),
    sshKey: path.join(fakeHome, '.ssh', 'id_ed25519'),
    missing: path.join(fakeHome, 'no', 'such', 'file.txt'),
  };
  await fs.writeFile(files.small, 'form\n');
  await fs.writeFile(path.join(folder, 'a.txt'), 'a\n');
  await fs.writeFile(path.join(folder, 'b.txt'), 'b\n');
  await fs.writeFile(files.hiddenCreds, `[default]\naws_access_key_id = ${h.world.john.accessKeyId}\n`);
  await fs.writeFile(files.sshKey, 'not really a key\n');
});
afterAll(async () => {
  await h?.close();
});

// ---------- arbitraries ----------

const GRANTS = ['hr-upload', 'no-such-grant', 'ab'];
const grant = fc.constantFrom(...GRANTS);
const id = fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 }));
const safePath = () => fc.constantFrom(files.small, files.folder, files.missing, files.hiddenCreds, files.sshKey, '/etc/hostname', '/dev/null', '/nonexistent/x');

/** Valid arguments per channel: typed over InvokeChannel, so a new channel without an arbitrary does not compile. */
const VALID: { [C in InvokeChannel]: () => fc.Arbitrary<ArgsOf<C>> } = {
  'app:info': () => fc.constant(undefined),
  'app:openExternal': () => fc.oneof(fc.webUrl(), fc.constantFrom('https://docs.aws.amazon.com/IAM/', 'https://github.com\\@evil.com', 'https://github.com/x')).map((url) => ({ url })),
  'settings:describe': () => fc.constant(undefined),
  // Never a complete valid link: applying one would replace the harness's settings mid-run.
  'setup:preview': () => fc.oneof(fc.string({ minLength: 1, maxLength: 200 }), fc.constantFrom('grantbox://setup?url=http%3A%2F%2Fevil.example%2Fs.yaml', 'grantbox://setup?settings=%%%', 'grantbox://setup?settings=YQ')).map((link) => ({ link })),
  'setup:apply': () => fc.oneof(fc.string({ minLength: 1, maxLength: 200 }), fc.constantFrom('grantbox://setup?settings=YQ', 'grantbox://nope')).map((link) => ({ link })),
  'identity:get': () => fc.constant(undefined),
  'identity:signIn': () =>
    fc.oneof(
      fc.constant({ accessKeyId: h.world.john.accessKeyId, secretAccessKey: h.world.john.secretAccessKey }),
      fc.record({ accessKeyId: fc.stringMatching(/^AKIA[A-Z0-9]{16}$/), secretAccessKey: fc.string({ minLength: 12, maxLength: 60 }) }),
    ),
  'identity:listProfiles': () => fc.constant(undefined),
  'identity:signInWithProfile': () => fc.string({ minLength: 1, maxLength: 128 }).map((profile) => ({ profile })),
  'identity:signOut': () => fc.constant(undefined),
  'identity:method': () => fc.constant(undefined),
  'identity:signInWithCompany': () => fc.constant(undefined),
  'identity:cancelSignIn': () => fc.constant(undefined),
  'identity:copySignInLink': () => fc.constant(undefined),
  'grants:list': () => fc.constant(undefined),
  'grants:status': () => fc.constant(undefined),
  'grants:sync': () => fc.constant(undefined),
  'session:list': () => fc.constant(undefined),
  'session:assume': () => grant.map((g) => ({ grant: g })),
  'session:extend': () => grant.map((g) => ({ grant: g })),
  'session:end': () => grant.map((g) => ({ grant: g })),
  'session:answerMfa': () => fc.record({ requestId: id, code: fc.oneof(fc.stringMatching(/^\d{6}$/), fc.constant(null)) }),
  'uploads:start': () => fc.record({ grant, paths: fc.array(safePath(), { minLength: 1, maxLength: 4 }) }),
  'uploads:pick': () => fc.record({ grant, folders: fc.boolean() }),
  'uploads:snapshot': () => fc.constant(undefined),
  'uploads:cancel': () => id.map((i) => ({ id: i })),
  'uploads:cancelAll': () => fc.constant(undefined),
  'uploads:retry': () => id.map((i) => ({ id: i })),
  'uploads:resolveConflict': () => fc.record({ id, choice: fc.constantFrom('skip' as const, 'rename' as const, 'replace' as const), applyToAll: fc.option(fc.boolean(), { nil: undefined }) }, { requiredKeys: ['id', 'choice'] }),
  'uploads:clearFinished': () => fc.constant(undefined),
  'uploads:listResumable': () => fc.constant(undefined),
  'uploads:resume': () => id.map((i) => ({ id: i })),
  'uploads:discard': () => id.map((i) => ({ id: i })),
  'uploads:saveReceipts': () => id.map((i) => ({ batchId: i })),
  'objects:list': () => fc.record({ grant, prefix: fc.option(fc.string({ maxLength: 64 }), { nil: undefined }), token: fc.option(fc.string({ minLength: 1, maxLength: 64 }), { nil: undefined }) }, { requiredKeys: ['grant'] }),
  'logs:export': () => fc.record({ sinceDays: fc.option(fc.integer({ min: 1, max: 3650 }), { nil: undefined }), redactFilenames: fc.option(fc.boolean(), { nil: undefined }) }, { requiredKeys: [] }),
};

const HUGE = 'A'.repeat(1_000_000);
const deep = (depth: number): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = { a: v, grant: 'hr-upload' };
  return v;
};
const DEEP = deep(5_000);
const DEEP_ARRAY = (() => {
  let v: unknown = '/nonexistent/x';
  for (let i = 0; i < 5_000; i++) v = [v];
  return v;
})();
const HOSTILE_STRINGS = [
  HUGE,
  '',
  '\0',
  '/etc/passwd\0.pdf',
  '../../../../etc/passwd',
  '..\\..\\windows\\system32',
  '\\\\?\\C:\\Windows\\win.ini',
  '\\\\server\\share\\x',
  'file:///etc/passwd',
  'app://grantbox/../../',
  '~/.aws/credentials',
  '/proc/self/environ',
  '\u202Efdp.exe',
  '\uD800',
  '\uDFFF\uD800',
  'e\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦'.repeat(2_000),
  '%2e%2e%2f',
  '__proto__',
  'constructor',
];

/** Objects whose own keys include __proto__ / constructor / prototype (as JSON.parse and structured clone make them). */
const protoObject = (base: Record<string, unknown>) =>
  fc.constantFrom(
    JSON.parse(`{"__proto__": {"polluted": true, "isAdmin": true}, ${JSON.stringify(base).slice(1, -1) || '"x": 1'}}`) as unknown,
    { ...base, constructor: { prototype: { polluted: true } } },
    Object.assign(Object.create(null) as object, base),
    { ...base, prototype: { polluted: true } },
  );

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ withObjectString: true, withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, maxDepth: 4 }),
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom(DEEP, DEEP_ARRAY, [HUGE], { paths: [HUGE] }),
  fc.constantFrom(Number.NaN, Infinity, -0, 2 ** 64, null, true),
);

/** A valid argument with one thing wrong: a field of the wrong type or hostile value, an extra key, a missing key. */
function nearValid<C extends InvokeChannel>(channel: C): fc.Arbitrary<unknown> {
  return VALID[channel]().chain((valid) => {
    if (valid === undefined || valid === null || typeof valid !== 'object') return fc.oneof(hostileValue, fc.constant({}));
    const record = valid as Record<string, unknown>;
    const keys = Object.keys(record);
    const options: Array<fc.Arbitrary<unknown>> = [
      fc.tuple(fc.string({ maxLength: 20 }), hostileValue).map(([k, v]) => ({ ...record, [k || 'extra']: v })),
      protoObject(record),
    ];
    if (keys.length > 0) {
      options.push(fc.tuple(fc.constantFrom(...keys), hostileValue).map(([k, v]) => ({ ...record, [k]: v })));
      options.push(fc.constantFrom(...keys).map((k) => Object.fromEntries(Object.entries(record).filter(([key]) => key !== k))));
    }
    if (channel === 'uploads:start') {
      options.push(fc.array(fc.constantFrom(...HOSTILE_STRINGS, files.hiddenCreds, `${files.folder}/../../.aws/credentials`), { minLength: 1, maxLength: 5 }).map((paths) => ({ ...record, paths })));
    }
    return fc.oneof(...options);
  });
}

const channel = fc.constantFrom(...INVOKE_CHANNELS);
const fuzzCase = channel.chain((c) =>
  fc.record({
    channel: fc.constant(c),
    kind: fc.constantFrom('valid', 'near-valid', 'hostile'),
  }).chain(({ kind }) => (kind === 'valid' ? VALID[c]() : kind === 'near-valid' ? nearValid(c) : hostileValue).map((arg) => ({ channel: c, kind, arg }))),
);

// ---------- checks ----------

interface Outcome {
  ms: number;
  json: string;
}

function isResult(r: unknown): r is { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } } {
  if (r === null || typeof r !== 'object') return false;
  const o = r as Record<string, unknown>;
  if (o.ok === true) return 'value' in o;
  if (o.ok !== false || o.error === null || typeof o.error !== 'object') return false;
  const e = o.error as Record<string, unknown>;
  return typeof e.code === 'string' && typeof e.message === 'string' && e.message.length > 0;
}

describe('IPC fuzzing (fast-check) through the real guard and services', () => {
  it(`${RUNS} generated calls: Results with documented codes, bounded time, no secret in any answer`, async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const secrets = new Set<string>([h.world.john.secretAccessKey, h.world.mallory.secretAccessKey]);
    const codes = new Map<string, number>();
    const perChannel = new Map<string, number>();
    let calls = 0;
    let slowest = { ms: 0, channel: '' };
    const started = performance.now();

    const call = async (c: InvokeChannel, arg: unknown): Promise<Outcome> => {
      const t0 = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        h.invoke(c, arg),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${c} took over ${CALL_LIMIT_MS} ms`)), CALL_LIMIT_MS);
        }),
      ]).finally(() => clearTimeout(timer));
      const ms = performance.now() - t0;
      calls += 1;
      perChannel.set(c, (perChannel.get(c) ?? 0) + 1);
      if (ms > slowest.ms) slowest = { ms, channel: c };
      expect(isResult(result), `${c}: not a Result: ${String(JSON.stringify(result)).slice(0, 200)}`).toBe(true);
      const r = result as { ok: boolean; error?: { code: string } };
      if (!r.ok) {
        const code = r.error!.code;
        codes.set(code, (codes.get(code) ?? 0) + 1);
        expect(code, `${c}: refusal code`).not.toBe('UNEXPECTED');
        expect(known.has(code), `${c}: ${code} is not documented in docs/helpdesk.md`).toBe(true);
      } else if ((c === 'session:assume' || c === 'session:extend') && (arg as { grant?: unknown })?.grant === 'hr-upload') {
        // A session now exists: its key and token join the secrets no answer may carry.
        const creds = await h.services.sessions.credentialProvider('hr-upload')();
        secrets.add(creds.secretAccessKey);
        if (creds.sessionToken) secrets.add(creds.sessionToken);
      }
      const json = JSON.stringify(result) ?? '';
      const sent = c === 'identity:signIn' && typeof (arg as { secretAccessKey?: unknown })?.secretAccessKey === 'string' ? [(arg as { secretAccessKey: string }).secretAccessKey] : [];
      for (const s of [...secrets, ...sent.filter((x) => x.length >= 12)]) expect(json.includes(s), `${c}: an answer carried a secret`).toBe(false);
      return { ms, json };
    };

    // Start signed in with a session, so the fuzzer reaches the services behind the guard, not only "not signed in".
    expect(await h.invoke('identity:signIn', { accessKeyId: h.world.john.accessKeyId, secretAccessKey: h.world.john.secretAccessKey })).toMatchObject({ ok: true });
    await call('session:assume', { grant: 'hr-upload' });

    await fc.assert(
      fc.asyncProperty(fuzzCase, async ({ channel: c, arg }) => {
        await call(c, arg);
      }),
      { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: true },
    );
    // Let anything the calls started (uploads, refreshes) settle, then look for escaped rejections.
    await new Promise((r) => setTimeout(r, 200));
    await h.invoke('uploads:cancelAll', undefined);
    process.off('unhandledRejection', onUnhandled);
    const elapsed = performance.now() - started;

    expect(unhandled).toEqual([]);
    expect(h.unexpected).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('isAdmin');
    // Every channel was exercised.
    expect([...perChannel.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
    // The run's numbers, for the README and the report.
    console.log(
      `ipc-fuzz: ${calls} calls (${RUNS} generated) in ${(elapsed / 1000).toFixed(1)} s; slowest ${slowest.ms.toFixed(0)} ms (${slowest.channel}); refusals by code: ${JSON.stringify(Object.fromEntries([...codes].sort((a, b) => b[1] - a[1])))}`,
    );
  }, Math.max(120_000, RUNS * 100));
});
