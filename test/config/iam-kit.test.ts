import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildIamKit, kitCloudFormation, kitJson, kitTerraform, sharedRoleFindings, type IamKit } from '../../config/iam-kit';
import { loadGrants } from '../../config/loader';
import { resolveGrant } from '../../config/policy';
import type { Grant } from '../../config/schema';
import { ACCOUNT, decide, type Decision, type SimPolicies } from '../helpers/iam-sim';

const tutorial: Grant = loadGrants([{ path: 'hr.yaml', text: readFileSync(path.resolve(__dirname, '../../config/grants/hr-upload.yaml'), 'utf8') }]).grants[0]!.grant;
const ROLE = tutorial.spec.role.arn;

function variant(name: string, spec: Partial<Grant['spec']> & { prefix?: string }, subjects?: string[]): Grant {
  const { prefix, ...rest } = spec;
  return {
    ...tutorial,
    metadata: { ...tutorial.metadata, name },
    spec: { ...tutorial.spec, ...rest, ...(subjects ? { subjects } : {}), target: { ...tutorial.spec.target, ...(prefix !== undefined ? { prefix } : {}) } },
  };
}

/** The grants every generated policy is checked with. */
const GRANTS: { grant: Grant; company?: boolean }[] = [
  { grant: tutorial },
  { grant: variant('inbox', { prefix: 'inbox/{user}/' }) },
  { grant: variant('inbox-replace', { prefix: 'inbox/{user}/', permissions: ['upload'], upload: { onConflict: 'replace' } }) },
  { grant: variant('reports', { prefix: 'inbox/{user}/reports/', permissions: ['list', 'read'] }) },
  { grant: variant('berichte', { prefix: 'Berichte/報告/{user}/', permissions: ['list', 'upload'], upload: { onConflict: 'skip' } }) },
  { grant: variant('company-inbox', { prefix: 'inbox/{user}/' }, ['user:john']), company: true },
];

const COMPANY = { issuer: 'https://login.company1.example/realms/staff', clientId: 'grantbox' };
const BUCKET = tutorial.spec.target.bucket;
const OTHER_BUCKET = 'company1-finance';

type Op = {
  label: string;
  action: string;
  /** Which permission of the grant allows it; undefined: never allowed. */
  needs?: 'list' | 'read' | 'upload';
  context?: Record<string, string>;
  /** A request that creates an object without If-None-Match: allowed only where the grant allows replacing. */
  overwrites?: boolean;
};

// Every step of an upload is one of these S3 authorisations (CreateMultipartUpload, UploadPart and
// CompleteMultipartUpload are all s3:PutObject; ObjectCreationOperation tells them apart).
const OBJECT_OPS: Op[] = [
  { label: 'GetObject', action: 's3:GetObject', needs: 'read' },
  { label: 'PutObject If-None-Match', action: 's3:PutObject', needs: 'upload', context: { 's3:if-none-match': '*', 's3:ObjectCreationOperation': 'true' } },
  { label: 'PutObject (overwrite)', action: 's3:PutObject', needs: 'upload', context: { 's3:ObjectCreationOperation': 'true' }, overwrites: true },
  { label: 'CreateMultipartUpload', action: 's3:PutObject', needs: 'upload', context: { 's3:ObjectCreationOperation': 'false' } },
  { label: 'UploadPart', action: 's3:PutObject', needs: 'upload', context: { 's3:ObjectCreationOperation': 'false' } },
  { label: 'CompleteMultipartUpload If-None-Match', action: 's3:PutObject', needs: 'upload', context: { 's3:if-none-match': '*', 's3:ObjectCreationOperation': 'true' } },
  { label: 'CompleteMultipartUpload (overwrite)', action: 's3:PutObject', needs: 'upload', context: { 's3:ObjectCreationOperation': 'true' }, overwrites: true },
  { label: 'AbortMultipartUpload', action: 's3:AbortMultipartUpload', needs: 'upload' },
  { label: 'ListParts', action: 's3:ListMultipartUploadParts', needs: 'upload' },
  { label: 'DeleteObject', action: 's3:DeleteObject' },
  { label: 'DeleteObjectVersion', action: 's3:DeleteObjectVersion' },
  { label: 'PutObjectAcl', action: 's3:PutObjectAcl' },
  { label: 'GetObjectAcl', action: 's3:GetObjectAcl' },
  { label: 'PutObjectTagging', action: 's3:PutObjectTagging' },
  { label: 'GetObjectTagging', action: 's3:GetObjectTagging' },
];
const BUCKET_OPS: Op[] = [
  { label: 'ListBucketMultipartUploads', action: 's3:ListBucketMultipartUploads' },
  { label: 'PutBucketPolicy', action: 's3:PutBucketPolicy' },
  { label: 'PutBucketAcl', action: 's3:PutBucketAcl' },
  { label: 'DeleteBucket', action: 's3:DeleteBucket' },
];

interface Row {
  grant: string;
  scenario: string;
  label: string;
  resource: string;
  context: Record<string, string>;
  expected: boolean;
}

/** The matrix for one grant and john: what he must be able to do, and everything around it he must not. */
function matrix(grant: Grant, scenario: string, own: string, replace: boolean): Row[] {
  const perms = new Set(grant.spec.permissions ?? []);
  const rows: Row[] = [];
  const keys = [`${own}a.pdf`, `${own}sub/b.pdf`, 'inbox/johnny/a.pdf', 'inbox/john-old/a.pdf', 'other/x.pdf', 'x.pdf'];
  for (const bucket of [BUCKET, OTHER_BUCKET]) {
    for (const key of keys) {
      for (const op of OBJECT_OPS) {
        const inside = bucket === BUCKET && key.startsWith(own);
        const expected = inside && op.needs !== undefined && perms.has(op.needs) && (!op.overwrites || replace);
        rows.push({ grant: grant.metadata.name, scenario, label: `${op.label} ${bucket}/${key}`, resource: `arn:aws:s3:::${bucket}/${key}`, context: op.context ?? {}, expected, ...{ action: op.action } } as Row & { action: string });
      }
    }
    for (const listed of ['', own, `${own}sub/`, 'inbox/', 'inbox/johnny/', 'inbox/john-old/', 'other/']) {
      const expected = bucket === BUCKET && perms.has('list') && listed.startsWith(own);
      rows.push({ grant: grant.metadata.name, scenario, label: `ListBucket ${bucket} prefix "${listed}"`, resource: `arn:aws:s3:::${bucket}`, context: { 's3:prefix': listed }, expected, ...{ action: 's3:ListBucket' } } as Row & { action: string });
    }
    for (const op of BUCKET_OPS) {
      rows.push({ grant: grant.metadata.name, scenario, label: `${op.label} ${bucket}`, resource: `arn:aws:s3:::${bucket}`, context: {}, expected: false, ...{ action: op.action } } as Row & { action: string });
    }
  }
  return rows;
}

describe('the IAM kit and the session policies, checked by iam-simulate', () => {
  const results: { total: number; allowed: number; mismatches: string[] } = { total: 0, allowed: 0, mismatches: [] };

  for (const { grant, company } of GRANTS) {
    it(`${grant.metadata.name}: with the session policy, and assumed without it, john reaches exactly his own scope`, async () => {
      const kit = buildIamKit([grant], ROLE, company ? { companySignIn: COMPANY } : {});
      const resolved = resolveGrant(grant, { user: 'john', account: ACCOUNT });
      const replace = resolved.allowReplace;
      // What AWS knows about the session: SourceIdentity (IAM users) or the session tag (company sign-in).
      const who: Record<string, string> = company ? { 'aws:PrincipalTag/grantbox-user': 'john' } : { 'aws:SourceIdentity': 'john' };
      const session = JSON.parse(resolved.policyJson) as object;
      const scenarios: [string, SimPolicies][] = [
        ['with session policy', { identity: [kit.permissionPolicy], session }],
        ['without session policy', { identity: [kit.permissionPolicy] }],
      ];
      for (const [scenario, policies] of scenarios) {
        for (const row of matrix(grant, scenario, resolved.prefix, replace) as (Row & { action: string })[]) {
          const decision: Decision = await decide({ action: row.action, resource: row.resource, context: { ...who, ...row.context } }, policies);
          results.total++;
          if (decision === 'Allowed') results.allowed++;
          if ((decision === 'Allowed') !== row.expected) results.mismatches.push(`${row.grant} [${row.scenario}] ${row.label} ${JSON.stringify(row.context)}: ${decision}, expected ${row.expected ? 'Allowed' : 'denied'}`);
        }
      }
      expect(results.mismatches).toEqual([]);
    });
  }

  it('the matrix can fail: the tutorial\'s own role policy, assumed without the session policy, reaches other people\'s folders', async () => {
    const grant = GRANTS[1]!.grant;
    const tutorialRolePolicy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`] }],
    };
    const resolved = resolveGrant(grant, { user: 'john', account: ACCOUNT });
    let wrong = 0;
    for (const row of matrix(grant, 'tutorial role', resolved.prefix, false) as (Row & { action: string })[]) {
      if (((await decide({ action: row.action, resource: row.resource, context: { 'aws:SourceIdentity': 'john', ...row.context } }, { identity: [tutorialRolePolicy] })) === 'Allowed') !== row.expected) wrong++;
    }
    expect(wrong).toBeGreaterThan(20);
  });

  it('a session of someone else (SourceIdentity johnny) cannot use john\'s folder under the kit, and without any name nothing is allowed', async () => {
    const grant = GRANTS[1]!.grant;
    const kit = buildIamKit([grant], ROLE);
    const put = { action: 's3:PutObject', resource: `arn:aws:s3:::${BUCKET}/inbox/john/a.pdf`, context: { 's3:if-none-match': '*', 's3:ObjectCreationOperation': 'true' } };
    expect(await decide({ ...put, context: { ...put.context, 'aws:SourceIdentity': 'john' } }, { identity: [kit.permissionPolicy] })).toBe('Allowed');
    expect(await decide({ ...put, context: { ...put.context, 'aws:SourceIdentity': 'johnny' } }, { identity: [kit.permissionPolicy] })).toBe('ImplicitlyDenied');
    expect(await decide(put, { identity: [kit.permissionPolicy] })).toBe('ImplicitlyDenied');
    // Deletes are explicitly denied, whatever else the role may carry.
    const everything = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    expect(await decide({ action: 's3:DeleteObject', resource: `arn:aws:s3:::${BUCKET}/inbox/john/a.pdf`, context: { 'aws:SourceIdentity': 'john' } }, { identity: [kit.permissionPolicy, everything] })).toBe('ExplicitlyDenied');
    results.total += 4;
  });

  it('trust policy: an IAM user subject may assume only with SourceIdentity = their own user name; others not at all', async () => {
    const kit = buildIamKit([tutorial], ROLE);
    const assumeAny = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: '*' }] };
    const john = `arn:aws:iam::${ACCOUNT}:user/john`;
    const cases: [string, string, Record<string, string>, Decision][] = [
      [john, 'sts:AssumeRole', { 'sts:SourceIdentity': 'john', 'aws:username': 'john' }, 'Allowed'],
      [john, 'sts:SetSourceIdentity', { 'sts:SourceIdentity': 'john', 'aws:username': 'john' }, 'Allowed'],
      [john, 'sts:SetSourceIdentity', { 'sts:SourceIdentity': 'johnny', 'aws:username': 'john' }, 'ImplicitlyDenied'],
      [john, 'sts:AssumeRole', { 'aws:username': 'john' }, 'ImplicitlyDenied'],
      [`arn:aws:iam::${ACCOUNT}:user/maria`, 'sts:AssumeRole', { 'sts:SourceIdentity': 'maria', 'aws:username': 'maria' }, 'ImplicitlyDenied'],
    ];
    for (const [principal, action, context, expected] of cases) {
      expect(await decide({ principal, action, resource: ROLE, context }, { identity: [assumeAny], resource: kit.trustPolicy })).toBe(expected);
      results.total++;
    }
  });

  afterAll(() => {
    // The size and result of the matrix, for the project's note.
    process.stdout.write(`iam-simulate matrix: ${results.total} requests (${results.allowed} allowed, ${results.total - results.allowed} denied), ${results.mismatches.length} mismatches\n`);
  });
});

describe('buildIamKit', () => {
  it('tutorial grant: trust binds SourceIdentity to the IAM user name; permissions are only the grant\'s, no delete', () => {
    const kit: IamKit = buildIamKit([tutorial], ROLE);
    expect(kit.role).toBe(ROLE);
    expect(kit.trustPolicy.Statement).toEqual([
      {
        Sid: 'IamUsers1',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::629470240201:user/john' },
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        Condition: { StringEquals: { 'sts:SourceIdentity': '${aws:username}' } },
      },
    ]);
    const actions = kit.permissionPolicy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(new Set(actions)).toEqual(new Set(['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']));
    expect(kit.permissionPolicy.Statement.find((s) => s.Sid === 'NeverDelete')).toMatchObject({ Effect: 'Deny', Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'] });
    expect(kit.notes.join('\n')).toMatch(/CompleteMultipartUpload/);
    expect(kit.notes.join('\n')).toMatch(/maxFileSize/);
  });

  it('--format json is one object with exactly role, trustPolicy, permissionPolicy, notes; non-Latin-1 escaped', () => {
    const kit = buildIamKit([GRANTS[4]!.grant], ROLE);
    const text = kitJson(kit);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['role', 'trustPolicy', 'permissionPolicy', 'notes']);
    expect(text).toMatch(/Berichte\/\\u5831\\u544a\//);
    expect([...text].every((c) => c.charCodeAt(0) <= 0xff)).toBe(true);
    expect((JSON.parse(text) as { permissionPolicy: { Statement: { Resource: string }[] } }).permissionPolicy.Statement.some((s) => String(s.Resource).includes('Berichte/報告/${aws:SourceIdentity}/'))).toBe(true);
  });

  it('company sign-in subjects: the OIDC provider with aud and the user tag; groups by tag; folders by the tag', () => {
    const g = variant('company', { prefix: 'inbox/{user}/' }, ['user:john', 'group:hr-staff']);
    const kit = buildIamKit([g], ROLE, { companySignIn: COMPANY });
    const provider = 'arn:aws:iam::629470240201:oidc-provider/login.company1.example/realms/staff';
    expect(kit.trustPolicy.Statement).toEqual([
      {
        Sid: 'CompanyUsers1',
        Effect: 'Allow',
        Principal: { Federated: provider },
        Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
        Condition: { StringEquals: { 'login.company1.example/realms/staff:aud': 'grantbox', 'aws:RequestTag/grantbox-user': 'john' } },
      },
      {
        Sid: 'CompanyGroups2',
        Effect: 'Allow',
        Principal: { Federated: provider },
        Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
        Condition: {
          StringEquals: { 'login.company1.example/realms/staff:aud': 'grantbox' },
          StringLike: { 'aws:RequestTag/grantbox-groups': ['*:hr-staff:*'] },
          Null: { 'aws:RequestTag/grantbox-user': 'false' },
        },
      },
    ]);
    expect(JSON.stringify(kit.permissionPolicy)).toContain('inbox/${aws:PrincipalTag/grantbox-user}/*');
    expect(JSON.stringify(kit.permissionPolicy)).not.toContain('SourceIdentity');
    expect(() => buildIamKit([g], ROLE)).toThrow(expect.objectContaining({ code: 'IAM_KIT_NEEDS_SIGN_IN' }));
  });

  it('role subjects must set some SourceIdentity (AWS cannot bind it to a person: said in the notes); external id and MFA are required where the grant asks', () => {
    const g = variant('team', { prefix: 'inbox/{user}/', role: { ...tutorial.spec.role, externalId: 'ext-123', mfa: true } }, ['arn:aws:iam::629470240201:role/TeamRole', 'arn:aws:iam::629470240201:user/john']);
    const kit = buildIamKit([g], ROLE);
    expect(kit.trustPolicy.Statement).toEqual([
      {
        Sid: 'IamRoles1',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::629470240201:role/TeamRole' },
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        Condition: { StringEquals: { 'sts:ExternalId': 'ext-123' }, Bool: { 'aws:MultiFactorAuthPresent': 'true' }, Null: { 'sts:SourceIdentity': 'false' } },
      },
      {
        Sid: 'IamUsers2',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::629470240201:user/john' },
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        Condition: { StringEquals: { 'sts:ExternalId': 'ext-123', 'sts:SourceIdentity': '${aws:username}' }, Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      },
    ]);
    expect(kit.notes.join('\n')).toMatch(/Role subjects \(arn:aws:iam::629470240201:role\/TeamRole\) may set any SourceIdentity/);
  });

  it('cloudformation and terraform carry the same documents (terraform escapes ${ for HCL)', () => {
    const kit = buildIamKit([GRANTS[1]!.grant], ROLE);
    const cfn = JSON.parse(kitCloudFormation(kit)) as { Resources: Record<string, { Type: string; Properties: { RoleName: string; AssumeRolePolicyDocument: unknown; Policies: { PolicyDocument: unknown }[] } }> };
    const role = Object.values(cfn.Resources)[0]!;
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.RoleName).toBe('JohnUploadRole');
    expect(role.Properties.AssumeRolePolicyDocument).toEqual(kit.trustPolicy);
    expect(role.Properties.Policies[0]!.PolicyDocument).toEqual(kit.permissionPolicy);
    const tf = kitTerraform(kit);
    expect(tf).toContain('resource "aws_iam_role" "johnuploadrole"');
    expect(tf).toContain('"inbox/$${aws:SourceIdentity}/*"');
    // Outside comments, every ${ is escaped, or Terraform would try to interpolate IAM's variables.
    expect(tf.split('\n').filter((l) => !l.startsWith('#')).join('\n')).not.toMatch(/[^$]\$\{aws:/);
  });
});

describe('sharedRoleFindings', () => {
  it('names the person, their grant, the role and the other grant\'s folder; and the simulator agrees they can reach it', async () => {
    const hr = variant('hr-upload', { prefix: 'inbox/{user}/' });
    const finance = variant('finance-drop', { prefix: 'finance/', permissions: ['upload'] }, [`arn:aws:iam::${ACCOUNT}:user/maria`]);
    const findings = sharedRoleFindings([hr, finance]);
    expect(findings.map((f) => f.message)).toEqual([
      "john, a subject of hr-upload, could assume JohnUploadRole directly and upload to finance-drop's folder s3://company1-hr/finance/; give finance-drop its own role, or list the same subjects in both",
      "maria, a subject of finance-drop, could assume JohnUploadRole directly and list, read and upload to hr-upload's folder s3://company1-hr/inbox/maria/; give hr-upload its own role, or list the same subjects in both",
    ]);
    expect(findings.every((f) => f.code === 'ROLE_SHARED_REACH')).toBe(true);
    const kit = buildIamKit([hr, finance], ROLE);
    expect(kit.notes.join('\n')).toMatch(/union/);
    // maria, assuming the role herself (no session policy), really can list her folder under hr-upload's prefix.
    expect(await decide({ action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}`, context: { 'aws:SourceIdentity': 'maria', 's3:prefix': 'inbox/maria/' } }, { identity: [kit.permissionPolicy] })).toBe('Allowed');
    // Grants with the same subjects do not reach each other.
    expect(sharedRoleFindings([hr, variant('hr-read', { permissions: ['read'] })])).toEqual([]);
  });
});

describe('defect 6: the tutorial role policy has the multipart actions', () => {
  it('the sandbox role policy allows every step of an upload, cancel and resume; the admin docs list the same actions', async () => {
    const { tutorialPermissionPolicy } = await import('../../main/services/sandbox/seed');
    const role = tutorialPermissionPolicy();
    for (const action of ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']) {
      expect(await decide({ action, resource: `arn:aws:s3:::${BUCKET}/a.pdf`, context: { 's3:ObjectCreationOperation': 'false' } }, { identity: [role] })).toBe('Allowed');
    }
    const admins = readFileSync(path.resolve(__dirname, '../../docs/admins.md'), 'utf8');
    const format = readFileSync(path.resolve(__dirname, '../../docs/grant-format.md'), 'utf8');
    for (const doc of [admins, format]) for (const action of ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 'sts:SetSourceIdentity']) expect(doc).toContain(action);
  });
});
