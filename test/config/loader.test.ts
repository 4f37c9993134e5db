import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { didYouMean, formatDiagnostics, loadGrants, loadSettingsText, templateProblems, type Diagnostic, type SourceFile } from '../../config/loader';
import { signInSettingsOf } from '../../config/schema';

const FIXTURES = path.resolve(__dirname, '../fixtures/grants');

function fixture(rel: string): SourceFile {
  return { path: rel, text: readFileSync(path.join(FIXTURES, rel), 'utf8') };
}
function folder(rel: string): SourceFile[] {
  return readdirSync(path.join(FIXTURES, rel))
    .sort()
    .map((f) => fixture(`${rel}/${f}`));
}
const brief = (ds: Diagnostic[]) => ds.map((d) => `${d.line}:${d.col} ${d.severity} ${d.code}`);

describe('loadGrants: valid files', () => {
  it('loads the tutorial grant and multi-document files with their positions, no errors', () => {
    const { grants, diagnostics } = loadGrants(folder('valid'));
    // The role subject with a per-person folder is valid, but AWS cannot keep it to one folder: a warning.
    expect(brief(diagnostics)).toEqual(['21:7 warning ROLE_SUBJECT_PICKS_USER']);
    expect(grants.map((g) => [g.grant.metadata.name, g.file, g.line, g.col, g.docIndex])).toEqual([
      ['hr-upload', 'valid/hr-upload.yaml', 5, 1, 0],
      ['finance-read', 'valid/two-grants.yaml', 2, 1, 0],
      ['inbox-upload', 'valid/two-grants.yaml', 13, 1, 1],
    ]);
  });

  it('warns that a grant longer than 1h lasts 1h under IAM Identity Center sign-in (role chaining), and only then', () => {
    const text = readFileSync(path.resolve(__dirname, '../../config/grants/hr-upload.yaml'), 'utf8').replace('duration: 1h', 'duration: 4h');
    const idc = loadGrants([{ path: 'hr-upload.yaml', text }], { signInMethod: 'identityCenter' });
    expect(idc.grants).toHaveLength(1);
    const line = text.split('\n').findIndex((l) => l.includes('duration: 4h')) + 1;
    expect(idc.diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'DURATION_ROLE_CHAINING', line, col: 15, message: expect.stringContaining('role chaining, which AWS limits to 1 hour') }),
    ]);
    expect(loadGrants([{ path: 'hr-upload.yaml', text }], { signInMethod: 'oidc' }).diagnostics).toEqual([]);
    expect(loadGrants([{ path: 'hr-upload.yaml', text }]).diagnostics).toEqual([]);
  });

  it('the example grant in config/grants is the tutorial grant', () => {
    const text = readFileSync(path.resolve(__dirname, '../../config/grants/hr-upload.yaml'), 'utf8');
    const { grants, diagnostics } = loadGrants([{ path: 'hr-upload.yaml', text }]);
    expect(diagnostics).toEqual([]);
    expect(grants[0]!.grant.spec).toMatchObject({
      subjects: ['arn:aws:iam::629470240201:user/john'],
      role: { arn: 'arn:aws:iam::629470240201:role/JohnUploadRole', duration: '1h' },
      target: { region: 'us-east-1', bucket: 'company1-hr', prefix: '' },
      permissions: ['list', 'read', 'upload'],
    });
  });
});

describe('loadGrants: one fixture per diagnostic kind, exact line:col and code', () => {
  const cases: [string, string[], RegExp?][] = [
    ['yaml-syntax.yaml', ['6:1 error YAML_SYNTAX'], /Flow sequence/],
    ['duplicate-key.yaml', ['11:5 error DUPLICATE_KEY'], /"duration" appears twice/],
    ['unknown-key.yaml', ['3:1 error MISSING_FIELD', '5:3 error UNKNOWN_KEY', '8:71 error UNKNOWN_KEY', '11:3 error UNKNOWN_KEY']],
    ['wrong-type.yaml', ['7:13 error WRONG_TYPE', '10:15 error WRONG_TYPE', '11:10 error WRONG_TYPE']],
    ['missing-field.yaml', ['3:1 error MISSING_FIELD', '7:3 error MISSING_FIELD'], /metadata is missing "title"/],
    ['role-arn.yaml', ['9:10 error INVALID_ROLE_ARN'], /IAM user ARN; it must name the role/],
    ['subject-arn.yaml', ['9:7 error INVALID_SUBJECT_ARN', '10:7 error INVALID_SUBJECT_ARN'], /S3 ARN/],
    ['bucket.yaml', ['11:13 error INVALID_BUCKET'], /bucket name only/],
    ['duration.yaml', ['6:75 error DURATION_OUT_OF_RANGE', '15:75 error DURATION_OUT_OF_RANGE', '24:75 error INVALID_DURATION'], /shorter than 15m/],
    ['session-name.yaml', ['9:18 error INVALID_SESSION_NAME', '9:18 error INVALID_SESSION_NAME'], /unknown variable \{usr\} \(did you mean \{user\}\?\)/],
    ['prefix.yaml', ['10:13 error INVALID_PREFIX'], /wildcards/],
    ['permissions-and-policy.yaml', ['9:3 error PERMISSIONS_AND_SESSION_POLICY', '17:1 error NO_PERMISSIONS'], /never both/],
    ['policy-too-large.yaml', ['8:3 error POLICY_TOO_LARGE'], /size 2594 \/ 2048/],
    ['wrong-kind.yaml', ['2:7 error WRONG_KIND', '5:13 error UNSUPPORTED_API_VERSION'], /settings files do not belong/],
    ['upload-options.yaml', ['10:18 error INVALID_SIZE', '11:17 error INVALID_VALUE']],
    ['values.yaml', ['4:9 error INVALID_GRANT_NAME', '11:17 error INVALID_EXTERNAL_ID', '13:13 error INVALID_REGION', '15:16 error NO_PERMISSIONS'], /"HR_Upload" is not a valid grant name.*\(e\.g\. hr-upload\)/],
    ['session-policy.yaml', ['11:9 error INVALID_POLICY', '13:17 error INVALID_POLICY', '14:17 error INVALID_POLICY'], /exactly one of Resource or NotResource/],
    ['empty.yaml', ['1:1 warning NO_GRANTS']],
  ];
  it.each(cases)('%s', (file, expected, message) => {
    const { grants, diagnostics } = loadGrants([fixture(`invalid/${file}`)]);
    expect(brief(diagnostics)).toEqual(expected);
    expect(diagnostics.every((d) => d.file === `invalid/${file}`)).toBe(true);
    if (message) expect(diagnostics[0]!.message).toMatch(message);
    // A document with any error is never handed to the app.
    expect(grants).toEqual([]);
  });

  it('says "did you mean" for close typos and names the YAML path', () => {
    const { diagnostics } = loadGrants([fixture('invalid/unknown-key.yaml')]);
    const unknown = diagnostics.filter((d) => d.code === 'UNKNOWN_KEY');
    expect(unknown.map((d) => [d.path.join('.'), d.message])).toEqual([
      ['metadata.titel', 'unknown key "titel" in metadata (did you mean "title"?)'],
      ['spec.role.sesionName', 'unknown key "sesionName" in spec.role (did you mean "sessionName"?)'],
      ['spec.colour', 'unknown key "colour" in spec'],
    ]);
    const { diagnostics: up } = loadGrants([fixture('invalid/upload-options.yaml')]);
    expect(up[1]!.message).toBe('spec.upload.onConflict must be one of ask, skip, rename, replace, not the text "overwrite"');
  });

  it('names both places when a grant name is used twice, and uses neither', () => {
    const { grants, diagnostics } = loadGrants(folder('duplicate-name'));
    expect(grants).toEqual([]);
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`)).toEqual([
      'duplicate-name/a.yaml:4:9 DUPLICATE_GRANT_NAME',
      'duplicate-name/b.yaml:4:36 DUPLICATE_GRANT_NAME',
    ]);
    expect(diagnostics[0]!.related).toEqual([{ file: 'duplicate-name/b.yaml', line: 4, col: 36, message: '"hr-upload" is also defined here' }]);
    expect(diagnostics[1]!.related).toEqual([{ file: 'duplicate-name/a.yaml', line: 4, col: 9, message: '"hr-upload" is also defined here' }]);
  });

  it('a name shared with a broken grant is still a duplicate, and the valid copy is not used either', () => {
    const broken = fixture('duplicate-name/b.yaml').text.replace('duration: 1h', 'duration: 10m');
    const { grants, diagnostics } = loadGrants([fixture('duplicate-name/a.yaml'), { path: 'duplicate-name/b.yaml', text: broken }]);
    expect(grants).toEqual([]);
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`)).toEqual([
      'duplicate-name/a.yaml:4:9 DUPLICATE_GRANT_NAME',
      'duplicate-name/b.yaml:4:36 DUPLICATE_GRANT_NAME',
      'duplicate-name/b.yaml:7:75 DURATION_OUT_OF_RANGE',
    ]);
  });

  it('names what an ARN in the wrong place is', () => {
    const subject = (arn: string) => loadGrants([{ path: 's.yaml', text: fixture('invalid/role-arn.yaml').text.replace('subjects: [arn:aws:iam::629470240201:user/john]', `subjects: ["${arn}"]`) }]).diagnostics[0]!.message;
    expect(subject('arn:aws:iam::629470240201:group/hr')).toMatch(/IAM group cannot be a subject/);
    expect(subject('group:')).toBe('"group:" names nobody: write the name after the colon, e.g. group:hr-staff');
    expect(subject('group: hr-staff')).toMatch(/no leading or trailing spaces/);
    expect(subject('Group:hr-staff')).toMatch(/written user:NAME or group:NAME/);
    expect(subject('john')).toMatch(/or user:NAME \/ group:NAME for company sign-in/);
    expect(subject('arn:aws:iam::6294:user/john')).toMatch(/the account "6294" must be 12 digits/);
  });

  it('reports every problem in every file at once, sorted, and keeps the valid grants', () => {
    const { grants, diagnostics } = loadGrants([...folder('invalid'), ...folder('valid')]);
    expect(grants.map((g) => g.grant.metadata.name)).toEqual(['hr-upload', 'finance-read', 'inbox-upload']);
    // Every invalid fixture, plus the ROLE_SUBJECT_PICKS_USER warning in valid/two-grants.yaml.
    expect(new Set(diagnostics.map((d) => d.file)).size).toBe(19);
    const keys = diagnostics.map((d) => [d.file, d.line, d.col] as const);
    const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]));
    expect(keys).toEqual(sorted);
  });

  it('never throws, whatever the input', () => {
    const nasty = ['', '---\n---\n', '- a\n- b\n', 'just text', '{', ': :', '&a [*a]', 'a: &x [1]\nb: *y', '\t- x', 'x'.repeat(10_000), 'apiVersion: grantbox.dev/v1\nkind: Grant\nmetadata: 3\nspec: []\n', '%YAML 9.9\n---\na: 1'];
    for (const text of nasty) {
      const r = loadGrants([{ path: 'x.yaml', text }]);
      expect(r.grants).toEqual([]);
      expect(Array.isArray(r.diagnostics)).toBe(true);
    }
    expect(loadGrants([{ path: 'x.yaml', text: 'metadata: 3\n' }]).diagnostics.length).toBeGreaterThan(0);
  });

  it('positions survive Windows line endings and a byte-order mark', () => {
    const { text } = fixture('invalid/role-arn.yaml');
    for (const variant of [text.replace(/\n/g, '\r\n'), '\uFEFF' + text.replace(/\n/g, '\r\n')]) {
      expect(brief(loadGrants([{ path: 'x.yaml', text: variant }]).diagnostics)).toEqual(['9:10 error INVALID_ROLE_ARN']);
    }
  });

  it('passes on a reader-refused file as its diagnostic', () => {
    const problem: Diagnostic = { file: 'big.yaml', line: 1, col: 1, path: [], code: 'FILE_TOO_LARGE', severity: 'error', message: 'too big' };
    expect(loadGrants([{ path: 'big.yaml', text: '', problem }]).diagnostics).toEqual([problem]);
  });

  it('does not let an alias bomb through', () => {
    const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
    const r = loadGrants([{ path: 'bomb.yaml', text: bomb }]);
    expect(r.diagnostics.map((d) => d.code)).toContain('YAML_SYNTAX');
  });
});

describe('checks beyond the schema', () => {
  const base = (spec: string) => `apiVersion: grantbox.dev/v1\nkind: Grant\nmetadata: {name: g1, title: G}\nspec:\n  subjects: [arn:aws:iam::123456789012:user/a]\n  role: {arn: "arn:aws:iam::123456789012:role/R", duration: 1h}\n${spec}`;
  const codes = (spec: string) => loadGrants([{ path: 'g.yaml', text: base(spec) }]).diagnostics.map((d) => `${d.severity} ${d.code}`);

  it('refuses prefixes that could widen access', () => {
    expect(codes('  target: {region: us-east-1, bucket: b-1, prefix: "a?/"}\n  permissions: [list]\n')).toEqual(['error INVALID_PREFIX']);
    expect(codes('  target: {region: us-east-1, bucket: b-1, prefix: "${aws:username}/"}\n  permissions: [list]\n')).toEqual(['error INVALID_PREFIX']);
    expect(codes('  target: {region: us-east-1, bucket: b-1, prefix: "{who}/"}\n  permissions: [list]\n')).toEqual(['error INVALID_PREFIX']);
    expect(codes('  target: {region: us-east-1, bucket: b-1, prefix: "in/{user}/"}\n  permissions: [list]\n')).toEqual([]);
  });

  it('warns about prefixes that match more than one folder', () => {
    expect(codes('  target: {region: us-east-1, bucket: b-1, prefix: "reports"}\n  permissions: [list]\n')).toEqual(['warning PREFIX_NO_TRAILING_SLASH']);
    expect(codes('  target: {region: us-east-1, bucket: b-1, prefix: "/x/"}\n  permissions: [list]\n')).toEqual(['warning PREFIX_LEADING_SLASH']);
  });

  it('explains a raw sessionPolicy problem at the statement that has it, not as a type mismatch of the union', () => {
    const ds = loadGrants([{ path: 'g.yaml', text: base('  target: {region: us-east-1, bucket: b-1}\n  sessionPolicy:\n    Version: "2012-10-17"\n    Statement:\n      - Effect: allow\n        Action: s3:PutObject\n        Resourc: x\n') }]).diagnostics;
    expect(ds.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`)).toEqual([
      '11:17 INVALID_POLICY spec.sessionPolicy.Statement[0].Effect must be one of Allow, Deny, not the text "allow" (did you mean "Allow"?)',
      '13:9 UNKNOWN_KEY unknown key "Resourc" in spec.sessionPolicy.Statement[0] (did you mean "Resource"?)',
    ]);
    const notAList = loadGrants([{ path: 'g.yaml', text: base('  target: {region: us-east-1, bucket: b-1}\n  sessionPolicy: {Version: "2012-10-17", Statement: 3}\n') }]).diagnostics;
    expect(notAList.map((d) => d.message)).toEqual(['spec.sessionPolicy.Statement should be a mapping (key: value lines) or a list, not the number 3']);
  });

  it('a missing apiVersion or kind is MISSING_FIELD', () => {
    const ds = loadGrants([{ path: 'g.yaml', text: 'metadata: {name: g1, title: G}\n' }]).diagnostics;
    expect(ds.slice(0, 2).map((d) => `${d.code} ${d.message}`)).toEqual(['MISSING_FIELD missing "apiVersion: grantbox.dev/v1"', 'MISSING_FIELD missing "kind: Grant"']);
  });

  it('checks onConflict against allowReplace, sizes and duplicates', () => {
    expect(codes('  target: {region: us-east-1, bucket: b-1}\n  permissions: [upload]\n  upload: {onConflict: replace, allowReplace: false}\n')).toEqual(['error CONFLICTING_UPLOAD_OPTIONS']);
    expect(codes('  target: {region: us-east-1, bucket: b-1}\n  permissions: [upload]\n  upload: {maxFileSize: 6TiB}\n')).toEqual(['error INVALID_SIZE']);
    expect(codes('  target: {region: us-east-1, bucket: b-1}\n  permissions: [upload, upload]\n')).toEqual(['warning DUPLICATE_PERMISSION']);
  });

  it('a prefix long enough to overflow the policy for a 64-character user is caught at lint time', () => {
    // 19 literal characters per {user}/ segment, 65 once filled: fine as written, too big for STS once resolved.
    const prefix = 'in/' + '{user}/'.repeat(15);
    const ds = loadGrants([{ path: 'g.yaml', text: base(`  target: {region: us-east-1, bucket: b-1, prefix: "${prefix}"}\n  permissions: [list, read, upload]\n`) }]).diagnostics;
    // 15 user names of 64 characters are also more than a key prefix may take (UTF-8 bytes).
    expect(ds.map((d) => d.code)).toEqual(['PREFIX_TOO_LONG', 'POLICY_TOO_LARGE']);
    expect(ds[1]!.message).toMatch(/size 2\d{3} \/ 2048/);
  });

  it('templateProblems and didYouMean', () => {
    expect(templateProblems('{user}-{grant}', ['user', 'grant', 'account'], /[\w+=,.@-]/g)).toEqual([]);
    expect(templateProblems('{user', ['user'], null)).toEqual(['has an unmatched "{" or "}"']);
    expect(didYouMean('permisions', ['permissions', 'sessionPolicy'])).toBe('permissions');
    expect(didYouMean('xyz', ['permissions'])).toBeUndefined();
  });
});

describe('loadSettingsText', () => {
  const SETTINGS = path.resolve(__dirname, '../fixtures/settings');
  const read = (f: string): SourceFile => ({ path: f, text: readFileSync(path.join(SETTINGS, f), 'utf8') });

  it('accepts the example settings and the fixture', () => {
    const example = readFileSync(path.resolve(__dirname, '../../config/settings.example.yaml'), 'utf8');
    expect(loadSettingsText({ path: 's.yaml', text: example })).toEqual({
      settings: { apiVersion: 'grantbox.dev/v1', kind: 'Settings', grants: { source: 'directory', path: './grants' }, aws: { region: 'us-east-1', endpoint: 'http://127.0.0.1:5000', forcePathStyle: true } },
      diagnostics: [],
    });
    expect(loadSettingsText(read('valid.yaml')).settings?.grants).toEqual({ source: 'directory', path: 'grants' });
  });

  it('reports settings problems with the same diagnostics', () => {
    const { settings, diagnostics } = loadSettingsText(read('invalid.yaml'));
    expect(settings).toBeNull();
    expect(diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`)).toEqual(['4:11 INVALID_VALUE', '5:1 MISSING_FIELD', '6:3 UNKNOWN_KEY', '7:13 INVALID_URL']);
    expect(diagnostics[0]!.message).toMatch(/directory, git/);
    expect(diagnostics[1]!.message).toBe('aws is missing "region" (text)');
    expect(diagnostics[2]!.message).toMatch(/did you mean "region"/);
  });

  it('aws.endpoint must be http(s)', () => {
    const text = 'apiVersion: grantbox.dev/v1\nkind: Settings\ngrants: {source: directory, path: g}\naws: {region: us-east-1, endpoint: "ftp://x"}\n';
    expect(loadSettingsText({ path: 's.yaml', text })).toMatchObject({ settings: null, diagnostics: [{ line: 4, col: 36, code: 'INVALID_URL' }] });
  });

  describe('signIn', () => {
    const head = 'apiVersion: grantbox.dev/v1\nkind: Settings\ngrants: {source: directory, path: g}\n';
    const load = (signIn: string) => loadSettingsText({ path: 's.yaml', text: head + signIn });
    const lines = (signIn: string) => load(signIn).diagnostics.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`);

    it('is optional: without it, access keys as before', () => {
      const { settings } = load('');
      expect(settings?.signIn).toBeUndefined();
      expect(signInSettingsOf(settings!)).toEqual({ method: 'accessKey' });
    });

    it('accepts oidc with every option, identityCenter and accessKey', () => {
      const oidc = 'signIn:\n  method: oidc\n  issuer: https://login.company1.example/realms/staff\n  clientId: grantbox\n  scopes: [openid, profile, email, offline_access]\n  userClaim: email\n  groupsClaim: groups\n  name: Company1\n';
      expect(load(oidc)).toEqual({
        settings: expect.objectContaining({
          signIn: { method: 'oidc', issuer: 'https://login.company1.example/realms/staff', clientId: 'grantbox', scopes: ['openid', 'profile', 'email', 'offline_access'], userClaim: 'email', groupsClaim: 'groups', name: 'Company1' },
        }),
        diagnostics: [],
      });
      expect(load('signIn: {method: oidc, issuer: "http://127.0.0.1:41234/any/path", clientId: grantbox}\n').settings?.signIn).toMatchObject({ issuer: 'http://127.0.0.1:41234/any/path' });
      const ic = 'signIn:\n  method: identityCenter\n  startUrl: https://d-1234567890.awsapps.com/start\n  region: eu-west-1\n  accountId: "123456789012"\n  roleName: HrUpload\n';
      expect(load(ic).settings?.signIn).toEqual({ method: 'identityCenter', startUrl: 'https://d-1234567890.awsapps.com/start', region: 'eu-west-1', accountId: '123456789012', roleName: 'HrUpload' });
      expect(load('signIn: {method: accessKey}\n').settings?.signIn).toEqual({ method: 'accessKey' });
    });

    it('refuses a plain-http issuer off this computer, and says where', () => {
      expect(lines('signIn:\n  method: oidc\n  issuer: http://login.company1.example/x\n  clientId: grantbox\n')).toEqual([
        '6:11 INVALID_VALUE signIn.issuer: the issuer must start with https:// (plain http:// is allowed only for 127.0.0.1 on this computer)',
      ]);
      expect(lines('signIn: {method: oidc, issuer: "https://a.example/?realm=x", clientId: grantbox}\n')).toEqual([expect.stringMatching(/^4:\d+ INVALID_VALUE signIn.issuer: the issuer has no \?query/)]);
    });

    it('names a mistyped or missing method, and keys of another method', () => {
      expect(lines('signIn:\n  method: odic\n')).toEqual(['5:11 INVALID_VALUE signIn.method must be one of oidc, identityCenter, accessKey, not the text "odic" (did you mean "oidc"?)']);
      expect(lines('signIn:\n  issuer: https://a.example\n')).toEqual(['4:1 MISSING_FIELD signIn is missing "method" (one of oidc, identityCenter, accessKey)']);
      expect(lines('signIn:\n  method: oidc\n  issuer: https://a.example\n')).toEqual(['4:1 MISSING_FIELD signIn is missing "clientId" (text)']);
      expect(lines('signIn:\n  method: identityCenter\n  startUrl: https://d-1.awsapps.com/start\n  region: eu-west-1\n  accountId: "12345"\n  roleName: Up\n  clientId: x\n')).toEqual([
        '8:14 INVALID_VALUE signIn.accountId: an AWS account id is 12 digits',
        '10:3 UNKNOWN_KEY unknown key "clientId" in signIn',
      ]);
      expect(lines('signIn: {method: oidc, issuer: "https://a.example", clientId: g, scopes: [profile]}\n')).toEqual([expect.stringMatching(/INVALID_VALUE signIn.scopes: scopes must include openid$/)]);
      expect(lines('signIn: {method: oidc, issuer: "https://a.example", clientId: g, usrClaim: email}\n')).toEqual([expect.stringMatching(/UNKNOWN_KEY unknown key "usrClaim" in signIn \(did you mean "userClaim"\?\)$/)]);
    });
  });

  it('accepts uploads.maxConcurrency and reports an out-of-range one at its line:col', () => {
    const base = 'apiVersion: grantbox.dev/v1\nkind: Settings\ngrants: {source: directory, path: g}\n';
    expect(loadSettingsText({ path: 's.yaml', text: `${base}uploads:\n  maxConcurrency: 128\n` }).settings?.uploads).toEqual({ maxConcurrency: 128 });
    const bad = loadSettingsText({ path: 's.yaml', text: `${base}uploads:\n  maxConcurrency: 0\n` });
    expect(bad.settings).toBeNull();
    expect(bad.diagnostics).toMatchObject([{ line: 5, col: 19 }]);
    expect(bad.diagnostics[0]!.message).toMatch(/1/);
    expect(loadSettingsText({ path: 's.yaml', text: `${base}uploads:\n  maxConcurrency: 1000\n` }).diagnostics).toMatchObject([{ line: 5, col: 19 }]);
  });

  it('an empty or multi-document settings file is an error', () => {
    expect(loadSettingsText({ path: 's.yaml', text: '# nothing\n' }).diagnostics.map((d) => d.code)).toEqual(['MISSING_FIELD']);
    const two = 'apiVersion: grantbox.dev/v1\nkind: Settings\ngrants: {source: directory, path: g}\n---\na: 1\n';
    expect(loadSettingsText({ path: 's.yaml', text: two })).toMatchObject({ settings: null, diagnostics: [{ line: 5, col: 1, code: 'YAML_SYNTAX' }] });
  });
});

describe('formatDiagnostics', () => {
  const ds: Diagnostic[] = [
    { file: 'g/a.yaml', line: 4, col: 9, endLine: 4, endCol: 18, path: ['metadata', 'name'], code: 'DUPLICATE_GRANT_NAME', severity: 'error', message: 'used twice, 100% sure', related: [{ file: 'g/b.yaml', line: 2, col: 3, message: 'also here' }] },
    { file: 'g/c.yaml', line: 1, col: 1, path: [], code: 'NO_GRANTS', severity: 'warning', message: 'no grant' },
  ];
  it('text is path:line:col: severity CODE message, related places as notes', () => {
    expect(formatDiagnostics(ds, 'text')).toBe('g/a.yaml:4:9: error DUPLICATE_GRANT_NAME used twice, 100% sure\n  g/b.yaml:2:3: note also here\ng/c.yaml:1:1: warning NO_GRANTS no grant');
  });
  it('github is workflow commands with escaped data', () => {
    expect(formatDiagnostics(ds, 'github')).toBe(
      '::error file=g/a.yaml,line=4,col=9,endLine=4,endColumn=18,title=DUPLICATE_GRANT_NAME::used twice, 100%25 sure%0Ag/b.yaml:2:3: also here\n::warning file=g/c.yaml,line=1,col=1,title=NO_GRANTS::no grant',
    );
  });
  it('json round-trips', () => {
    expect(JSON.parse(formatDiagnostics(ds, 'json'))).toEqual(ds);
    expect(formatDiagnostics([], 'text')).toBe('');
  });
});
