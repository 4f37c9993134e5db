// Session-policy generation and grant resolution: turns a validated Grant plus the signed-in user into exactly what
// is sent to STS (role, duration, session name, the minified inline policy). Pure: no fs, no node:*, so the
// loader (lint-time size checks), the session manager and the CLI's `grants show` all compute the same bytes.
import { AppError } from '../main/services/errors';
import {
  MAX_SESSION_SECONDS,
  MIN_SESSION_SECONDS,
  SESSION_POLICY_MAX_CHARS,
  parseDuration,
  parseSize,
  type Encryption,
  type Grant,
  type OnConflict,
  type Permission,
  type PolicyDocument,
  type PolicyStatement,
} from './schema';

export interface TemplateVars {
  user: string;
  account?: string;
}

export interface ResolvedGrant {
  name: string;
  title: string;
  description?: string;
  contact?: string;
  subjects: string[];
  roleArn: string;
  durationSeconds: number;
  sessionName: string;
  externalId?: string;
  mfa: boolean;
  region: string;
  bucket: string;
  /** {user} (and {account}, {grant}) filled in. */
  prefix: string;
  /** [] when the grant carries a raw sessionPolicy. */
  permissions: Permission[];
  policy: PolicyDocument;
  /** Minified: exactly what is sent to STS as `Policy`. */
  policyJson: string;
  policySize: number;
  maxFileSizeBytes?: number;
  onConflict: OnConflict;
  allowReplace: boolean;
  /** Server-side encryption every upload asks for. */
  encryption?: Encryption;
  /** x-amz-meta-* values with {user} and {grant} filled in; {fileName} and {mtime} are filled per file. */
  metadata?: Record<string, string>;
  /** Object tags, templated like metadata. */
  tags?: Record<string, string>;
}

export const DEFAULT_SESSION_NAME = '{user}-{grant}';

/** What an IAM user / role session name may contain; anything else in a user name could widen a prefix. */
export const USER_NAME_RE = /^[\w+=,.@-]{1,64}$/;

/**
 * Lint-time stand-ins for values only known at assume time: the longest IAM user name (64 characters) and a
 * 12-digit account, so a grant that lints clean cannot exceed STS's policy limit for any real user.
 */
export const WORST_CASE_VARS: Required<TemplateVars> = { user: 'u'.repeat(64), account: '123456789012' };

const TEMPLATE_TOKEN_RE = /\{([^{}]*)\}/g;

/** Fills {user}, {grant} and {account}; unknown or unavailable variables are left for the caller to judge. */
export function fillTemplate(template: string, vars: TemplateVars & { grant: string }): string {
  return template.replace(TEMPLATE_TOKEN_RE, (whole, name: string) => {
    if (name === 'user') return vars.user;
    if (name === 'grant') return vars.grant;
    if (name === 'account' && vars.account !== undefined) return vars.account;
    return whole;
  });
}

/**
 * The RoleSessionName for STS: the template (default "{user}-{grant}") filled in, then any character STS refuses
 * replaced by "-", cut to 64 and padded to the 2-character minimum. It shows up in CloudTrail, so it stays readable.
 */
export function renderSessionName(template: string | undefined, vars: TemplateVars & { grant: string }): string {
  const filled = fillTemplate(template ?? DEFAULT_SESSION_NAME, { ...vars, account: vars.account ?? '' });
  const clean = filled.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return clean.length >= 2 ? clean : clean.padEnd(2, '-');
}

const KNOWN_PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc']);

/** The ARN partition for S3 resources: the role's (aws-cn, aws-us-gov…), or "aws" for S3-compatible stores. */
export function s3Partition(roleArn: string): string {
  const partition = roleArn.split(':')[1] ?? 'aws';
  return KNOWN_PARTITIONS.has(partition) ? partition : 'aws';
}

/**
 * Text as STS and IAM accept it in a policy: they take only U+0020–U+00FF plus tab, LF and CR, so every character
 * above U+00FF is written as a JSON \\uXXXX escape (a character outside the BMP as its two surrogate escapes). The
 * result parses to the same document; sizes are counted on this text, which is what AWS counts.
 */
export function policyText(policy: unknown, indent?: number): string {
  return JSON.stringify(policy, null, indent).replace(/[\u0100-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Unicode normalisation for key prefixes: upload keys are NFC (main/services/uploads/naming.ts), so a prefix typed
 * decomposed (macOS file names, some editors) must become NFC too, or the policy and the listing would name a
 * different folder than the keys. Applied once, where a prefix is read (the loader) and where it is filled in.
 */
export function normalizePrefix(prefix: string): string {
  return prefix.normalize('NFC');
}

/**
 * The account {account} stands for when `user` signs in: sessions fill it with the signed-in identity's account,
 * which is the account of the subject ARN naming that user (for a cross-account role, not the role's account).
 * Without such a subject: the subjects' one account, or undefined when they span several.
 */
export function subjectAccount(grant: Grant, user: string): string | undefined {
  const arns = grant.spec.subjects.filter((s) => s.startsWith('arn:'));
  const named = arns.find((s) => /:(?:user|role)\//.test(s) && s.split('/').pop() === user);
  const account = named?.split(':')[4];
  if (account) return account;
  const accounts = new Set(arns.map((s) => s.split(':')[4]).filter((a): a is string => Boolean(a)));
  return accounts.size === 1 ? [...accounts][0] : undefined;
}

/** The grant's key prefix with variables filled in; throws when a variable is unknown or cannot be filled. */
export function resolvePrefix(grant: Grant, vars: TemplateVars): string {
  checkUser(vars.user);
  const prefix = normalizePrefix(fillTemplate(grant.spec.target.prefix ?? '', { ...vars, grant: grant.metadata.name }));
  if (/[{}*?]|\$\{/.test(prefix)) {
    throw new AppError('GRANT_PREFIX_UNRESOLVED', `The grant "${grant.metadata.name}" has a folder prefix Grantbox cannot fill in safely.`, {
      details: { hint: 'Ask the person who manages grants to run `grantbox grants lint`; the prefix may use only {user}, {account} and {grant}.', prefix },
    });
  }
  return prefix;
}

function checkUser(user: string): void {
  // A user name is spliced into policy resources; "*" or "?" there would widen access, so refuse rather than escape.
  if (!USER_NAME_RE.test(user)) {
    throw new AppError('INVALID_USER_NAME', 'Your AWS user name contains characters Grantbox cannot use in a grant.', {
      details: { hint: 'AWS user names are 1–64 letters, digits and +=,.@_- characters. Ask your helpdesk to check the signed-in identity.' },
    });
  }
}

/**
 * The least-privilege session policy for a grant: `list` → s3:ListBucket on the bucket (limited by an s3:prefix
 * condition when a prefix is set), `read` → s3:GetObject, `upload` → s3:PutObject plus the two multipart actions an
 * interrupted upload needs, all on bucket/prefix*. A raw `sessionPolicy` is returned as written.
 */
export function buildSessionPolicy(grant: Grant, vars: TemplateVars): PolicyDocument {
  if (grant.spec.sessionPolicy) return structuredClone(grant.spec.sessionPolicy);
  const prefix = resolvePrefix(grant, vars);
  const permissions = new Set(grant.spec.permissions ?? []);
  const bucketArn = `arn:${s3Partition(grant.spec.role.arn)}:s3:::${grant.spec.target.bucket}`;
  const statements: PolicyStatement[] = [];
  if (permissions.has('list')) {
    statements.push({
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn,
      ...(prefix ? { Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } } } : {}),
    });
  }
  const objectArn = `${bucketArn}/${prefix}*`;
  const upload = grant.spec.upload;
  const encryption = permissions.has('upload') ? upload?.encryption : undefined;
  const objectActions: string[] = [];
  if (permissions.has('read')) objectActions.push('s3:GetObject');
  if (permissions.has('upload')) {
    if (encryption) {
      // UploadPart and CompleteMultipartUpload are authorised as s3:PutObject but carry no encryption header, so the
      // condition holds the header to the grant's value when it is sent (IfExists) instead of requiring it.
      statements.push({
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: objectArn,
        Condition: {
          StringEqualsIfExists: {
            's3:x-amz-server-side-encryption': encryption.type,
            ...(encryption.type === 'aws:kms' ? { 's3:x-amz-server-side-encryption-aws-kms-key-id': encryption.keyId } : {}),
          },
        },
      });
    } else objectActions.push('s3:PutObject');
    objectActions.push('s3:AbortMultipartUpload', 's3:ListMultipartUploadParts');
    if (upload?.tags && Object.keys(upload.tags).length > 0) objectActions.push('s3:PutObjectTagging');
  }
  if (objectActions.length > 0) {
    statements.push({ Effect: 'Allow', Action: objectActions, Resource: objectArn });
  }
  if (encryption?.type === 'aws:kms') {
    // SSE-KMS: S3 asks KMS for a data key as the uploader (GenerateDataKey) and decrypts it again to assemble a
    // multipart upload (Decrypt); only on the grant's key.
    statements.push({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: encryption.keyId });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** Everything the session manager and the UI need about a grant for one user, including the exact STS policy. */
export function resolveGrant(grant: Grant, vars: TemplateVars): ResolvedGrant {
  const { metadata, spec } = grant;
  const durationSeconds = parseDuration(spec.role.duration);
  if (durationSeconds === null || durationSeconds < MIN_SESSION_SECONDS || durationSeconds > MAX_SESSION_SECONDS) {
    throw new AppError('GRANT_INVALID', `The grant "${metadata.name}" has a session length AWS does not accept (${spec.role.duration}).`, {
      details: { hint: 'Ask the person who manages grants to run `grantbox grants lint`.', ...(metadata.contact ? { contact: metadata.contact } : {}) },
    });
  }
  const prefix = resolvePrefix(grant, vars);
  const policy = buildSessionPolicy(grant, vars);
  const policyJson = policyText(policy);
  if (policyJson.length > SESSION_POLICY_MAX_CHARS) {
    throw new AppError(
      'POLICY_TOO_LARGE',
      `The grant "${metadata.name}" produces a session policy of ${policyJson.length} characters; AWS accepts at most ${SESSION_POLICY_MAX_CHARS}.`,
      { details: { hint: 'Ask the person who manages grants to shorten the prefix or the sessionPolicy.', policySize: policyJson.length } },
    );
  }
  const onConflict = spec.upload?.onConflict ?? 'ask';
  const maxFileSizeBytes = spec.upload?.maxFileSize === undefined ? undefined : (parseSize(spec.upload.maxFileSize) ?? undefined);
  return {
    name: metadata.name,
    title: metadata.title,
    ...(metadata.description !== undefined ? { description: metadata.description } : {}),
    ...(metadata.contact !== undefined ? { contact: metadata.contact } : {}),
    subjects: [...spec.subjects],
    roleArn: spec.role.arn,
    durationSeconds,
    sessionName: renderSessionName(spec.role.sessionName, { ...vars, grant: metadata.name }),
    ...(spec.role.externalId !== undefined ? { externalId: spec.role.externalId } : {}),
    mfa: spec.role.mfa ?? false,
    region: spec.target.region,
    bucket: spec.target.bucket,
    prefix,
    permissions: spec.sessionPolicy ? [] : [...new Set(spec.permissions ?? [])],
    policy,
    policyJson,
    policySize: policyJson.length,
    ...(maxFileSizeBytes !== undefined ? { maxFileSizeBytes } : {}),
    onConflict,
    // "replace" as the default implies the admin allows it; otherwise only an explicit allowReplace does.
    allowReplace: spec.upload?.allowReplace ?? onConflict === 'replace',
    ...(spec.upload?.encryption ? { encryption: { ...spec.upload.encryption } } : {}),
    ...(spec.upload?.metadata ? { metadata: fillValues(spec.upload.metadata, { ...vars, grant: metadata.name }) } : {}),
    ...(spec.upload?.tags ? { tags: fillValues(spec.upload.tags, { ...vars, grant: metadata.name }) } : {}),
  };
}

function fillValues(values: Record<string, string>, vars: TemplateVars & { grant: string }): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, fillTemplate(v, vars)]));
}
