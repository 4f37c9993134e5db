import { Command } from 'commander';
import path from 'node:path';
import { grantsCommand } from '../../../../main/cli/commands/grants';
import { runCli } from '../../../helpers/run-cli';

const ROOT = path.resolve(__dirname, '../../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/grants');
const EXAMPLE_SETTINGS = path.join(ROOT, 'config/settings.example.yaml');

const run = (...args: string[]) => runCli(args);

const cwd = process.cwd();
beforeAll(() => process.chdir(ROOT));
afterAll(() => process.chdir(cwd));
beforeEach(() => vi.stubEnv('GRANTBOX_SETTINGS', path.join(ROOT, 'test/fixtures/settings/does-not-exist.yaml')));
afterEach(() => vi.unstubAllEnvs());

describe('grantbox grants lint', () => {
  it('exit 0 and no errors for valid grants (a warning is fine); a summary on stderr', async () => {
    const r = await run('grants', 'lint', path.join(FIXTURES, 'valid'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^test\/fixtures\/grants\/valid\/two-grants.yaml:21:7: warning ROLE_SUBJECT_PICKS_USER subject arn:aws:iam::123456789012:role\/Staff is a role, not a person/);
    expect(r.err).toBe('2 files, 3 valid grants, 0 errors, 1 warning\n');
  });

  it('exit 1 and `path:line:col: error CODE message` lines, paths relative to the working folder', async () => {
    const r = await run('grants', 'lint', 'test/fixtures/grants/invalid/role-arn.yaml', path.join(FIXTURES, 'duplicate-name'));
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toEqual([
      'test/fixtures/grants/duplicate-name/a.yaml:4:9: error DUPLICATE_GRANT_NAME the grant name "hr-upload" is used 2 times; names must be unique across all grant files, so none of them is used',
      '  test/fixtures/grants/duplicate-name/b.yaml:4:36: note "hr-upload" is also defined here',
      'test/fixtures/grants/duplicate-name/b.yaml:4:36: error DUPLICATE_GRANT_NAME the grant name "hr-upload" is used 2 times; names must be unique across all grant files, so none of them is used',
      '  test/fixtures/grants/duplicate-name/a.yaml:4:9: note "hr-upload" is also defined here',
      'test/fixtures/grants/invalid/role-arn.yaml:9:10: error INVALID_ROLE_ARN role.arn is an IAM user ARN; it must name the role to assume, e.g. arn:aws:iam::123456789012:role/UploadRole (the user belongs in spec.subjects)',
      '',
    ]);
    expect(r.err).toBe('3 files, 0 valid grants, 3 errors, 0 warnings\n');
  });

  it('exit 0 when there are only warnings', async () => {
    const r = await run('grants', 'lint', 'test/fixtures/grants/invalid/empty.yaml');
    expect(r.code).toBe(0);
    expect(r.out).toBe('test/fixtures/grants/invalid/empty.yaml:1:1: warning NO_GRANTS this file contains no grant\n');
  });

  it('--format github prints workflow annotations', async () => {
    const r = await run('grants', 'lint', '--format', 'github', 'test/fixtures/grants/invalid/bucket.yaml');
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      '::error file=test/fixtures/grants/invalid/bucket.yaml,line=11,col=13,endLine=11,endColumn=37,title=INVALID_BUCKET::target.bucket takes the bucket name only (e.g. company1-hr), not an ARN or URL\n',
    );
  });

  it('--format json prints the diagnostics array only', async () => {
    const r = await run('grants', 'lint', '--format', 'json', path.join(FIXTURES, 'invalid'));
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
    const ds = JSON.parse(r.out) as { file: string; code: string }[];
    expect(ds.length).toBeGreaterThan(20);
    expect(ds.find((d) => d.code === 'POLICY_TOO_LARGE')).toMatchObject({ file: 'test/fixtures/grants/invalid/policy-too-large.yaml', line: 8, col: 3 });
  });

  it('defaults to the grants folder of the settings (--settings or GRANTBOX_SETTINGS)', async () => {
    expect(await run('--settings', EXAMPLE_SETTINGS, 'grants', 'lint')).toMatchObject({ code: 0, err: '1 file, 1 valid grant, 0 errors, 0 warnings\n' });
    vi.stubEnv('GRANTBOX_SETTINGS', EXAMPLE_SETTINGS);
    expect(await run('grants', 'lint')).toMatchObject({ code: 0, err: '1 file, 1 valid grant, 0 errors, 0 warnings\n' });
  });

  it('exit 2 for usage errors: bad format, unreadable path, no settings to find the default', async () => {
    const bad = await run('grants', 'lint', '--format', 'xml', 'x');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/Allowed choices are text, json, github/);
    const missing = await run('grants', 'lint', 'test/fixtures/grants/nope');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^grantbox: GRANTS_PATH_UNREADABLE .*nope/);
    const noSettings = await run('grants', 'lint');
    expect(noSettings.code).toBe(2);
    expect(noSettings.err).toMatch(/SETTINGS_MISSING/);
    expect(noSettings.err).toMatch(/settings\.example\.yaml/);
  });

  it('--help works on every grants command', async () => {
    for (const args of [['grants', '--help'], ['grants', 'lint', '--help'], ['grants', 'show', '--help']]) {
      const r = await run(...args);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Usage: grantbox grants/);
    }
  });
});

describe('grantbox grants show', () => {
  const POLICY =
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::company1-hr"},' +
    '{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:AbortMultipartUpload","s3:ListMultipartUploadParts"],"Resource":"arn:aws:s3:::company1-hr/*"}]}';

  it('prints the resolved grant and the exact minified session policy with its size', async () => {
    const r = await run('--settings', EXAMPLE_SETTINGS, 'grants', 'show', 'hr-upload', '--user', 'john');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe('hr-upload: HR documents  (config/grants/hr-upload.yaml:5)');
    expect(lines).toContain('role:         arn:aws:iam::629470240201:role/JohnUploadRole');
    expect(lines).toContain('session name: john-hr-upload');
    expect(lines).toContain(`session policy for user john (size ${POLICY.length} / 2048):`);
    expect(lines[lines.length - 1]).toBe(POLICY);
  });

  it('--json prints the resolved grant as JSON, and --path reads other folders', async () => {
    const r = await run('grants', 'show', 'inbox-upload', '--path', path.join(FIXTURES, 'valid'), '--user', 'ana', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ name: 'inbox-upload', prefix: 'inbox/ana/', sessionName: 'gb-inbox-upload-ana', mfa: true, allowReplace: true, policyMax: 2048 });
    expect(j.policySize).toBe(j.policyJson.length);
    expect(JSON.parse(j.policyJson).Statement[0].Condition).toEqual({ StringLike: { 's3:prefix': ['inbox/ana/*'] } });
  });

  it('an unknown grant is GRANT_NOT_FOUND (exit 1)', async () => {
    const r = await run('--settings', EXAMPLE_SETTINGS, 'grants', 'show', 'nope');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^grantbox: GRANT_NOT_FOUND There is no valid grant called "nope"\.\n {2}Known grants: hr-upload\./);
  });
});

describe('grantsCommand', () => {
  it('creates the grants command once and returns the same one after', () => {
    const program = new Command('grantbox');
    const a = grantsCommand(program);
    expect(grantsCommand(program)).toBe(a);
    expect(program.commands.filter((c) => c.name() === 'grants')).toHaveLength(1);
  });
});
