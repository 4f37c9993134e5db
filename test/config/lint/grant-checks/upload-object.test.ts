import { loadGrants } from '../../../../config/loader';
import { buildSessionPolicy, resolveGrant } from '../../../../config/policy';
import { allowed, ALL_S3 } from '../../../helpers/iam-sim';

const KEY = 'arn:aws:kms:eu-central-1:629470240201:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function grant(upload: string, region = 'eu-central-1', role = 'arn:aws:iam::123456789012:role/Upload'): string {
  return `apiVersion: grantbox.dev/v1
kind: Grant
metadata:
  name: hr
  title: HR documents
spec:
  subjects: [arn:aws:iam::123456789012:user/anna]
  role:
    arn: ${role}
    duration: 1h
  target:
    region: ${region}
    bucket: company1-hr
    prefix: "in/{user}/"
  permissions: [upload]
  upload:
${upload}`;
}

const lint = (text: string) => loadGrants([{ path: 'hr.yaml', text }]).diagnostics.map((d) => `${d.line}:${d.col} ${d.severity} ${d.code} ${d.message}`);

describe('upload.encryption / metadata / tags lint', () => {
  it('accepts a KMS key of the bucket’s region and partition, AES256, and known templates', () => {
    expect(lint(grant(`    encryption: { type: aws:kms, keyId: "${KEY}", bucketKey: true }\n    metadata: { original-name: "{fileName}", by: "{user} via {grant}", at: "{mtime}" }\n    tags: { team: hr }\n`))).toEqual([]);
    expect(lint(grant('    encryption: { type: AES256 }\n'))).toEqual([]);
  });

  it('a key in another region or partition is an error at the key, with line and column', () => {
    expect(lint(grant(`    encryption: { type: aws:kms, keyId: "${KEY}" }\n`, 'us-east-1'))).toEqual([
      "17:41 error KMS_KEY_REGION_MISMATCH the key is in eu-central-1 but the bucket is in us-east-1; S3 encrypts only with a key of the bucket's own region",
    ]);
    expect(lint(grant(`    encryption: { type: aws:kms, keyId: "${KEY.replace('arn:aws:', 'arn:aws-cn:').replace('eu-central-1', 'cn-north-1')}" }\n`, 'cn-north-1', 'arn:aws:iam::123456789012:role/Upload'))).toContain(
      '17:41 error KMS_KEY_PARTITION_MISMATCH the key is in partition "aws-cn" but the role and bucket are in "aws"; S3 cannot use a key of another partition',
    );
  });

  it('refuses a key id that is not an ARN, unknown template variables and more than 10 tags', () => {
    expect(lint(grant('    encryption: { type: aws:kms, keyId: 1234abcd }\n')).join('\n')).toMatch(/expected a KMS key ARN/);
    expect(lint(grant('    metadata: { name: "{filename}" }\n'))).toEqual([
      '17:23 error INVALID_UPLOAD_TEMPLATE metadata.name "{filename}" unknown variable {filename} (did you mean {fileName}?); available: {user}, {grant}, {fileName}, {mtime}',
    ]);
    const tags = Array.from({ length: 11 }, (_, i) => `t${i}: v`).join(', ');
    expect(lint(grant(`    tags: { ${tags} }\n`))).toEqual(["17:11 error TOO_MANY_TAGS 11 tags; S3 keeps at most 10 per object"]);
  });
});

describe('the session policy of an encrypting, tagging grant', () => {
  const g = loadGrants([{ path: 'hr.yaml', text: grant(`    encryption: { type: aws:kms, keyId: "${KEY}", bucketKey: true }\n    tags: { team: hr, file: "{fileName}" }\n    metadata: { by: "{user}" }\n`) }]).grants[0]!.grant;
  const policy = buildSessionPolicy(g, { user: 'anna' });
  const obj = 'arn:aws:s3:::company1-hr/in/anna/a.pdf';
  const allowsS3 = (action: string, context: Record<string, string> = {}) => allowed({ action, resource: obj, context }, { identity: [ALL_S3], session: policy });

  it('lets writes through only with the grant’s encryption when they name one, and tags', async () => {
    expect(await allowsS3('s3:PutObject', { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY })).toBe(true);
    // UploadPart and CompleteMultipartUpload carry no encryption header.
    expect(await allowsS3('s3:PutObject')).toBe(true);
    expect(await allowsS3('s3:PutObject', { 's3:x-amz-server-side-encryption': 'AES256' })).toBe(false);
    expect(await allowsS3('s3:PutObject', { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY.replace('1234abcd', '9999abcd') })).toBe(false);
    expect(await allowsS3('s3:PutObjectTagging')).toBe(true);
    expect(await allowsS3('s3:AbortMultipartUpload')).toBe(true);
  });

  it('allows GenerateDataKey and Decrypt on that key only', async () => {
    const kmsAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
    // KMS needs the key policy too; this one delegates to IAM (the default key policy).
    const keyPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::629470240201:root' }, Action: 'kms:*', Resource: '*' }] };
    const kms = (action: string, resource: string) => allowed({ action, resource, context: {} }, { identity: [kmsAll], session: policy, resource: keyPolicy });
    expect(await kms('kms:GenerateDataKey', KEY)).toBe(true);
    expect(await kms('kms:Decrypt', KEY)).toBe(true);
    expect(await kms('kms:Decrypt', KEY.replace('1234abcd', '9999abcd'))).toBe(false);
    expect(await kms('kms:Encrypt', KEY)).toBe(false);
  });

  it('carries the encryption and the filled-in metadata and tags to the upload engine', () => {
    const r = resolveGrant(g, { user: 'anna' });
    expect(r.encryption).toEqual({ type: 'aws:kms', keyId: KEY, bucketKey: true });
    expect(r.metadata).toEqual({ by: 'anna' });
    expect(r.tags).toEqual({ team: 'hr', file: '{fileName}' });
  });
});
