// The IAM side against moto (auth on): the kit's trust and permission policies put on the tutorial's role, john's
// Grantbox session through it (SourceIdentity sent = the IAM user name the trust policy requires), and
// `grantbox grants revoke --apply` putting AWS's revoke-older-sessions policy on the role with an admin's keys.
// moto evaluates role trust and permission policies but not every condition key (see ENVIRONMENT.md); where it
// cannot decide, the test asserts what the client sends, and the full allow/deny matrix runs in
// test/config/iam-kit.test.ts under iam-simulate.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { CreateAccessKeyCommand, CreateUserCommand, DetachRolePolicyCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, PutRolePolicyCommand, PutUserPolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { buildIamKit, KIT_POLICY_NAME } from '../../config/iam-kit';
import { loadGrants } from '../../config/loader';
import type { LogRecord } from '../../main/services/audit/types';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { GrantStore } from '../../main/services/grants/grant-store';
import { DefaultIdentityService } from '../../main/services/identity/identity-service';
import { MemorySecretStore } from '../../main/services/identity/secret-store';
import { SessionManager } from '../../main/services/sessions/session-manager';
import { runCli } from '../helpers/run-cli';
import { RecordingFactory } from '../helpers/recording-factory';
import { startTutorialWorld, type TestWorld } from '../helpers/world';

const REPO_GRANTS = path.resolve(__dirname, '../../config/grants');

let world: TestWorld;
let tmp: string;
let admin: { accessKeyId: string; secretAccessKey: string };
const seedKeys = { accessKeyId: 'AKIASANDBOXADMIN0000', secretAccessKey: 'sandbox-admin' };

beforeAll(async () => {
  world = await startTutorialWorld({ auth: false });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-iam-kit-'));
  const factory = new AwsClientFactory({ region: 'us-east-1', endpoint: world.endpoint }, {});
  const iam = factory.iam({ credentials: seedKeys, maxAttempts: 1 });
  try {
    // An administrator who may change roles (what `grants revoke --apply` needs).
    await iam.send(new CreateUserCommand({ UserName: 'admin' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'admin', PolicyName: 'Admin', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }) }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'admin' }));
    admin = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
    // The kit for the tutorial grant replaces the tutorial's broad role policy.
    const grant = loadGrants([{ path: 'hr-upload.yaml', text: await fs.readFile(path.join(REPO_GRANTS, 'hr-upload.yaml'), 'utf8') }]).grants[0]!.grant;
    const kit = buildIamKit([grant], world.roleArn);
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'JohnUploadRole', PolicyDocument: JSON.stringify(kit.trustPolicy) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'JohnUploadRole', PolicyName: KIT_POLICY_NAME, PolicyDocument: JSON.stringify(kit.permissionPolicy) }));
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'JohnUploadRole' }));
    for (const p of attached.AttachedPolicies ?? []) await iam.send(new DetachRolePolicyCommand({ RoleName: 'JohnUploadRole', PolicyArn: p.PolicyArn! }));
  } finally {
    iam.destroy();
  }
  await world.moto.setAuth(true);
});

afterAll(async () => {
  await world?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('the kit on a role (moto, auth on)', () => {
  it("john's Grantbox session sends SourceIdentity = his IAM user name, as the kit's trust policy requires, and is accepted", async () => {
    const records: LogRecord[] = [];
    const factory = new RecordingFactory({ region: 'us-east-1', endpoint: world.endpoint, forcePathStyle: true }, {});
    const grants = await GrantStore.open({ apiVersion: 'grantbox.dev/v1', kind: 'Settings', grants: { source: 'directory', path: REPO_GRANTS, watch: false } }, tmp, { live: false });
    const identity = new DefaultIdentityService({ secretStore: new MemorySecretStore(), clients: factory, dataDir: await fs.mkdtemp(path.join(tmp, 'data-')), log: { append: async (r) => void records.push(r) } });
    const sessions = new SessionManager({ identity, grants, clients: factory, log: { append: async (r) => void records.push(r) } });
    try {
      const me = await identity.signIn(world.john.accessKeyId, world.john.secretAccessKey);
      const info = await sessions.assume('hr-upload');
      const sent = factory.stsBodies.filter((b) => b.get('Action') === 'AssumeRole');
      expect(sent).toHaveLength(1);
      // ${aws:username} for john is "john"; the prefix's {user} is filled with the same name.
      expect(sent[0]!.get('SourceIdentity')).toBe('john');
      expect(sent[0]!.get('SourceIdentity')).toBe(me.userName);
      expect(info.sourceIdentity).toBe('john');
      expect(records.some((r) => r.type === 'session.source_identity_refused')).toBe(false);
    } finally {
      sessions.close();
      grants.close();
    }
  });

  it('the trust policy lets john assume and refuses mallory', async () => {
    const factory = new AwsClientFactory({ region: 'us-east-1', endpoint: world.endpoint }, {});
    const asMallory = factory.sts({ credentials: { accessKeyId: world.mallory.accessKeyId, secretAccessKey: world.mallory.secretAccessKey }, maxAttempts: 1 });
    const asJohn = factory.sts({ credentials: { accessKeyId: world.john.accessKeyId, secretAccessKey: world.john.secretAccessKey }, maxAttempts: 1 });
    try {
      await expect(asMallory.send(new AssumeRoleCommand({ RoleArn: world.roleArn, RoleSessionName: 'm', SourceIdentity: 'mallory' }))).rejects.toMatchObject({ name: 'AccessDenied' });
      const ok = await asJohn.send(new AssumeRoleCommand({ RoleArn: world.roleArn, RoleSessionName: 'john-x', SourceIdentity: 'john' }));
      expect(ok.Credentials?.AccessKeyId).toBeTruthy();
      // moto does not evaluate the sts:SourceIdentity = ${aws:username} condition (measured: SourceIdentity "johnny"
      // is accepted), so that half is checked by iam-simulate in test/config/iam-kit.test.ts.
    } finally {
      asMallory.destroy();
      asJohn.destroy();
    }
  });
});

describe('grantbox grants revoke --apply (moto, auth on)', () => {
  let settingsPath: string;
  beforeAll(async () => {
    settingsPath = path.join(tmp, 'settings.yaml');
    await fs.writeFile(
      settingsPath,
      ['apiVersion: grantbox.dev/v1', 'kind: Settings', 'grants:', '  source: directory', `  path: ${JSON.stringify(REPO_GRANTS)}`, '  watch: false', 'aws:', '  region: us-east-1', `  endpoint: ${world.endpoint}`, ''].join('\n'),
    );
  });
  afterEach(() => vi.unstubAllEnvs());

  const withKeys = (keys: { accessKeyId: string; secretAccessKey: string }) => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', keys.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', keys.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_PROFILE', '');
    vi.stubEnv('AWS_CONFIG_FILE', path.join(tmp, 'no-aws-config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', path.join(tmp, 'no-aws-credentials'));
  };

  it('puts AWSRevokeOlderSessions (Deny * for tokens issued before now) on the grant\'s role', async () => {
    withKeys(admin);
    const before = Date.now();
    const r = await runCli(['--settings', settingsPath, 'grants', 'revoke', 'hr-upload', '--apply']);
    expect(r.err).toMatch(/Put AWSRevokeOlderSessions on JohnUploadRole/);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out) as object;
    const iam = new AwsClientFactory({ region: 'us-east-1', endpoint: world.endpoint }, {}).iam({ credentials: admin, maxAttempts: 1 });
    try {
      const stored = await iam.send(new GetRolePolicyCommand({ RoleName: 'JohnUploadRole', PolicyName: 'AWSRevokeOlderSessions' }));
      const doc = JSON.parse(decodeURIComponent(stored.PolicyDocument!)) as { Statement: { Effect: string; Action: string[]; Resource: string[]; Condition: { DateLessThan: Record<string, string> } }[] };
      expect(doc).toEqual(printed);
      expect(doc.Statement[0]).toMatchObject({ Effect: 'Deny', Action: ['*'], Resource: ['*'] });
      const cutoff = Date.parse(doc.Statement[0]!.Condition.DateLessThan['aws:TokenIssueTime']!);
      expect(cutoff).toBeGreaterThanOrEqual(before);
      expect(cutoff - Date.now()).toBeLessThan(2_000);
    } finally {
      iam.destroy();
    }
  });

  it('keys that may not change the role get REVOKE_NOT_ALLOWED; a role that does not exist REVOKE_ROLE_NOT_FOUND', async () => {
    withKeys({ accessKeyId: world.mallory.accessKeyId, secretAccessKey: world.mallory.secretAccessKey });
    const refused = await runCli(['--settings', settingsPath, 'grants', 'revoke', 'hr-upload', '--apply']);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/REVOKE_NOT_ALLOWED These credentials may not change the role JohnUploadRole/);
    withKeys(admin);
    const missing = await runCli(['--settings', settingsPath, 'grants', 'revoke', '--role', 'arn:aws:iam::629470240201:role/NoSuchRole', '--apply']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/REVOKE_ROLE_NOT_FOUND/);
  });
});
