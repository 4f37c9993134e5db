// Access-key sign-in on an S3-compatible service (issue 9, part 5), against moto (auth ON) behind a proxy that
// answers GetCallerIdentity 501 as such services do, and (for the refusal test) returns moto's STS refusals in S3's
// <Error><Code> shape. What a new user found: --arn ignored with --profile; no grant at all without an ARN; wrong
// keys reported later as "the role does not trust you"; an S3-style refusal body not understood.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { LogRecord } from '../../main/services/audit/types';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { GrantStore } from '../../main/services/grants/grant-store';
import { DefaultIdentityService } from '../../main/services/identity/identity-service';
import { MemorySecretStore } from '../../main/services/identity/secret-store';
import { SessionManager } from '../../main/services/sessions/session-manager';
import { startNoCallerIdentityProxy, type NoCallerIdentityProxy } from '../helpers/no-caller-identity-proxy';
import { runCli } from '../helpers/run-cli';
import { startTutorialWorld, type TestWorld } from '../helpers/world';

const REPO_GRANTS = path.resolve(__dirname, '../../config/grants');
const JOHN_ARN = 'arn:aws:iam::629470240201:user/john';

let world: TestWorld;
let tmp: string;
let grantsDir: string;
let grants: GrantStore;
let plain: NoCallerIdentityProxy;
let s3Style: NoCallerIdentityProxy;
let records: LogRecord[];

function setup(front: NoCallerIdentityProxy) {
  const factory = new AwsClientFactory({ region: 'us-east-1', endpoint: front.url, forcePathStyle: true }, {});
  const store = new MemorySecretStore();
  const holder: { sessions?: SessionManager } = {};
  const log = { append: async (r: LogRecord) => void records.push(r) };
  const identity = new DefaultIdentityService({ secretStore: store, clients: factory, dataDir: path.join(tmp, `data-${Math.random()}`), log, onSignOut: async () => holder.sessions?.endAll() });
  const sessions = new SessionManager({ identity, grants, clients: factory, log });
  holder.sessions = sessions;
  return { identity, sessions, store };
}

beforeAll(async () => {
  world = await startTutorialWorld({ auth: true });
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'gb-s3compat-')));
  grantsDir = path.join(tmp, 'grants');
  await fs.mkdir(grantsDir);
  const hr = await fs.readFile(path.join(REPO_GRANTS, 'hr-upload.yaml'), 'utf8');
  await fs.writeFile(path.join(grantsDir, 'hr-upload.yaml'), hr);
  // A second grant naming only mallory (whom the role does not trust): offered to an unknown identity too.
  const other = parseDocument(hr);
  other.setIn(['metadata', 'name'], 'mallory-drop');
  other.setIn(['metadata', 'title'], 'Mallory drop');
  other.setIn(['spec', 'subjects'], ['arn:aws:iam::629470240201:user/mallory']);
  await fs.writeFile(path.join(grantsDir, 'mallory-drop.yaml'), other.toString());
  grants = await GrantStore.open({ apiVersion: 'grantbox.dev/v1', kind: 'Settings', grants: { source: 'directory', path: grantsDir, watch: false } }, tmp, { live: false });
  [plain, s3Style] = await Promise.all([startNoCallerIdentityProxy(world.moto.port), startNoCallerIdentityProxy(world.moto.port, { s3StyleErrors: true })]);
});
beforeEach(() => {
  records = [];
  plain.requests.length = 0;
  s3Style.requests.length = 0;
});
afterAll(async () => {
  await plain?.close();
  await s3Style?.close();
  await world?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('access-key sign-in without GetCallerIdentity', () => {
  it('wrong keys are caught at sign-in by a signed S3 call, and nothing is stored', async () => {
    const { identity, store } = setup(plain);
    const set = vi.spyOn(store, 'set');
    await expect(identity.signIn(world.john.accessKeyId, 'not-johns-secret')).rejects.toMatchObject({
      code: 'KEYS_INVALID',
      details: { awsCode: 'SignatureDoesNotMatch', operation: 'ListBuckets' },
    });
    await expect(identity.signIn('AKIANOSUCHKEY0000000', 'whatever-secret')).rejects.toMatchObject({ code: 'KEYS_INVALID', details: { operation: 'ListBuckets' } });
    expect(set).not.toHaveBeenCalled();
    expect(await identity.current()).toBeNull();
    expect(plain.requests).toEqual(['GetCallerIdentity', 'S3 GET', 'GetCallerIdentity', 'S3 GET']);
    expect(records.filter((r) => r.type === 'signin.failed')).toHaveLength(2);
  });

  it('genuine keys without an ARN: every grant is offered marked "the service will decide", and STS lets john in', async () => {
    const { identity, sessions } = setup(plain);
    const me = await identity.signIn(world.john.accessKeyId, world.john.secretAccessKey, { userName: 'john' });
    // moto answers john's ListBuckets with AccessDenied (no s3:ListAllMyBuckets): the keys are genuine.
    expect(me).toMatchObject({ verified: false, keysChecked: true, arn: '', userName: 'john' });
    expect(me.note).toContain('Your keys were accepted by the storage service');
    expect(me.note).toContain('the service will decide');
    const offered = grants.forMe(me);
    expect(offered.map((g) => [g.name, g.serviceDecides])).toEqual([
      ['hr-upload', true],
      ['mallory-drop', true],
    ]);
    const info = await sessions.assume('hr-upload');
    expect(info).toMatchObject({ grant: 'hr-upload', state: 'active', sessionName: 'john-hr-upload' });
    await sessions.end('hr-upload');
  });

  it('a stated ARN still narrows the list to grants naming it', async () => {
    const { identity } = setup(plain);
    const me = await identity.signIn(world.john.accessKeyId, world.john.secretAccessKey, { arn: JOHN_ARN });
    expect(grants.forMe(me).map((g) => [g.name, g.serviceDecides])).toEqual([['hr-upload', undefined]]);
  });

  it('an S3-style <Error><Code>AccessDenied</Code> refusal is read, and says both possible causes', async () => {
    const { identity, sessions } = setup(s3Style);
    // mallory's keys are genuine; the role of hr-upload does not trust her.
    const me = await identity.signIn(world.mallory.accessKeyId, world.mallory.secretAccessKey, { userName: 'mallory' });
    expect(me).toMatchObject({ verified: false, keysChecked: true });
    const err = await sessions.assume('hr-upload').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'KEYS_OR_TRUST_REFUSED',
      message: 'The storage service refused “HR documents”: either the grant’s role does not trust your access key, or your access key was changed or removed since you signed in.',
      details: { awsCode: 'AccessDenied', httpStatus: 403, hint: expect.stringContaining('helpdesk@company1.example') },
    });
    expect(s3Style.requests.filter((a) => a === 'AssumeRole').length).toBeGreaterThanOrEqual(1);
    expect(records.find((r) => r.type === 'session.start_failed')).toMatchObject({ code: 'KEYS_OR_TRUST_REFUSED', awsCode: 'AccessDenied' });
  });

  it('keys that could not be checked: the refusal names wrong keys first', async () => {
    // S3 unreachable (AWS_ENDPOINT_URL_S3 at a closed port): the keys stay unchecked, sign-in still succeeds.
    const factory = new AwsClientFactory({ region: 'us-east-1', endpoint: s3Style.url, forcePathStyle: true }, { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' });
    const unchecked = new DefaultIdentityService({ secretStore: new MemorySecretStore(), clients: factory, dataDir: path.join(tmp, 'data-unchecked') });
    const me = await unchecked.signIn(world.mallory.accessKeyId, world.mallory.secretAccessKey, { userName: 'mallory' });
    expect(me).toMatchObject({ verified: false, keysChecked: false });
    expect(me.note).toContain('could not check them yet');
    const manager = new SessionManager({ identity: unchecked, grants, clients: factory });
    await expect(manager.assume('hr-upload')).rejects.toMatchObject({
      code: 'KEYS_OR_TRUST_REFUSED',
      message: 'The storage service refused “HR documents” and cannot say why: either your access keys are wrong, or the grant’s role does not trust your access key.',
    });
  });
});

describe('grantbox login --profile on a service without GetCallerIdentity', () => {
  it('honours --arn and --user-name', async () => {
    const home = path.join(tmp, 'cli-home');
    const credentials = path.join(tmp, 'aws-credentials');
    await fs.writeFile(credentials, `[work]\naws_access_key_id = ${world.john.accessKeyId}\naws_secret_access_key = ${world.john.secretAccessKey}\n`, { mode: 0o600 });
    const settings = path.join(tmp, 'cli-settings.yaml');
    await fs.writeFile(
      settings,
      ['apiVersion: grantbox.dev/v1', 'kind: Settings', 'grants:', '  source: directory', `  path: ${JSON.stringify(grantsDir)}`, '  watch: false', 'aws:', '  region: us-east-1', `  endpoint: ${plain.url}`, '  forcePathStyle: true', ''].join('\n'),
    );
    const saved = { home: process.env.GRANTBOX_HOME, creds: process.env.AWS_SHARED_CREDENTIALS_FILE };
    process.env.GRANTBOX_HOME = home;
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentials;
    try {
      const login = await runCli(['--settings', settings, 'login', '--profile', 'work', '--arn', JOHN_ARN, '--user-name', 'john.smith']);
      expect(login.err).toBe('');
      expect(login.code).toBe(0);
      expect(login.out).toContain('Signed in as john.smith, account 629470240201.');
      const list = await runCli(['--settings', settings, 'grants', 'list', '--json']);
      expect(JSON.parse(list.out).map((g: { name: string }) => g.name)).toEqual(['hr-upload']);
      const who = await runCli(['--settings', settings, 'whoami', '--json']);
      expect(JSON.parse(who.out)).toMatchObject({ arn: JOHN_ARN, verified: false, keysChecked: true });
      // Without --arn: every grant, marked.
      const again = await runCli(['--settings', settings, 'login', '--profile', 'work']);
      expect(again.code).toBe(0);
      const all = await runCli(['--settings', settings, 'grants', 'list']);
      expect(all.out).toContain('hr-upload  HR documents');
      expect(all.out).toContain('mallory-drop  Mallory drop');
      expect(all.out.match(/the service will decide/g)).toHaveLength(2);
      await runCli(['--settings', settings, 'logout']);
    } finally {
      process.env.GRANTBOX_HOME = saved.home;
      process.env.AWS_SHARED_CREDENTIALS_FILE = saved.creds;
      if (saved.home === undefined) delete process.env.GRANTBOX_HOME;
      if (saved.creds === undefined) delete process.env.AWS_SHARED_CREDENTIALS_FILE;
    }
  });
});
