// Sign-in and sessions against a real moto_server seeded with the tutorial world (auth ON): john signs in and
// assumes hr-upload; mallory (listed by a careless grant, but not in the role's trust policy) gets the
// plain-language refusal; a wrong secret is refused; the Policy on the wire equals the grant's generated policy;
// 8-second sessions refresh before expiry while calls keep working; a dead or garbage endpoint gives plain errors.
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { parseDocument } from 'yaml';
import { buildSessionPolicy } from '../../config/policy';
import { GrantSchema } from '../../config/schema';
import type { LogRecord } from '../../main/services/audit/types';
import { GrantStore } from '../../main/services/grants/grant-store';
import { DefaultIdentityService } from '../../main/services/identity/identity-service';
import { MemorySecretStore } from '../../main/services/identity/secret-store';
import { SessionManager } from '../../main/services/sessions/session-manager';
import type { GrantResolver } from '../../main/services/sessions/types';
import type { SessionEvent } from '../../preload/contract';
import { RecordingFactory } from '../helpers/recording-factory';
import { startTutorialWorld, type TestWorld } from '../helpers/world';

const REPO_GRANTS = path.resolve(__dirname, '../../config/grants');

let world: TestWorld;
let tmp: string;
let grants: GrantStore;
let records: LogRecord[];

async function setup(options: { endpointEnv?: NodeJS.ProcessEnv; resolver?: (base: GrantResolver) => GrantResolver } = {}) {
  const factory = new RecordingFactory({ region: 'us-east-1', endpoint: world.endpoint, forcePathStyle: true }, options.endpointEnv ?? {});
  const dataDir = await fs.mkdtemp(path.join(tmp, 'data-'));
  const store = new MemorySecretStore();
  const holder: { sessions?: SessionManager } = {};
  const identity = new DefaultIdentityService({
    secretStore: store,
    clients: factory,
    dataDir,
    log: { append: async (r) => void records.push(r) },
    onSignOut: async () => holder.sessions?.endAll('signed out'),
  });
  const sessions = new SessionManager({
    identity,
    grants: options.resolver ? options.resolver(grants) : grants,
    clients: factory,
    log: { append: async (r) => void records.push(r) },
  });
  holder.sessions = sessions;
  const events: SessionEvent[] = [];
  sessions.onEvent((e) => events.push(e));
  return { factory, identity, sessions, events, store };
}

beforeAll(async () => {
  world = await startTutorialWorld();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-sessions-'));
  // The repo's tutorial grant, plus a careless one that lists mallory although the role does not trust her.
  const grantsDir = path.join(tmp, 'grants');
  await fs.mkdir(grantsDir);
  const hr = await fs.readFile(path.join(REPO_GRANTS, 'hr-upload.yaml'), 'utf8');
  await fs.writeFile(path.join(grantsDir, 'hr-upload.yaml'), hr);
  const wide = parseDocument(hr);
  wide.setIn(['metadata', 'name'], 'hr-upload-wide');
  wide.setIn(['spec', 'subjects'], ['arn:aws:iam::629470240201:user/john', 'arn:aws:iam::629470240201:user/mallory']);
  await fs.writeFile(path.join(grantsDir, 'hr-upload-wide.yaml'), wide.toString());
  grants = await GrantStore.open(
    { apiVersion: 'grantbox.dev/v1', kind: 'Settings', grants: { source: 'directory', path: grantsDir, watch: false } },
    tmp,
    { live: false },
  );
  expect(grants.status().total).toBe(2);
});
beforeEach(() => {
  records = [];
});
afterAll(async () => {
  await world?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('sessions against moto (auth on)', () => {
  it('john signs in, assumes hr-upload with the generated policy on the wire, and uploads', async () => {
    const { identity, sessions, factory, events } = await setup();
    const me = await identity.signIn(world.john.accessKeyId, world.john.secretAccessKey);
    expect(me).toMatchObject({ arn: 'arn:aws:iam::629470240201:user/john', account: '629470240201', userName: 'john', verified: true });

    const info = await sessions.assume('hr-upload');
    expect(info).toMatchObject({ grant: 'hr-upload', grantTitle: 'HR documents', roleArn: world.roleArn, sessionName: 'john-hr-upload', state: 'active' });
    expect(Date.parse(info.expiresAt) - Date.now()).toBeGreaterThan(50 * 60_000);
    expect(events.map((e) => e.type)).toEqual(['started']);

    const assume = factory.stsBodies.find((b) => b.get('Action') === 'AssumeRole')!;
    const resolved = grants.resolvedFor('hr-upload', me);
    expect(assume.get('Policy')).toBe(resolved.policyJson);
    // …and that is the policy generated from the YAML, independently recomputed here.
    const yamlGrant = GrantSchema.parse(parseDocument(await fs.readFile(path.join(REPO_GRANTS, 'hr-upload.yaml'), 'utf8')).toJS());
    expect(JSON.parse(assume.get('Policy')!)).toEqual(buildSessionPolicy(yamlGrant, { user: 'john', account: '629470240201' }));
    expect(assume.get('RoleArn')).toBe('arn:aws:iam::629470240201:role/JohnUploadRole');
    expect(assume.get('RoleSessionName')).toBe('john-hr-upload');
    expect(assume.get('DurationSeconds')).toBe('3600');

    const s3 = factory.s3({ credentials: sessions.credentialProvider('hr-upload'), maxAttempts: 1 });
    await s3.send(new PutObjectCommand({ Bucket: 'company1-hr', Key: 'new-file.txt', Body: 'new\n' }));
    const list = await s3.send(new ListObjectsV2Command({ Bucket: 'company1-hr' }));
    expect(list.Contents?.map((o) => o.Key)).toEqual(expect.arrayContaining(['Test.txt', 'new-file.txt']));
    expect(records.find((r) => r.type === 'session.started')).toMatchObject({ grant: 'hr-upload', roleArn: world.roleArn, sessionName: 'john-hr-upload', requestId: expect.any(String) });

    await identity.signOut();
    expect(sessions.list()).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'ended', reason: 'signed out' });
  });

  it('mallory is refused by the trust policy in plain language', async () => {
    const { identity, sessions, events } = await setup();
    await identity.signIn(world.mallory.accessKeyId, world.mallory.secretAccessKey);
    const err = await sessions.assume('hr-upload-wide').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'NOT_IN_TRUST_POLICY',
      message: 'You\'re not allowed to use “HR documents” yet — ask helpdesk@company1.example to give you access.',
      details: { httpStatus: 403, awsCode: 'AccessDenied', requestId: expect.any(String) },
    });
    expect(events.map((e) => e.type)).toEqual(['failed']);
    expect(records.filter((r) => r.type === 'session.start_failed').at(-1)).toMatchObject({ code: 'NOT_IN_TRUST_POLICY' });
    // The tutorial grant is not even offered to her.
    await expect(sessions.assume('hr-upload')).rejects.toMatchObject({ code: 'GRANT_NOT_FOR_YOU' });
  });

  it('a wrong secret is refused and nothing is stored', async () => {
    const { identity, store } = await setup();
    const set = vi.spyOn(store, 'set');
    await expect(identity.signIn(world.john.accessKeyId, 'x'.repeat(40))).rejects.toMatchObject({ code: 'KEYS_INVALID', details: { httpStatus: 403 } });
    expect(await identity.current()).toBeNull();
    expect(set).not.toHaveBeenCalled();
  });

  it('8-second sessions refresh before expiry while calls keep working', async () => {
    const { identity, sessions, factory, events } = await setup({
      // moto honours any DurationSeconds; real AWS would refuse < 900 s — this only shortens the clock for the test.
      resolver: (base) => ({ resolvedFor: (name, id) => ({ ...base.resolvedFor(name, id), durationSeconds: 8 }) }),
    });
    await identity.signIn(world.john.accessKeyId, world.john.secretAccessKey);
    const started = await sessions.assume('hr-upload');
    expect(Date.parse(started.expiresAt) - Date.now()).toBeLessThanOrEqual(8_500);
    const provider = sessions.credentialProvider('hr-upload');
    const s3 = factory.s3({ credentials: provider, maxAttempts: 1 });
    // An upload whose body trickles in across the refresh point (about 6.4 s): signed with the old credentials,
    // still sending while new ones arrive, and it must complete.
    const trickle = (async () => {
      await new Promise((r) => setTimeout(r, 5_000));
      const chunks = Array.from({ length: 12 }, (_, i) => Buffer.from(`chunk ${String(i).padStart(2, '0')}\n`));
      const body = Readable.from(
        (async function* () {
          for (const c of chunks) {
            yield c;
            await new Promise((r) => setTimeout(r, 250));
          }
        })(),
      );
      const started = Date.now();
      await s3.send(new PutObjectCommand({ Bucket: 'company1-hr', Key: 'inflight.txt', Body: body, ContentLength: chunks.reduce((n, c) => n + c.length, 0) }));
      return { started, finished: Date.now() };
    })();
    const keys = new Set<string>();
    let calls = 0;
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      keys.add((await provider()).accessKeyId);
      await s3.send(new ListObjectsV2Command({ Bucket: 'company1-hr', MaxKeys: 1 }));
      calls++;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(calls).toBeGreaterThan(15);
    const inflight = await trickle;
    const crossing = events.find((e) => e.type === 'refreshed' && Date.parse(e.at) > inflight.started && Date.parse(e.at) < inflight.finished);
    expect(crossing, 'a refresh happened while the upload was in flight').toBeDefined();
    const refreshed = events.filter((e) => e.type === 'refreshed');
    expect(refreshed.length).toBeGreaterThanOrEqual(1);
    expect(keys.size).toBeGreaterThanOrEqual(2);
    // Every refresh happened before the session it replaced ran out.
    let previousExpiry = Date.parse(started.expiresAt);
    for (const e of refreshed) {
      expect(Date.parse(e.at)).toBeLessThan(previousExpiry);
      previousExpiry = Date.parse(e.session.expiresAt);
    }
    expect(events.some((e) => e.type === 'expired' || e.type === 'failed')).toBe(false);
    await sessions.end('hr-upload');
  }, 40_000);

  it('a service without GetCallerIdentity: sign-in is unverified (with the ARN given) and assume still works', async () => {
    // A loopback proxy in front of moto that refuses GetCallerIdentity with an unparseable 501, as some
    // S3-compatible STS do, and forwards everything else unchanged (Host kept, so signatures stay valid).
    const target = new URL(world.endpoint);
    const proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (body.toString().includes('Action=GetCallerIdentity')) {
          res.writeHead(501, { 'content-type': 'text/plain' });
          res.end('Not Implemented');
          return;
        }
        const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.end(body);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const { identity, sessions } = await setup({ endpointEnv: { AWS_ENDPOINT_URL: url } });
      const me = await identity.signIn(world.john.accessKeyId, world.john.secretAccessKey, { arn: 'arn:aws:iam::629470240201:user/john' });
      expect(me).toMatchObject({ verified: false, userName: 'john', account: '629470240201' });
      expect(me).toMatchObject({ keysChecked: true });
      expect(me.note).toMatch(/cannot say whose they are/);
      const info = await sessions.assume('hr-upload');
      expect(info).toMatchObject({ grant: 'hr-upload', state: 'active', sessionName: 'john-hr-upload' });
      expect(records.map((r) => r.type)).toEqual(expect.arrayContaining(['signin.unverified', 'signin.ok', 'session.started']));
      await sessions.end('hr-upload');
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('an endpoint that is down, or answers garbage, gives plain errors', async () => {
    const down = await setup({ endpointEnv: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
    await expect(down.identity.signIn(world.john.accessKeyId, world.john.secretAccessKey)).rejects.toMatchObject({
      code: 'ENDPOINT_UNREACHABLE',
      message: expect.stringContaining('127.0.0.1:9'),
    });

    const garbage = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end('<html><body>Welcome to Hotel Wi-Fi<');
      });
    });
    await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}`;
      const bad = await setup({ endpointEnv: { AWS_ENDPOINT_URL: url } });
      const err = await bad.identity.signIn(world.john.accessKeyId, world.john.secretAccessKey).then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(err?.code).toBe('AWS_UNREADABLE_RESPONSE');
      expect(err?.message).not.toMatch(/unknown/i);

      // Signed in against moto, then STS starts answering garbage: assume fails in plain words.
      const half = await setup({ endpointEnv: { AWS_ENDPOINT_URL_STS: url } });
      const moto = await setup();
      await moto.identity.signIn(world.john.accessKeyId, world.john.secretAccessKey);
      // Share the sign-in (same data folder and keychain) with the half-broken setup.
      const halfSessions = new SessionManager({ identity: moto.identity, grants, clients: half.factory });
      const assumeErr = await halfSessions.assume('hr-upload').then(
        () => null,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(assumeErr?.code).toBe('AWS_UNREADABLE_RESPONSE');
    } finally {
      await new Promise<void>((r) => garbage.close(() => r()));
    }
  });
});
