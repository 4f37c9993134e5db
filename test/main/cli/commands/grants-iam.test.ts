// `grants iam`, `grants revoke` (printing; --apply runs against moto in test/integration/grants-revoke.test.ts) and
// the `grants show` fixes of issue 11 (cross-account {account}, escaped policy text in --json).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../../helpers/run-cli';

const ROOT = path.resolve(__dirname, '../../../..');
const run = (...args: string[]) => runCli(args);

const cwd = process.cwd();
beforeAll(() => process.chdir(ROOT));
afterAll(() => process.chdir(cwd));
beforeEach(() => vi.stubEnv('GRANTBOX_SETTINGS', path.join(ROOT, 'test/fixtures/settings/does-not-exist.yaml')));
afterEach(() => vi.unstubAllEnvs());

describe('grantbox grants iam', () => {
  it('--format json prints one JSON object and nothing else on stdout', async () => {
    const r = await run('grants', 'iam', 'hr-upload', '--path', 'config/grants', '--format', 'json');
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['role', 'trustPolicy', 'permissionPolicy', 'notes']);
    expect(parsed.role).toBe('arn:aws:iam::629470240201:role/JohnUploadRole');
    expect(JSON.stringify(parsed.trustPolicy)).toContain('"sts:SourceIdentity":"${aws:username}"');
    expect(r.err).toBe('');
  });

  it('text, cloudformation and terraform', async () => {
    expect((await run('grants', 'iam', 'hr-upload', '--path', 'config/grants')).out).toMatch(/^IAM kit for arn:aws:iam::629470240201:role\/JohnUploadRole \(grants: hr-upload\)/);
    expect(JSON.parse((await run('grants', 'iam', 'hr-upload', '--path', 'config/grants', '--format', 'cloudformation')).out)).toHaveProperty('Resources.JohnUploadRole.Type', 'AWS::IAM::Role');
    expect((await run('grants', 'iam', 'hr-upload', '--path', 'config/grants', '--format', 'terraform')).out).toContain('resource "aws_iam_role_policy" "johnuploadrole_grantbox"');
  });

  it('an unknown grant is GRANT_NOT_FOUND (exit 1), an unknown format a usage error (exit 2)', async () => {
    const r = await run('grants', 'iam', 'nope', '--path', 'config/grants');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/GRANT_NOT_FOUND/);
    expect((await run('grants', 'iam', 'hr-upload', '--path', 'config/grants', '--format', 'yaml')).code).toBe(2);
  });
});

describe('grantbox grants revoke (printing)', () => {
  it('prints AWS\'s revoke-older-sessions policy with a cut-off of now, and what to do with it', async () => {
    const before = Date.now();
    const r = await run('grants', 'revoke', 'hr-upload', '--path', 'config/grants');
    expect(r.code).toBe(0);
    const policy = JSON.parse(r.out) as { Statement: { Effect: string; Action: string[]; Resource: string[]; Condition: { DateLessThan: { 'aws:TokenIssueTime': string } } }[] };
    expect(policy.Statement).toHaveLength(1);
    const s = policy.Statement[0]!;
    expect([s.Effect, s.Action, s.Resource]).toEqual(['Deny', ['*'], ['*']]);
    const cutoff = Date.parse(s.Condition.DateLessThan['aws:TokenIssueTime']);
    expect(cutoff).toBeGreaterThanOrEqual(before);
    expect(cutoff - before).toBeLessThan(5_000);
    expect(r.err).toMatch(/AWSRevokeOlderSessions/);
  });

  it('needs a grant name or --role, not both', async () => {
    expect((await run('grants', 'revoke', '--path', 'config/grants')).code).toBe(2);
    expect((await run('grants', 'revoke', 'hr-upload', '--role', 'arn:aws:iam::629470240201:role/R')).code).toBe(2);
    expect((await run('grants', 'revoke', '--role', 'arn:aws:iam::629470240201:user/john')).code).toBe(2);
  });
});

describe('grantbox grants show (issue 11)', () => {
  it('defect 7: {account} is the signed-in person\'s account (the subject\'s), not the role\'s, as sessions fill it', async () => {
    const r = await run('grants', 'show', 'partner-drop', '--path', 'test/fixtures/grants/cross-account', '--user', 'ana', '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { prefix: string }).prefix).toBe('partners/111122223333/ana/');
  });

  it('defect 1: --json shows the escaped policy text STS gets, and its size counted on it', async () => {
    const r = await run('grants', 'show', 'berichte', '--path', 'test/fixtures/grants/unicode', '--user', 'john', '--json');
    expect(r.code).toBe(0);
    expect([...r.out].every((c) => c.charCodeAt(0) <= 0xff)).toBe(true);
    const shown = JSON.parse(r.out) as { policyJson: string; policySize: number; prefix: string };
    expect(shown.prefix).toBe('Berichte/報告/');
    expect(shown.policyJson).toContain('Berichte/\\u5831\\u544a/');
    expect(shown.policySize).toBe(shown.policyJson.length);
  });
});

describe('grantbox grants iam with company sign-in subjects', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-iam-oidc-'));
    fs.mkdirSync(path.join(dir, 'grants'));
    fs.writeFileSync(
      path.join(dir, 'grants', 'hr.yaml'),
      [
        'apiVersion: grantbox.dev/v1',
        'kind: Grant',
        'metadata: { name: hr-inbox, title: HR inbox }',
        'spec:',
        '  subjects: ["user:john@company1.example", "group:hr-staff"]',
        '  role: { arn: "arn:aws:iam::629470240201:role/HrInboxRole", duration: 1h }',
        '  target: { region: us-east-1, bucket: company1-hr, prefix: "inbox/{user}/" }',
        '  permissions: [list, upload]',
        '',
      ].join('\n'),
    );
    const settings = (signIn: string[]) =>
      ['apiVersion: grantbox.dev/v1', 'kind: Settings', 'grants:', '  source: directory', '  path: ./grants', 'aws:', '  region: us-east-1', 'signIn:', ...signIn, ''].join('\n');
    fs.writeFileSync(path.join(dir, 'oidc.yaml'), settings(['  method: oidc', '  issuer: https://login.company1.example/realms/staff', '  clientId: grantbox']));
    fs.writeFileSync(path.join(dir, 'idc.yaml'), settings(['  method: identityCenter', '  startUrl: https://d-1234567890.awsapps.com/start', '  region: eu-west-1', '  accountId: "629470240201"', '  roleName: GrantboxUploader']));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes the issuer and client id from the settings\' signIn: the OIDC provider, aud, the user and group tags', async () => {
    const r = await run('--settings', path.join(dir, 'oidc.yaml'), 'grants', 'iam', 'hr-inbox', '--format', 'json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const kit = JSON.parse(r.out) as { trustPolicy: { Statement: { Principal: { Federated: string }; Condition: Record<string, Record<string, unknown>> }[] }; permissionPolicy: object };
    expect(kit.trustPolicy.Statement.map((s) => s.Principal.Federated)).toEqual([
      'arn:aws:iam::629470240201:oidc-provider/login.company1.example/realms/staff',
      'arn:aws:iam::629470240201:oidc-provider/login.company1.example/realms/staff',
    ]);
    expect(kit.trustPolicy.Statement[0]!.Condition.StringEquals).toEqual({ 'login.company1.example/realms/staff:aud': 'grantbox', 'aws:RequestTag/grantbox-user': 'john@company1.example' });
    expect(kit.trustPolicy.Statement[1]!.Condition.StringLike).toEqual({ 'aws:RequestTag/grantbox-groups': ['*:hr-staff:*'] });
    expect(JSON.stringify(kit.permissionPolicy)).toContain('arn:aws:s3:::company1-hr/inbox/${aws:PrincipalTag/grantbox-user}/*');
  });

  it('--oidc-issuer / --oidc-client-id stand in for the settings; without either it is IAM_KIT_NEEDS_SIGN_IN; Identity Center is explained', async () => {
    const flags = await run('grants', 'iam', 'hr-inbox', '--path', path.join(dir, 'grants'), '--format', 'json', '--oidc-issuer', 'https://idp.example/', '--oidc-client-id', 'gb');
    expect(flags.code).toBe(0);
    expect(flags.out).toContain('oidc-provider/idp.example');
    const none = await run('grants', 'iam', 'hr-inbox', '--path', path.join(dir, 'grants'));
    expect(none.code).toBe(1);
    expect(none.out).toBe('');
    expect(none.err).toMatch(/IAM_KIT_NEEDS_SIGN_IN/);
    const idc = await run('--settings', path.join(dir, 'idc.yaml'), 'grants', 'iam', 'hr-inbox');
    expect(idc.code).toBe(1);
    expect(idc.err).toMatch(/IAM_KIT_NEEDS_SIGN_IN With IAM Identity Center sign-in/);
  });
});
