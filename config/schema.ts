// The declarative shapes Grantbox reads from YAML: grants (admins' git repo) and settings (one per machine).
// These zod schemas are the single source of truth: TypeScript types come from z.infer, the editor JSON Schema
// is generated from them (scripts/gen-schema.mjs), and the loader maps their issues to file:line:col diagnostics.
// No electron, no node:* here: the renderer may import the types.
import { z } from 'zod';
import { COMPANY_SUBJECT_RE, PRINCIPAL_ARN_RE, ROLE_ARN_RE, SUBJECT_RE } from './arn';

export const API_VERSION = 'grantbox.dev/v1';

/** STS's limit on the inline session policy, counted on the minified JSON. */
export const SESSION_POLICY_MAX_CHARS = 2048;

// ---------- small value parsers shared by schema and services ----------

const DURATION_RE = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
/** The shape of a duration, for the JSON Schema (editors flag "1 hour" as you type); the range is checked by the loader. */
export const DURATION_PATTERN = /^(?=\d)(?:\d+h)?(?:\d+m)?(?:\d+s)?$/;

/** Go-style duration ("1h", "90m", "1h30m", "45s") → seconds, or null when malformed. */
export function parseDuration(text: string): number | null {
  const m = DURATION_RE.exec(text.trim());
  if (!m || text.trim() === '' || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

export const MIN_SESSION_SECONDS = 15 * 60;
export const MAX_SESSION_SECONDS = 12 * 3600;

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/;
const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

/** "5GiB", "100MB", "1024" → bytes, or null when malformed. */
export function parseSize(text: string | number): number | null {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 0 ? text : null;
  const m = SIZE_RE.exec(text.trim());
  if (!m) return null;
  const bytes = Math.floor(Number(m[1]) * (SIZE_UNITS[m[2] ?? 'B'] ?? 1));
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** S3's largest single object. */
export const S3_MAX_OBJECT_BYTES = 5 * 2 ** 40;

// ---------- ARNs and names ----------

// ROLE_ARN_RE / PRINCIPAL_ARN_RE live in ./arn (zod-free, so the renderer can use them too).
export { ROLE_ARN_RE, PRINCIPAL_ARN_RE, COMPANY_SUBJECT_RE, SUBJECT_RE };
export const BUCKET_RE = /^(?!xn--)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
export const GRANT_NAME_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])$/;
export const REGION_RE = /^[a-z]{2}(?:-[a-z0-9]+)+-\d+$|^[a-z0-9][a-z0-9-]{0,31}$/;
/** Variables a session-name template and a prefix may use. */
export const TEMPLATE_VARS = ['user', 'grant', 'account'] as const;

// ---------- IAM policy document (for a raw `sessionPolicy`) ----------

const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const PolicyStatementSchema = z
  .strictObject({
    Sid: z.string().regex(/^[A-Za-z0-9]*$/, 'Sid may contain only letters and digits').optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Action: stringOrList.optional(),
    NotAction: stringOrList.optional(),
    Resource: stringOrList.optional(),
    NotResource: stringOrList.optional(),
    Condition: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string()), z.boolean(), z.number()]))).optional(),
  })
  .refine((s) => (s.Action === undefined) !== (s.NotAction === undefined), {
    message: 'a statement needs exactly one of Action or NotAction',
  })
  .refine((s) => (s.Resource === undefined) !== (s.NotResource === undefined), {
    message: 'a statement needs exactly one of Resource or NotResource',
  });

export const PolicyDocumentSchema = z.strictObject({
  Version: z.literal('2012-10-17'),
  Id: z.string().optional(),
  Statement: z.union([PolicyStatementSchema, z.array(PolicyStatementSchema).min(1)]),
});
export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;
export type PolicyStatement = z.infer<typeof PolicyStatementSchema>;

// ---------- Grant ----------

export const PERMISSIONS = ['list', 'read', 'upload'] as const;
export type Permission = (typeof PERMISSIONS)[number];
export const ON_CONFLICT = ['ask', 'skip', 'rename', 'replace'] as const;
export type OnConflict = (typeof ON_CONFLICT)[number];

/** Templates upload metadata and tag values may use. */
export const UPLOAD_TEMPLATE_VARS = ['user', 'grant', 'fileName', 'mtime'] as const;
/** x-amz-meta-* names: S3 lower-cases them anyway; kept to what every HTTP stack passes through unchanged. */
export const METADATA_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** A KMS key ARN (key id or alias): arn:PARTITION:kms:REGION:ACCOUNT:key/ID or alias/NAME. */
export const KMS_KEY_ARN_RE = /^arn:([a-z][a-z0-9-]*):kms:([a-z0-9-]+):(\d{12}):(?:key\/[\w-]+|alias\/[\w/+=,.@-]+)$/;

export const EncryptionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('aws:kms'),
    keyId: z.string().regex(KMS_KEY_ARN_RE, 'expected a KMS key ARN, e.g. arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    bucketKey: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('AES256') }),
]);
export type Encryption = z.infer<typeof EncryptionSchema>;

export const GrantSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Grant'),
  metadata: z.strictObject({
    name: z
      .string()
      .regex(GRANT_NAME_RE, 'a grant name is 2–63 lowercase letters, digits or "-", not starting or ending with "-"')
      .describe('Unique across all grant files; 2–63 lowercase letters, digits or "-".'),
    title: z.string().min(1).max(80).describe('What staff see, e.g. "HR documents".'),
    description: z.string().max(2000).optional().describe('One or two sentences shown under the title.'),
    contact: z.string().min(1).max(200).optional().describe('Who to ask when something goes wrong; shown in error messages.'),
  }),
  spec: z.strictObject({
    subjects: z
      .array(z.string().regex(SUBJECT_RE, 'expected an IAM user or role ARN (e.g. arn:aws:iam::123456789012:user/john), user:NAME or group:NAME'))
      .min(1)
      .describe('Who may use this grant: IAM user or role ARNs, and with company sign-in user:NAME (the user claim) or group:NAME (the groups claim).'),
    role: z.strictObject({
      arn: z.string().regex(ROLE_ARN_RE, 'expected an IAM role ARN, e.g. arn:aws:iam::123456789012:role/UploadRole').describe('The IAM role to assume; its trust policy must allow the subjects.'),
      duration: z.string().regex(DURATION_PATTERN, 'expected a duration such as 1h, 90m or 1h30m').describe('Session length, 15m..12h, e.g. 1h or 1h30m.'),
      sessionName: z.string().optional().describe('RoleSessionName template; may use {user}, {grant}, {account}. Default "{user}-{grant}".'),
      externalId: z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'externalId is 2–1224 characters of letters, digits and +=,.@:/-').optional(),
      mfa: z.boolean().optional(),
    }),
    target: z.strictObject({
      region: z.string().regex(REGION_RE, 'expected an AWS region such as us-east-1'),
      bucket: z.string().regex(BUCKET_RE, 'expected an S3 bucket name: 3–63 lowercase letters, digits, "." or "-"'),
      prefix: z.string().optional().describe('Key prefix (folder) the grant is limited to, e.g. "inbox/{user}/". No * or ?.'),
    }),
    permissions: z.array(z.enum(PERMISSIONS)).min(1).optional().describe('Any of list, read, upload; generates a least-privilege session policy. Not with sessionPolicy.'),
    sessionPolicy: PolicyDocumentSchema.optional().describe('A raw IAM session policy instead of permissions (minified size at most 2048 characters).'),
    upload: z
      .strictObject({
        maxFileSize: z.union([z.string(), z.number()]).optional().describe('Largest file staff may upload, e.g. 500MB or 5GiB.'),
        onConflict: z.enum(ON_CONFLICT).optional().describe('When a file already exists: ask (default), skip, rename or replace.'),
        /** Whether staff may choose "replace" when a file already exists (implied by onConflict: replace). */
        allowReplace: z.boolean().optional(),
        encryption: EncryptionSchema.optional().describe('Server-side encryption every upload asks for: { type: aws:kms, keyId: KEY_ARN, bucketKey: true } or { type: AES256 }.'),
        metadata: z
          .record(z.string().regex(METADATA_NAME_RE, 'a metadata name is 1–64 lowercase letters, digits, "-" or "_"'), z.string().max(1024))
          .optional()
          .describe('x-amz-meta-* values on every upload; may use {user}, {grant}, {fileName} (the original name) and {mtime} (the file\'s modification time, ISO 8601).'),
        tags: z
          .record(z.string().min(1).max(128), z.string().max(256))
          .optional()
          .describe('Object tags on every upload (at most 10); values may use the same templates as metadata.'),
      })
      .optional(),
  }),
});
/** A grant exactly as written in YAML (after validation). */
export type Grant = z.infer<typeof GrantSchema>;

// ---------- Settings ----------

export const DirectorySourceSchema = z.strictObject({
  source: z.literal('directory'),
  /** Relative paths resolve against the settings file's folder. */
  path: z.string().min(1),
  /** Watch the folder and reload on change (default true). */
  watch: z.boolean().optional(),
});

export const GitSourceSchema = z.strictObject({
  source: z.literal('git'),
  /** https URL of the grants repository. */
  url: z.string().url(),
  branch: z.string().min(1).optional(),
  /** Folder inside the repository that holds the grants (default: the root). */
  path: z.string().optional(),
  /** Minutes between fetches (default 15; 0 = only at start and on demand). */
  intervalMinutes: z.number().int().min(0).max(1440).optional(),
  /** When true, a token for the remote is kept in the OS keychain (set with `grantbox grants token`). */
  token: z.boolean().optional(),
  /** Require each revision's commit to be signed by one of these keys (OpenPGP armored public keys or paths). */
  signedBy: z.array(z.string().min(1)).optional(),
});

// ---------- Sign-in ----------

export const SIGN_IN_METHODS = ['oidc', 'identityCenter', 'accessKey'] as const;
export type SignInMethodKind = (typeof SIGN_IN_METHODS)[number];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why an issuer URL may not be used, or null when it may: https everywhere, plain http only on this computer
 * (http://127.0.0.1:PORT/any/path, which the sandbox and the tests use). No query or fragment (OIDC Discovery §4).
 */
export function issuerProblem(issuer: string): string | null {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'expected a URL such as https://login.company1.example/realms/staff';
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) return 'the issuer must start with https:// (plain http:// is allowed only for 127.0.0.1 on this computer)';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'the issuer must start with https://';
  if (url.search || url.hash) return 'the issuer has no ?query or #fragment';
  if (url.username || url.password) return 'the issuer must not contain a user name or password';
  return null;
}

const CLAIM_NAME_RE = /^[\w:./-]{1,128}$/;
// OAuth scope-token characters (RFC 6749 §3.3): printable ASCII except space, " and \.
const SCOPE_RE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export const OidcSignInSchema = z.strictObject({
  method: z.literal('oidc'),
  issuer: z
    .string()
    .superRefine((v, ctx) => {
      const problem = issuerProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe('The OpenID Provider; discovery is read from ISSUER/.well-known/openid-configuration. https, except http://127.0.0.1:PORT/… for local tests.'),
  clientId: z.string().min(1).max(512).describe('The public client registered for Grantbox (PKCE, no client secret).'),
  scopes: z
    .array(z.string().regex(SCOPE_RE, 'a scope is one word without spaces or quotes'))
    .min(1)
    .refine((s) => s.includes('openid'), { message: 'scopes must include openid' })
    .optional()
    .describe('Default [openid, profile, email, offline_access].'),
  userClaim: z.string().regex(CLAIM_NAME_RE, 'expected a claim name such as email').optional().describe('ID-token claim that names the person; default preferred_username, then email, then sub.'),
  groupsClaim: z.string().regex(CLAIM_NAME_RE, 'expected a claim name such as groups').optional().describe('ID-token claim listing the person\'s groups (for group: subjects).'),
  name: z.string().min(1).max(40).optional().describe('Shown on the sign-in button ("Sign in with NAME").'),
});

export const IdentityCenterSignInSchema = z.strictObject({
  method: z.literal('identityCenter'),
  startUrl: z.string().url().refine((v) => v.startsWith('https://'), { message: 'the start URL must start with https://' }).describe('The AWS access portal URL, e.g. https://d-1234567890.awsapps.com/start.'),
  region: z.string().regex(REGION_RE, 'expected an AWS region such as eu-west-1').describe('The region of the Identity Center instance.'),
  accountId: z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits').describe('Account of the permission set\'s role.'),
  roleName: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'expected a permission set (role) name').describe('Permission set name, as shown in the access portal.'),
  name: z.string().min(1).max(40).optional().describe('Shown on the sign-in button ("Sign in with NAME").'),
});

export const AccessKeySignInSchema = z.strictObject({
  method: z.literal('accessKey'),
});

export const SignInSettingsSchema = z
  .discriminatedUnion('method', [OidcSignInSchema, IdentityCenterSignInSchema, AccessKeySignInSchema])
  .describe('How people sign in: oidc, identityCenter or accessKey. Without this section: accessKey.');
export type SignInSettings = z.infer<typeof SignInSettingsSchema>;
export type OidcSignInSettings = z.infer<typeof OidcSignInSchema>;
export type IdentityCenterSignInSettings = z.infer<typeof IdentityCenterSignInSchema>;

/** The sign-in settings in effect: the section as written, or access keys when there is none. */
export function signInSettingsOf(settings: { signIn?: SignInSettings }): SignInSettings {
  return settings.signIn ?? { method: 'accessKey' };
}

export const NetworkSettingsSchema = z.strictObject({
  /** Proxy for every request (AWS, sign-in, git, setup links), e.g. http://proxy.corp:8080. Wins over HTTPS_PROXY/HTTP_PROXY. */
  proxy: z.string().regex(/^https?:\/\/[^\s/]+\/?$/i, 'expected a proxy URL such as http://proxy.example.com:8080 (PAC files: use the system proxy settings)').optional(),
  /** Hosts that bypass the proxy (added to NO_PROXY), e.g. [".corp.example.com", "10.1.2.3"]. */
  noProxy: z.array(z.string().min(1)).optional(),
  /** A PEM file of extra certificate authorities to trust (added to the built-in ones, never replacing them). */
  caBundle: z.string().min(1).optional(),
});
export type NetworkSettings = z.infer<typeof NetworkSettingsSchema>;

export const UpdatesSettingsSchema = z.union([
  z.literal(false),
  z.strictObject({
    /** The generic update feed (a folder holding latest.yml, latest-mac.yml, latest-linux.yml and the installers). */
    url: z.string().url(),
    /** Release channel: latest (default), beta, … (the feed file is CHANNEL.yml / CHANNEL-mac.yml / CHANNEL-linux.yml). */
    channel: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a channel is a short lowercase name such as latest or beta').optional(),
  }),
]);
export type UpdatesSettings = z.infer<typeof UpdatesSettingsSchema>;

export const SettingsSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Settings'),
  grants: z.discriminatedUnion('source', [DirectorySourceSchema, GitSourceSchema]),
  aws: z
    .strictObject({
      region: z.string().regex(REGION_RE, 'expected an AWS region such as us-east-1'),
      /** One endpoint for STS and S3 (S3-compatible or local). */
      endpoint: z.string().url().optional(),
      /** STS only (e.g. a VPC endpoint); wins over `endpoint`. Default: the regional sts.REGION.amazonaws.com. */
      stsEndpoint: z.string().url().optional(),
      /** S3 only (e.g. a VPC endpoint or an S3-compatible store); wins over `endpoint`. */
      s3Endpoint: z.string().url().optional(),
      /** Use AWS's FIPS 140 endpoints (regions that have them). */
      useFipsEndpoint: z.boolean().optional(),
      forcePathStyle: z.boolean().optional(),
    })
    .optional(),
  network: NetworkSettingsSchema.optional(),
  updates: UpdatesSettingsSchema.optional(),
  uploads: z
    .strictObject({
      /** Large (multipart) files uploaded at once (default 4). */
      concurrency: z.number().int().min(1).max(32).optional(),
      /** Fixed parts in flight per multipart file; setting it turns adaptive concurrency off (default: adaptive). */
      partConcurrency: z.number().int().min(1).max(32).optional(),
      /** Adaptive concurrency's ceiling: upload requests in flight at most (default 64). */
      maxConcurrency: z.number().int().min(1).max(256).optional(),
    })
    .optional(),
  signIn: SignInSettingsSchema.optional(),
  log: z
    .strictObject({
      /** Keep session-log records this many days (default 30). */
      maxAgeDays: z.number().int().min(1).max(3650).optional(),
      /** Rotate the session log at this size (default 10MiB). */
      maxSize: z.union([z.string(), z.number()]).optional(),
    })
    .optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;
/** A person's settings file: as Settings, but `grants` may come from the managed (IT) file instead. */
export const PersonalSettingsSchema = SettingsSchema.extend({ grants: SettingsSchema.shape.grants.optional() });
export type PersonalSettings = z.infer<typeof PersonalSettingsSchema>;

/**
 * The machine-wide file IT places with MDM/GPO: any settings sections (each replaces the person's section whole
 * and locks it), plus rules only IT may set.
 */
export const ManagedSettingsSchema = SettingsSchema.partial()
  .required({ apiVersion: true, kind: true })
  .extend({
    /** false: grantbox://setup links are refused on this computer. */
    setupLinks: z.boolean().optional(),
    /** false: the person's own settings file is ignored entirely. */
    allowUserSettings: z.boolean().optional(),
  });
export type ManagedSettings = z.infer<typeof ManagedSettingsSchema>;

/** Top-level settings sections (what managed settings can set and lock). */
export const SETTINGS_SECTIONS = Object.keys(SettingsSchema.shape).filter((k) => k !== 'apiVersion' && k !== 'kind') as Array<Exclude<keyof Settings, 'apiVersion' | 'kind'>>;
