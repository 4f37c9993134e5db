import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadGrants } from '../../config/loader';
import { WORST_CASE_VARS, buildSessionPolicy, renderSessionName, resolveGrant, s3Partition } from '../../config/policy';
import type { Grant, PolicyDocument } from '../../config/schema';
import { ALL_S3, allowed } from '../helpers/iam-sim';

const tutorialGrant: Grant = loadGrants([{ path: 'hr.yaml', text: readFileSync(path.resolve(__dirname, '../../config/grants/hr-upload.yaml'), 'utf8') }]).grants[0]!.grant;

/** The tutorial's session policy (shared/seed, "Step 3: Define the Session Policy"), verbatim. */
const TUTORIAL_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::company1-hr', 'arn:aws:s3:::company1-hr/*'] },
  ],
};

// ---- what a policy permits, by an independent simulator (test/helpers/iam-sim.ts) ----
const BUCKET_ACTIONS = ['s3:ListBucket', 's3:ListBucketMultipartUploads', 's3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucket'];
const OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:PutObjectAcl', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:GetObjectVersion'];
type Probe = [string, string, Record<string, string>];
/** Every meaningful (action, resource, context) probe: bucket actions on buckets, object actions on objects. */
function probes(): Probe[] {
  const out: Probe[] = [];
  for (const bucket of ['company1-hr', 'company1-finance', 'company1-hr-archive']) {
    for (const a of BUCKET_ACTIONS) for (const prefix of ['', 'inbox/', 'inbox/john/', 'inbox/johnny/', 'other/']) out.push([a, `arn:aws:s3:::${bucket}`, a === 's3:ListBucket' ? { 's3:prefix': prefix } : {}]);
    for (const a of OBJECT_ACTIONS) for (const key of ['a.txt', 'inbox/john/a.pdf', 'inbox/johnny/a.pdf', 'inbox/john', 'other/x']) out.push([a, `arn:aws:s3:::${bucket}/${key}`, {}]);
  }
  return out;
}
/** A session policy alone (under a role that allows all of S3): what it lets through. */
const sessionAllows = (p: PolicyDocument, action: string, resource: string, context: Record<string, string> = {}) => allowed({ action, resource, context }, { identity: [ALL_S3], session: p });
async function allowedSet(p: PolicyDocument): Promise<Set<string>> {
  const out = new Set<string>();
  for (const [a, r, c] of probes()) if (await sessionAllows(p, a, r, c)) out.add(JSON.stringify([a, r, c]));
  return out;
}

describe('buildSessionPolicy', () => {
  it('tutorial grant → exactly what the tutorial policy allows, plus the two multipart actions', async () => {
    const generated = buildSessionPolicy(tutorialGrant, { user: 'john' });
    const tutorialPlusMultipart: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [...(TUTORIAL_POLICY.Statement as object[]), { Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: 'arn:aws:s3:::company1-hr/*' }] as PolicyDocument['Statement'],
    };
    expect([...(await allowedSet(generated))].sort()).toEqual([...(await allowedSet(tutorialPlusMultipart))].sort());
    // And the comparison is not vacuous: the tutorial allows uploads, and nothing outside company1-hr.
    expect(await sessionAllows(generated, 's3:PutObject', 'arn:aws:s3:::company1-hr/new-file.txt')).toBe(true);
    expect(await sessionAllows(generated, 's3:DeleteObject', 'arn:aws:s3:::company1-hr/new-file.txt')).toBe(false);
    expect(await sessionAllows(generated, 's3:PutObject', 'arn:aws:s3:::company1-hr-archive/x')).toBe(false);
  });

  it('tutorial grant → this exact minified JSON', () => {
    expect(JSON.stringify(buildSessionPolicy(tutorialGrant, { user: 'john' }))).toBe(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::company1-hr"},' +
        '{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:AbortMultipartUpload","s3:ListMultipartUploadParts"],"Resource":"arn:aws:s3:::company1-hr/*"}]}',
    );
  });

  it('a prefix scopes object actions to bucket/prefix* and ListBucket with an s3:prefix condition', async () => {
    const grant: Grant = { ...tutorialGrant, spec: { ...tutorialGrant.spec, target: { ...tutorialGrant.spec.target, prefix: 'inbox/{user}/' } } };
    const p = buildSessionPolicy(grant, { user: 'john' });
    expect(p.Statement).toEqual([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::company1-hr', Condition: { StringLike: { 's3:prefix': ['inbox/john/*'] } } },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: 'arn:aws:s3:::company1-hr/inbox/john/*' },
    ]);
    expect(await sessionAllows(p, 's3:ListBucket', 'arn:aws:s3:::company1-hr', { 's3:prefix': 'inbox/john/' })).toBe(true);
    expect(await sessionAllows(p, 's3:ListBucket', 'arn:aws:s3:::company1-hr', { 's3:prefix': '' })).toBe(false);
    expect(await sessionAllows(p, 's3:ListBucket', 'arn:aws:s3:::company1-hr', { 's3:prefix': 'inbox/johnny/' })).toBe(false);
    expect(await sessionAllows(p, 's3:PutObject', 'arn:aws:s3:::company1-hr/inbox/john/a.pdf')).toBe(true);
    expect(await sessionAllows(p, 's3:PutObject', 'arn:aws:s3:::company1-hr/inbox/johnny/a.pdf')).toBe(false);
  });

  it('only the permissions asked for', () => {
    const only = (permissions: Grant['spec']['permissions']) => buildSessionPolicy({ ...tutorialGrant, spec: { ...tutorialGrant.spec, permissions } }, { user: 'john' }).Statement;
    expect(only(['upload'])).toEqual([{ Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: 'arn:aws:s3:::company1-hr/*' }]);
    expect(only(['list'])).toEqual([{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::company1-hr' }]);
    expect(only(['read'])).toEqual([{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::company1-hr/*' }]);
  });

  it('a user name that could widen the prefix is refused, not escaped', () => {
    const grant: Grant = { ...tutorialGrant, spec: { ...tutorialGrant.spec, target: { ...tutorialGrant.spec.target, prefix: 'inbox/{user}/' } } };
    for (const user of ['*', 'jo?n', 'a/b', '${aws:username}', '']) {
      expect(() => buildSessionPolicy(grant, { user })).toThrow(expect.objectContaining({ code: 'INVALID_USER_NAME' }));
    }
  });

  it('a raw sessionPolicy is passed through unchanged (and copied)', () => {
    const raw: PolicyDocument = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::company1-hr/drop/*' } };
    const grant: Grant = { ...tutorialGrant, spec: { ...tutorialGrant.spec, permissions: undefined, sessionPolicy: raw } };
    const p = buildSessionPolicy(grant, { user: 'john' });
    expect(p).toEqual(raw);
    expect(p).not.toBe(raw);
    expect(resolveGrant(grant, { user: 'john' }).permissions).toEqual([]);
  });

  it('uses the role partition for S3 ARNs, "aws" for S3-compatible stores', () => {
    expect(s3Partition('arn:aws-cn:iam::123456789012:role/R')).toBe('aws-cn');
    expect(s3Partition('arn:minio:iam:::role/R')).toBe('aws');
  });
});

describe('renderSessionName', () => {
  it('defaults to {user}-{grant} and sanitizes to what STS accepts', () => {
    expect(renderSessionName(undefined, { user: 'john', grant: 'hr-upload' })).toBe('john-hr-upload');
    expect(renderSessionName('{user} @ {grant}/{account}', { user: 'jöhn', grant: 'g', account: '123456789012' })).toBe('j-hn-@-g-123456789012');
    expect(renderSessionName('{user}', { user: 'a', grant: 'g' })).toBe('a-');
    const long = renderSessionName(undefined, { user: WORST_CASE_VARS.user, grant: 'hr-upload' });
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
});

describe('resolveGrant', () => {
  it('resolves the tutorial grant for john', () => {
    const r = resolveGrant(tutorialGrant, { user: 'john', account: '629470240201' });
    expect(r).toMatchObject({
      name: 'hr-upload',
      title: 'HR documents',
      contact: 'helpdesk@company1.example',
      roleArn: 'arn:aws:iam::629470240201:role/JohnUploadRole',
      durationSeconds: 3600,
      sessionName: 'john-hr-upload',
      mfa: false,
      region: 'us-east-1',
      bucket: 'company1-hr',
      prefix: '',
      permissions: ['list', 'read', 'upload'],
      maxFileSizeBytes: 5 * 2 ** 30,
      onConflict: 'ask',
      allowReplace: false,
    });
    expect(r.policyJson).toBe(JSON.stringify(r.policy));
    expect(r.policySize).toBe(r.policyJson.length);
    expect(r.policyJson).not.toMatch(/\s/);
  });

  it('onConflict: replace implies allowReplace; otherwise only an explicit allowReplace does', () => {
    const withUpload = (upload: Grant['spec']['upload']) => resolveGrant({ ...tutorialGrant, spec: { ...tutorialGrant.spec, upload } }, { user: 'john' });
    expect(withUpload({ onConflict: 'replace' }).allowReplace).toBe(true);
    expect(withUpload({ onConflict: 'ask', allowReplace: true }).allowReplace).toBe(true);
    expect(withUpload(undefined)).toMatchObject({ onConflict: 'ask', allowReplace: false });
    expect(withUpload(undefined).maxFileSizeBytes).toBeUndefined();
  });

  it('refuses a policy over the STS limit with its size', () => {
    const grant: Grant = { ...tutorialGrant, spec: { ...tutorialGrant.spec, target: { ...tutorialGrant.spec.target, prefix: '{user}/'.repeat(15) } } };
    expect(() => resolveGrant(grant, WORST_CASE_VARS)).toThrow(expect.objectContaining({ code: 'POLICY_TOO_LARGE', details: expect.objectContaining({ policySize: expect.any(Number) }) }));
    expect(resolveGrant(grant, { user: 'jo' }).policySize).toBeLessThan(2048);
  });
});
