// The IAM ARN shapes grants name (role to assume, principals allowed), with no zod and nothing else imported, so
// the renderer can check a typed ARN with the very same rule as the settings loader and the IPC schemas without
// bundling zod and the whole settings schema. config/schema.ts re-exports both.

const PARTITION = '[a-z][a-z0-9-]*';
// The account may be empty: some S3-compatible services (MinIO, Ceph) use role ARNs like arn:minio:iam:::role/x.
export const ROLE_ARN_RE = new RegExp(`^arn:${PARTITION}:iam::(\\d{12})?:role/(?:[\\x21-\\x7e]+/)?[\\w+=,.@-]{1,64}$`);
/**
 * A company identity (signIn: oidc or identityCenter): `user:NAME` matched against the user claim, `group:NAME`
 * against the groups claim. The name is 1–256 printable characters, inner spaces allowed ("group:HR Staff").
 */
export const COMPANY_SUBJECT_RE = /^(?:user|group):[^\s\p{Cc}](?:[^\p{Cc}]{0,254}[^\s\p{Cc}])?$/u;
export const PRINCIPAL_ARN_RE = new RegExp(
  `^arn:${PARTITION}:(?:iam::(?:\\d{12})?:(?:user|role)/(?:[\\x21-\\x7e]+/)?[\\w+=,.@-]{1,64}|sts::(?:\\d{12})?:assumed-role/[\\w+=,.@-]{1,64}/[\\w+=,.@-]{2,64}|iam::(?:\\d{12})?:root)$`,
);

/** What `spec.subjects` may hold: an IAM user or role ARN, or a company `user:NAME` / `group:NAME`. */
export const SUBJECT_RE = new RegExp(`${PRINCIPAL_ARN_RE.source}|${COMPANY_SUBJECT_RE.source}`, 'u');
