// The sandbox world: seeded moto_server (auth on) behaves like the tutorial — john lists but cannot upload on his
// own, Test.txt is there, john may assume JohnUploadRole and then upload; mallory is refused by the trust policy.
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { GetRoleCommand, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import { seedCompanySignIn, TEST_TXT } from '../../main/services/sandbox/seed';
import { startTutorialWorld, type TestWorld } from '../helpers/world';

let world: TestWorld;
let clients: AwsClientFactory;
beforeAll(async () => {
  world = await startTutorialWorld();
  clients = new AwsClientFactory({ region: 'us-east-1', endpoint: world.endpoint, forcePathStyle: true }, {});
});
afterAll(() => world?.stop());

describe('seedCompanySignIn', () => {
  it('registers the OpenID Provider in IAM and makes the tutorial role trust it (aud = the client), john still trusted', async () => {
    await world.moto.setAuth(false);
    try {
      const issuer = 'http://127.0.0.1:5556/realms/company1';
      const arn = await seedCompanySignIn(world.endpoint, { issuer, clientId: 'grantbox' });
      expect(arn).toBe('arn:aws:iam::629470240201:oidc-provider/127.0.0.1:5556/realms/company1');
      const admin = { accessKeyId: 'AKIAADMIN', secretAccessKey: 'x' };
      const iam = clients.iam({ credentials: admin });
      expect((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList).toEqual([{ Arn: arn }]);
      const trust = JSON.parse(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: 'JohnUploadRole' }))).Role!.AssumeRolePolicyDocument!));
      expect(trust.Statement).toEqual([
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::629470240201:user/john' }, Action: 'sts:AssumeRole' },
        {
          Sid: 'GrantboxCompanySignIn',
          Effect: 'Allow',
          Principal: { Federated: arn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { '127.0.0.1:5556/realms/company1:aud': 'grantbox' } },
        },
      ]);
      // moto answers AssumeRoleWithWebIdentity for the role (it checks no token; the OIDC tests check what is sent).
      const sts = clients.sts({ credentials: admin });
      const out = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: world.roleArn, RoleSessionName: 'john-web', WebIdentityToken: 'x.y.z' }));
      expect(out.Credentials?.SessionToken).toBeTruthy();
    } finally {
      await world.reseed({ auth: true });
    }
  });
});

describe('seedTutorialWorld (auth on)', () => {
  it('john is john in account 629470240201', async () => {
    const sts = clients.sts({ credentials: world.john });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: '629470240201', Arn: 'arn:aws:iam::629470240201:user/john' });
  });

  it('john lists company1-hr (Test.txt) but cannot upload without the role', async () => {
    const s3 = clients.s3({ credentials: world.john, maxAttempts: 1 });
    const list = await s3.send(new ListObjectsV2Command({ Bucket: 'company1-hr' }));
    expect(list.Contents?.map((o) => o.Key)).toEqual(['Test.txt']);
    await expect(s3.send(new PutObjectCommand({ Bucket: 'company1-hr', Key: 'new-file.txt', Body: 'hi' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('with the role, john uploads; mallory is refused the role', async () => {
    const sts = clients.sts({ credentials: world.john });
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: world.roleArn, RoleSessionName: 'JohnUploadSession' }));
    const c = out.Credentials!;
    const s3 = clients.s3({ credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
    await s3.send(new PutObjectCommand({ Bucket: 'company1-hr', Key: 'new-file.txt', Body: 'hi\n' }));
    const body = await (await s3.send(new GetObjectCommand({ Bucket: 'company1-hr', Key: 'Test.txt' }))).Body!.transformToString();
    expect(body).toBe(TEST_TXT);
    const mallorySts = clients.sts({ credentials: world.mallory, maxAttempts: 1 });
    await expect(mallorySts.send(new AssumeRoleCommand({ RoleArn: world.roleArn, RoleSessionName: 'x1' }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

// `grantbox sandbox` and the identity/session CLI end to end, as a newcomer would use them (real processes, the real
// keychain of scripts/with-keyring.sh): sandbox → login (secret on stdin) → whoami → grants list → assume → exec
// (aws s3 cp, exit code passed through, secrets only in the child's environment) → doctor → logout.
describe('grantbox sandbox + identity CLI', () => {
  const ROOT = path.resolve(__dirname, '../..');
  // tsx's loader by absolute URL, so the CLI also runs from a working folder outside the checkout.
  const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  let dir: string;
  let sandbox: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;
  let keys: { users: { john: { accessKeyId: string; secretAccessKey: string } } };

  const cli = (args: string[], input?: string) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'main/cli/index.ts'), ...args], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdin.end(input ?? '');
      child.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
    });

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-sandbox-cli-'));
    env = { ...process.env, GRANTBOX_HOME: path.join(dir, 'home'), GRANTBOX_SETTINGS: path.join(dir, 'sb', 'settings.yaml') };
    delete env.AWS_PROFILE;
    sandbox = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'main/cli/index.ts'), 'sandbox', '--access-keys', '--dir', path.join(dir, 'sb')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    sandbox.stdout!.on('data', (d: Buffer) => (printed += d.toString()));
    const until = Date.now() + 45_000;
    while (!(await fs.stat(path.join(dir, 'sb', 'settings.yaml')).catch(() => null))) {
      if (Date.now() > until || sandbox.exitCode !== null) throw new Error(`sandbox did not start: ${printed}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    keys = JSON.parse(await fs.readFile(path.join(dir, 'sb', 'sandbox.json'), 'utf8'));
    expect((await fs.stat(path.join(dir, 'sb', 'sandbox.json'))).mode & 0o777).toBe(0o600);
  });
  afterAll(async () => {
    if (sandbox && sandbox.exitCode === null) {
      const exited = new Promise((r) => sandbox!.once('exit', r));
      sandbox.kill('SIGINT');
      await exited;
    }
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('signs in from stdin, lists and assumes the grant, runs aws s3 cp through exec, and signs out', async () => {
    const { accessKeyId, secretAccessKey } = keys.users.john;
    const login = await cli(['login', '--access-key-id', accessKeyId], `${secretAccessKey}\n`);
    expect(login).toMatchObject({ code: 0, out: 'Signed in as john, account 629470240201.\n' });

    const whoami = await cli(['whoami', '--json']);
    expect(JSON.parse(whoami.out)).toEqual({ arn: 'arn:aws:iam::629470240201:user/john', account: '629470240201', userName: 'john', accessKeyIdLast4: accessKeyId.slice(-4), verified: true });

    const list = await cli(['grants', 'list', '--json']);
    expect(JSON.parse(list.out).map((g: { name: string }) => g.name)).toEqual(['hr-upload']);

    const assume = await cli(['assume', 'hr-upload', '--json']);
    expect(assume.code, assume.err).toBe(0);
    expect(JSON.parse(assume.out)).toMatchObject({ grant: 'hr-upload', roleArn: 'arn:aws:iam::629470240201:role/JohnUploadRole', sessionName: 'john-hr-upload', state: 'active' });

    await fs.writeFile(path.join(dir, 'new-file.txt'), 'new\n');
    const cp = await cli(['exec', 'hr-upload', '--', 'aws', 's3', 'cp', 'new-file.txt', 's3://company1-hr/new-file.txt']);
    expect(cp.code, cp.out + cp.err).toBe(0);
    // Exit codes pass through; the child sees temporary credentials, the region and the endpoint.
    const probe = "process.exit(process.env.AWS_SESSION_TOKEN && process.env.AWS_ACCESS_KEY_ID.startsWith('ASIA') && process.env.AWS_REGION === 'us-east-1' && process.env.AWS_ENDPOINT_URL_S3 ? 7 : 3)";
    const probed = await cli(['exec', 'hr-upload', '--', process.execPath, '-e', probe]);
    expect(probed.code, probed.err).toBe(7);

    const doctor = await cli(['doctor']);
    expect(doctor.code, doctor.out + doctor.err).toBe(0);
    expect(doctor.out).toMatch(/^OK {3}Keychain:/m);
    expect(doctor.out).toMatch(/^OK {3}Clock:/m);

    const all = [login, whoami, list, assume, cp, doctor].map((r) => r.out + r.err).join('\n');
    expect(all).not.toContain(secretAccessKey);
    expect(all).not.toContain(accessKeyId);

    expect((await cli(['logout'])).code).toBe(0);
    const after = await cli(['exec', 'hr-upload', '--', 'true']);
    expect(after.code).toBe(1);
    expect(after.err).toContain('NOT_SIGNED_IN');
  }, 90_000);

  it('a wrong secret is refused in plain words, exit 1', async () => {
    const res = await cli(['login', '--access-key-id', keys.users.john.accessKeyId], 'not-the-secret\n');
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/^grantbox: KEYS_INVALID Your AWS access keys were not accepted/m);
  }, 30_000);
});

// `grantbox sandbox` without --access-keys: company sign-in against a real local OpenID Provider.
describe('grantbox sandbox (company sign-in by default)', () => {
  const ROOT = path.resolve(__dirname, '../..');
  const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

  it('starts the OpenID Provider, writes method: oidc settings and the group grant, and prints john’s and mallory’s passwords', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-sandbox-oidc-'));
    const env = { ...process.env, GRANTBOX_HOME: path.join(dir, 'home') };
    const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'main/cli/index.ts'), 'sandbox', '--dir', path.join(dir, 'sb')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    child.stdout!.on('data', (d: Buffer) => (printed += d.toString()));
    try {
      const until = Date.now() + 45_000;
      while (!/mallory +password/.test(printed)) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`sandbox did not start: ${printed}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const settings = await fs.readFile(path.join(dir, 'sb', 'settings.yaml'), 'utf8');
      expect(settings).toMatch(/signIn:\n {2}method: oidc\n {2}issuer: http:\/\/127\.0\.0\.1:\d+\/realms\/company1\n {2}clientId: grantbox/);
      const issuer = /issuer: (\S+)/.exec(settings)![1]!;
      const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { issuer: string };
      expect(discovery.issuer).toBe(issuer);
      expect(printed).toMatch(/john +password \S{8,}/);
      expect(printed).toMatch(/mallory +password \S{8,}/);
      expect(await fs.readFile(path.join(dir, 'sb', 'grants', 'hr-company.yaml'), 'utf8')).toContain('- group:hr-staff');
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
