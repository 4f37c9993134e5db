// Every channel, fed malformed arguments, answers IPC_INVALID_ARGS without reaching a service or crashing.
// Iterates over ARG_SCHEMAS (and a VALID_ARGS map typed over InvokeChannel), so a new channel cannot be forgotten.
import { ARG_SCHEMAS, INVOKE_CHANNELS } from '../../../../main/app/ipc/schemas';
import { registerIpc } from '../../../../main/app/ipc/register';
import type { ArgsOf, InvokeChannel } from '../../../../preload/contract';
import { fakeServices, RecordingTransport, trustedSenders } from '../../../helpers/ipc-fakes';

/** One well-formed argument per channel: compile error when a channel is added without one. */
const VALID_ARGS: { [C in InvokeChannel]: ArgsOf<C> } = {
  'app:info': undefined,
  'app:openExternal': { url: 'https://docs.aws.amazon.com/' },
  'settings:describe': undefined,
  'setup:preview': { link: 'grantbox://setup?settings=YQ' },
  'setup:apply': { link: 'grantbox://setup?settings=YQ' },
  'identity:get': undefined,
  'identity:signIn': {
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    arn: 'arn:aws:iam::123456789012:user/john',
  },
  'identity:listProfiles': undefined,
  'identity:signInWithProfile': { profile: 'default' },
  'identity:signOut': undefined,
  'identity:method': undefined,
  'identity:signInWithCompany': undefined,
  'identity:cancelSignIn': undefined,
  'identity:copySignInLink': undefined,
  'grants:list': undefined,
  'grants:status': undefined,
  'grants:sync': undefined,
  'session:list': undefined,
  'session:assume': { grant: 'hr-upload' },
  'session:extend': { grant: 'hr-upload' },
  'session:end': { grant: 'hr-upload' },
  'session:answerMfa': { requestId: 'r1', code: '123456' },
  'uploads:start': { grant: 'hr-upload', paths: ['/tmp/a.txt'] },
  'uploads:pick': { grant: 'hr-upload', folders: false },
  'uploads:snapshot': undefined,
  'uploads:cancel': { id: 'u1' },
  'uploads:cancelAll': undefined,
  'uploads:retry': { id: 'u1' },
  'uploads:resolveConflict': { id: 'u1', choice: 'rename', applyToAll: true },
  'uploads:clearFinished': undefined,
  'uploads:listResumable': undefined,
  'uploads:resume': { id: 'u1' },
  'uploads:discard': { id: 'u1' },
  'uploads:saveReceipts': { batchId: 'b1' },
  'objects:list': { grant: 'hr-upload', prefix: 'john/', token: 't' },
  'logs:export': { sinceDays: 7, redactFilenames: true },
};

const GENERIC_BAD: unknown[] = [
  null,
  0,
  -1,
  Number.NaN,
  '',
  'hr-upload',
  true,
  [],
  [{ grant: 'hr-upload' }],
  { unexpected: true },
  JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'),
  { a: { b: { c: { d: { e: {} } } } } },
  'x'.repeat(100_000),
  new Date(0),
  new Map(),
  BigInt(1),
];

/** For object arguments: every key in turn replaced by a wrong-typed value, plus oversized and traversal strings. */
function mutations(valid: unknown): unknown[] {
  if (valid === undefined || typeof valid !== 'object' || valid === null) return [];
  const out: unknown[] = [];
  for (const key of Object.keys(valid)) {
    for (const bad of [null, 12345, {}, [], 'x'.repeat(5000), '../../etc/passwd', 'relative/path.txt', true]) {
      const candidate = { ...(valid as Record<string, unknown>), [key]: bad };
      out.push(candidate);
    }
  }
  return out;
}

function setup() {
  const transport = new RecordingTransport();
  const { services, calls } = fakeServices();
  const shell = { openExternal: vi.fn(async () => {}), openSignInPage: vi.fn(async () => {}), copyText: vi.fn(), notify: vi.fn(), setProgress: vi.fn() };
  const dialogs = { saveFile: vi.fn(async () => null), openPaths: vi.fn(async () => []), confirm: vi.fn(async () => false) };
  registerIpc({
    transport,
    trusted: trustedSenders(),
    events: { send: vi.fn() },
    services,
    info: { version: '1.0.0', platform: 'linux', settingsPath: '/x/settings.yaml' },
    dialogs,
    shell,
  });
  return { transport, calls, shell, dialogs };
}

describe('IPC argument schemas', () => {
  it('registers exactly the channels of the schema map', () => {
    const { transport } = setup();
    expect([...transport.listeners.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
    expect(Object.keys(VALID_ARGS).sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  describe.each(INVOKE_CHANNELS)('%s', (channel) => {
    it('accepts its well-formed argument', () => {
      expect(ARG_SCHEMAS[channel].safeParse(VALID_ARGS[channel]).success).toBe(true);
    });

    it('answers IPC_INVALID_ARGS to malformed arguments and never reaches a service', async () => {
      const { transport, calls, shell, dialogs } = setup();
      const valid = VALID_ARGS[channel];
      const bad = [...GENERIC_BAD, ...mutations(valid), ...(valid === undefined ? [{}] : [undefined])];
      let checked = 0;
      for (const [i, arg] of bad.entries()) {
        // Some mutations stay valid (an optional key set to a valid-looking string); skip exactly those.
        if (ARG_SCHEMAS[channel].safeParse(arg).success) continue;
        const r = await transport.call(channel, arg);
        expect(r, `case ${i}`).toMatchObject({ ok: false, error: { code: 'IPC_INVALID_ARGS' } });
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(GENERIC_BAD.length);
      expect(calls).toEqual([]);
      expect(shell.openExternal).not.toHaveBeenCalled();
      expect(dialogs.saveFile).not.toHaveBeenCalled();
      expect(dialogs.openPaths).not.toHaveBeenCalled();
    });

    it('passes its well-formed argument through the guard', async () => {
      const { transport } = setup();
      const r = await transport.call(channel, VALID_ARGS[channel]);
      if (!r.ok) expect(r.error.code).not.toBe('IPC_INVALID_ARGS');
    });
  });

  it('refuses relative, NUL-containing and empty upload paths', () => {
    const s = ARG_SCHEMAS['uploads:start'];
    expect(s.safeParse({ grant: 'hr-upload', paths: ['a.txt'] }).success).toBe(false);
    expect(s.safeParse({ grant: 'hr-upload', paths: ['/tmp/a\0b'] }).success).toBe(false);
    expect(s.safeParse({ grant: 'hr-upload', paths: [] }).success).toBe(false);
  });

  it('refuses grant names that are not grant names', () => {
    for (const grant of ['../hr', 'HR', '-hr', 'hr/upload', '']) {
      expect(ARG_SCHEMAS['session:assume'].safeParse({ grant }).success, grant).toBe(false);
    }
  });

  it('identity:signIn takes an optional stated ARN, and only one shaped like a grant subject', async () => {
    const s = ARG_SCHEMAS['identity:signIn'];
    const keys = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
    expect(s.safeParse(keys).success).toBe(true);
    for (const arn of ['arn:aws:iam::123456789012:user/john', 'arn:minio:iam:::user/john', 'arn:aws:iam::123456789012:user/team/john']) {
      expect(s.safeParse({ ...keys, arn }).success, arn).toBe(true);
    }
    const malformed = [
      '',
      'john',
      'arn:aws:s3:::company1-hr',
      'arn:aws:iam::1234:user/john',
      'arn:aws:iam::123456789012:user/',
      'arn:aws:iam::123456789012:user/john\n',
      ' arn:aws:iam::123456789012:user/john',
      'arn:aws:iam::123456789012:user/john smith',
      `arn:aws:iam::123456789012:user/${'a/'.repeat(1100)}john`,
      'arn:aws:iam::123456789012:user/' + 'j'.repeat(65),
    ];
    const { transport, calls } = setup();
    for (const arn of malformed) {
      expect(s.safeParse({ ...keys, arn }).success, JSON.stringify(arn).slice(0, 60)).toBe(false);
      const r = await transport.call('identity:signIn', { ...keys, arn });
      expect(r).toMatchObject({ ok: false, error: { code: 'IPC_INVALID_ARGS', details: { issues: [{ path: 'arn' }] } } });
      // The refused ARN is not echoed back (the same answer may carry other typed values).
      expect(JSON.stringify(r)).not.toContain('john');
    }
    expect(calls).toEqual([]);
  });

  it('identity:signIn accepts the access key ids S3-compatible services issue, bounded and printable', () => {
    const s = ARG_SCHEMAS['identity:signIn'];
    for (const accessKeyId of ['minioadmin', 'GK31c2f218a2e44f485b94239e', 'AKIAIOSFODNN7EXAMPLE']) {
      expect(s.safeParse({ accessKeyId, secretAccessKey: 'x'.repeat(40) }).success, accessKeyId).toBe(true);
    }
    for (const accessKeyId of ['', 'ab', 'AKIA IOSFODNN7', 'AKIAIOSFODNN7\u00e9', 'A'.repeat(129)]) {
      expect(s.safeParse({ accessKeyId, secretAccessKey: 'x'.repeat(40) }).success, accessKeyId).toBe(false);
    }
  });
});
