// spec.upload.encryption / metadata / tags: a KMS key in the target's partition and region (S3 uses a key only in
// the bucket's own region, and a key of another partition does not exist for it: every upload would fail), known
// template variables in metadata and tag values, and S3's limit of 10 tags per object.
import { KMS_KEY_ARN_RE, UPLOAD_TEMPLATE_VARS } from '../../schema';
import { s3Partition } from '../../policy';
import { isRecord } from '../diagnostic';
import { rangeFor } from '../locate';
import { templateProblems } from './template';
import type { GrantCheck } from './types';

export const MAX_OBJECT_TAGS = 10;

export const checkUploadObject: GrantCheck = ({ ctx, doc, spec, grant }) => {
  const upload = isRecord(spec.upload) ? spec.upload : undefined;
  if (!upload) return;
  for (const field of ['metadata', 'tags'] as const) {
    const values = isRecord(upload[field]) ? upload[field] : undefined;
    for (const [name, value] of Object.entries(values ?? {})) {
      if (typeof value !== 'string') continue;
      const path = ['spec', 'upload', field, name];
      for (const p of templateProblems(value, UPLOAD_TEMPLATE_VARS, null)) ctx.add(rangeFor(doc, path), path, 'INVALID_UPLOAD_TEMPLATE', `${field}.${name} "${value}" ${p}`);
    }
    if (field === 'tags' && values && Object.keys(values).length > MAX_OBJECT_TAGS) {
      const path = ['spec', 'upload', 'tags'];
      ctx.add(rangeFor(doc, path), path, 'TOO_MANY_TAGS', `${Object.keys(values).length} tags; S3 keeps at most ${MAX_OBJECT_TAGS} per object`);
    }
  }
  const enc = grant?.spec.upload?.encryption;
  if (!grant || enc?.type !== 'aws:kms') return;
  const m = KMS_KEY_ARN_RE.exec(enc.keyId);
  if (!m) return;
  const path = ['spec', 'upload', 'encryption', 'keyId'];
  const [, partition, region] = m;
  const expected = s3Partition(grant.spec.role.arn);
  if (partition !== expected) {
    ctx.add(rangeFor(doc, path), path, 'KMS_KEY_PARTITION_MISMATCH', `the key is in partition "${partition}" but the role and bucket are in "${expected}"; S3 cannot use a key of another partition`);
  }
  if (region !== grant.spec.target.region) {
    ctx.add(rangeFor(doc, path), path, 'KMS_KEY_REGION_MISMATCH', `the key is in ${region ?? '?'} but the bucket is in ${grant.spec.target.region}; S3 encrypts only with a key of the bucket's own region`);
  }
};
