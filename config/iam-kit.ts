// The IAM kit: what an admin puts on a grant's role so that the grant holds even when someone assumes the role
// without Grantbox (and so without the session policy). From the same reviewed grants as the session policy:
// the trust policy (who may assume, with the person's name bound by AWS), the permission policy (only the grants'
// actions, per-person folders written with IAM policy variables, no overwrite where the grant says so, never a
// delete), the notes on what IAM cannot express, and the findings when grants sharing a role reach each other.
// Pure (no fs, no node:*): the CLI (`grants iam`, `grants init`), lint and the tests share it.
// One concept over 400 lines: trust policy, permission policy and notes are derived together, from one reading of
// the grants that share a role, so they cannot disagree.
import { AppError } from '../main/services/errors';
import { fillTemplate, normalizePrefix, policyText, s3Partition } from './policy';
import type { Grant, PolicyStatement } from './schema';

/** The signed-in company identity's IdP (settings' signIn, method oidc), as the trust policy needs it. */
export interface CompanySignIn {
  /** https issuer URL; the IAM OIDC provider is named by its host and path. */
  issuer: string;
  /** The OAuth client id, which is the ID token's `aud`. */
  clientId: string;
}

/** Session tags the IdP puts in the ID token (claim https://aws.amazon.com/tags, principal_tags). */
export const USER_TAG = 'grantbox-user';
/** The person's groups, joined as ":a:b:" so a group is matched with StringLike "*:NAME:*". */
export const GROUPS_TAG = 'grantbox-groups';

export const SOURCE_IDENTITY_VAR = '${aws:SourceIdentity}';
/** What an AWS session tag value may hold. */
const TAG_VALUE_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
export const USER_TAG_VAR = `\${aws:PrincipalTag/${USER_TAG}}`;
/** The inline policy name the kit's permission policy is put under. */
export const KIT_POLICY_NAME = 'GrantboxKit';
/** IAM's limit on a role's inline policies (all together), counted like the session policy, without whitespace. */
export const ROLE_INLINE_POLICY_MAX_CHARS = 10_240;

export interface IamPolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}
export interface IamPolicy {
  Version: '2012-10-17';
  Statement: IamPolicyStatement[];
}

export interface IamKit {
  /** The role ARN the policies are for. */
  role: string;
  /** The role's trust policy (AssumeRolePolicyDocument). */
  trustPolicy: IamPolicy;
  /** The role's permission policy: put it as the inline policy GrantboxKit and remove broader ones. */
  permissionPolicy: IamPolicy;
  /** What the admin must know: what AWS enforces, what it cannot, and what only Grantbox does. */
  notes: string[];
  /** The grants the kit covers (all grants naming this role). */
  grants: string[];
}

export type SubjectKind = 'iam-user' | 'iam-role' | 'company-user' | 'company-group';

export interface Subject {
  raw: string;
  kind: SubjectKind;
  /** The name people know: the IAM user or role name, the company user or group. */
  name: string;
  partition?: string;
  account?: string;
}

/** What kind of identity a grant subject names: an IAM ARN, or user:NAME / group:NAME for company sign-in. */
export function parseSubject(raw: string): Subject {
  if (raw.startsWith('user:')) return { raw, kind: 'company-user', name: raw.slice(5) };
  if (raw.startsWith('group:')) return { raw, kind: 'company-group', name: raw.slice(6) };
  const [, partition, service, , account, ...rest] = raw.split(':');
  const resource = rest.join(':');
  const base = { raw, ...(partition ? { partition } : {}), ...(account ? { account } : {}) };
  if (service === 'iam' && resource.startsWith('user/')) return { ...base, kind: 'iam-user', name: resource.split('/').pop() ?? resource };
  if (service === 'sts' && resource.startsWith('assumed-role/')) return { ...base, kind: 'iam-role', name: resource.split('/').slice(1).join('/') };
  if (resource === 'root') return { ...base, kind: 'iam-role', name: `account ${account ?? ''}`.trim() };
  return { ...base, kind: 'iam-role', name: resource.split('/').pop() ?? resource };
}

const isCompany = (s: Subject) => s.kind === 'company-user' || s.kind === 'company-group';

function roleParts(roleArn: string): { partition: string; account: string; name: string } {
  const parts = roleArn.split(':');
  return { partition: s3Partition(roleArn), account: parts[4] ?? '', name: (parts.slice(5).join(':').split('/').pop() ?? '').trim() };
}

/** "hr-upload" → "HrUpload" (a Sid takes letters and digits only). */
function sidPart(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** The IAM OIDC provider's name: the issuer URL without scheme and trailing slash (what IAM calls its URL). */
export function oidcProviderPath(issuer: string): string {
  return issuer.replace(/^https?:\/\//i, '').replace(/\/+$/, '');
}

/** The grant's prefix with {user} as an IAM policy variable and {grant}/{account} filled in. */
function prefixWith(grant: Grant, userVar: string, account: string): string {
  return normalizePrefix(fillTemplate(grant.spec.target.prefix ?? '', { user: userVar, grant: grant.metadata.name, account }));
}

const uses = (grant: Grant, v: string) => (grant.spec.target.prefix ?? '').includes(`{${v}}`);

/** The account {account} means for a grant's sessions: the signed-in person's, so the subjects' (one account). */
function accountsOf(grant: Grant): string[] {
  const roleAccount = roleParts(grant.spec.role.arn).account;
  const accounts = new Set(grant.spec.subjects.map(parseSubject).map((s) => (isCompany(s) ? roleAccount : (s.account ?? roleAccount))));
  return [...accounts].filter(Boolean).sort();
}

/** Permission statements for one grant and one way of naming the person ({user} → `userVar`). */
function grantStatements(grant: Grant, userVar: string, sidSuffix: string): IamPolicyStatement[] {
  const partition = s3Partition(grant.spec.role.arn);
  const bucketArn = `arn:${partition}:s3:::${grant.spec.target.bucket}`;
  const sid = sidPart(grant.metadata.name) + sidSuffix;
  if (grant.spec.sessionPolicy) {
    const raw = Array.isArray(grant.spec.sessionPolicy.Statement) ? grant.spec.sessionPolicy.Statement : [grant.spec.sessionPolicy.Statement];
    return raw.map((s: PolicyStatement, i) => ({ ...s, Sid: `${sid}Raw${i + 1}` }) as IamPolicyStatement);
  }
  const prefixes = [...new Set((uses(grant, 'account') ? accountsOf(grant) : ['']).map((account) => prefixWith(grant, userVar, account)))];
  const objects = prefixes.map((p) => `${bucketArn}/${p}*`);
  const one = <T>(xs: T[]): T | T[] => (xs.length === 1 ? xs[0]! : xs);
  const permissions = new Set(grant.spec.permissions ?? []);
  const out: IamPolicyStatement[] = [];
  if (permissions.has('list')) {
    const anyPrefix = prefixes.some((p) => p !== '');
    out.push({
      Sid: `${sid}List`,
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: bucketArn,
      ...(anyPrefix ? { Condition: { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } } } : {}),
    });
  }
  if (permissions.has('read')) out.push({ Sid: `${sid}Read`, Effect: 'Allow', Action: 's3:GetObject', Resource: one(objects) });
  if (permissions.has('upload')) {
    const onConflict = grant.spec.upload?.onConflict ?? 'ask';
    const replace = grant.spec.upload?.allowReplace ?? onConflict === 'replace';
    if (replace) {
      out.push({ Sid: `${sid}Upload`, Effect: 'Allow', Action: 's3:PutObject', Resource: one(objects) });
    } else {
      // Creating an object (PutObject, CompleteMultipartUpload) only with If-None-Match: *, so nothing is replaced;
      // the steps that create no object (CreateMultipartUpload, UploadPart) carry no such header and are allowed.
      out.push({ Sid: `${sid}UploadNew`, Effect: 'Allow', Action: 's3:PutObject', Resource: one(objects), Condition: { StringEquals: { 's3:if-none-match': '*' } } });
      out.push({ Sid: `${sid}UploadParts`, Effect: 'Allow', Action: 's3:PutObject', Resource: one(objects), Condition: { Bool: { 's3:ObjectCreationOperation': 'false' } } });
    }
    out.push({ Sid: `${sid}Multipart`, Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: one(objects) });
    // The same additions the session policy makes (config/policy.ts): tags need their own action, and SSE-KMS needs
    // the grant's key for S3 to encrypt (GenerateDataKey) and to assemble a multipart upload (Decrypt).
    if (grant.spec.upload?.tags && Object.keys(grant.spec.upload.tags).length > 0) out.push({ Sid: `${sid}Tags`, Effect: 'Allow', Action: 's3:PutObjectTagging', Resource: one(objects) });
    const enc = grant.spec.upload?.encryption;
    if (enc?.type === 'aws:kms') out.push({ Sid: `${sid}Kms`, Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: enc.keyId });
  }
  return out;
}

function trustStatements(grants: Grant[], role: { partition: string; account: string }, company: CompanySignIn | undefined, notes: string[]): IamPolicyStatement[] {
  // Subjects grouped by what AWS must check for them: their kind, MFA and the external id.
  type Key = string;
  const groups = new Map<Key, { kind: SubjectKind; mfa: boolean; externalId?: string; names: Set<string> }>();
  for (const g of grants) {
    for (const raw of g.spec.subjects) {
      const s = parseSubject(raw);
      const mfa = g.spec.role.mfa ?? false;
      const externalId = g.spec.role.externalId;
      const key = [s.kind === 'iam-user' ? 'u' : s.kind === 'iam-role' ? 'r' : s.kind, mfa, externalId ?? ''].join('|');
      const group = groups.get(key) ?? { kind: s.kind, mfa, ...(externalId !== undefined ? { externalId } : {}), names: new Set<string>() };
      group.names.add(s.kind === 'company-user' || s.kind === 'company-group' ? s.name : s.raw);
      groups.set(key, group);
    }
  }
  const mfaMixed = new Set(grants.map((g) => g.spec.role.mfa ?? false)).size > 1;
  if (mfaMixed) {
    notes.push(
      `MFA: ${grants.filter((g) => g.spec.role.mfa).map((g) => g.metadata.name).join(', ')} require(s) MFA but other grants on this role do not; the trust policy can only require it per subject, so subjects of the grants without MFA may assume the role without a code.`,
    );
  }
  const providerPath = company ? oidcProviderPath(company.issuer) : '';
  const out: IamPolicyStatement[] = [];
  let n = 0;
  for (const group of groups.values()) {
    n++;
    const names = [...group.names].sort();
    const one = names.length === 1 ? names[0]! : names;
    const extra: Record<string, Record<string, string>> = {};
    if (group.externalId !== undefined) extra.StringEquals = { 'sts:ExternalId': group.externalId };
    if (group.mfa) extra.Bool = { 'aws:MultiFactorAuthPresent': 'true' };
    if (group.kind === 'iam-user') {
      out.push({
        Sid: `IamUsers${n}`,
        Effect: 'Allow',
        Principal: { AWS: one },
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        // The person's IAM user name, set by AWS: nobody can pick another person's folder.
        Condition: { ...extra, StringEquals: { ...(extra.StringEquals ?? {}), 'sts:SourceIdentity': '${aws:username}' } },
      });
    } else if (group.kind === 'iam-role') {
      out.push({
        Sid: `IamRoles${n}`,
        Effect: 'Allow',
        Principal: { AWS: one },
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        Condition: { ...extra, Null: { 'sts:SourceIdentity': 'false' } },
      });
    } else {
      if (!company) {
        throw new AppError('IAM_KIT_NEEDS_SIGN_IN', 'A grant on this role names company users or groups, but no company sign-in (issuer and client id) is known.', {
          details: { hint: 'Run the command with the settings that have signIn (method: oidc), or give --oidc-issuer URL and --oidc-client-id ID.' },
        });
      }
      const aud = { [`${providerPath}:aud`]: company.clientId };
      out.push({
        Sid: group.kind === 'company-user' ? `CompanyUsers${n}` : `CompanyGroups${n}`,
        Effect: 'Allow',
        Principal: { Federated: `arn:${role.partition}:iam::${role.account}:oidc-provider/${providerPath}` },
        Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
        Condition:
          group.kind === 'company-user'
            ? { StringEquals: { ...aud, [`aws:RequestTag/${USER_TAG}`]: one } }
            : { StringEquals: aud, StringLike: { [`aws:RequestTag/${GROUPS_TAG}`]: names.map((g) => `*:${g}:*`) }, Null: { [`aws:RequestTag/${USER_TAG}`]: 'false' } },
      });
      if (group.mfa) notes.push('MFA for company sign-in is up to the identity provider; the trust policy cannot ask for it (aws:MultiFactorAuthPresent is only set for IAM users).');
    }
  }
  return out;
}

/**
 * The kit for a role: every grant in `allGrants` naming `roleArn` contributes (the role cannot tell which grant a
 * session is for, so its policies are their union; sharedRoleFindings() says where that lets people reach further).
 */
export function buildIamKit(allGrants: Grant[], roleArn: string, options: { companySignIn?: CompanySignIn } = {}): IamKit {
  const grants = allGrants.filter((g) => g.spec.role.arn === roleArn).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  if (grants.length === 0) throw new AppError('GRANT_NOT_FOUND', `No grant names the role ${roleArn}.`);
  const role = roleParts(roleArn);
  const notes: string[] = [];
  const trustPolicy: IamPolicy = { Version: '2012-10-17', Statement: trustStatements(grants, role, options.companySignIn, notes) };

  const permission: IamPolicyStatement[] = [];
  for (const g of grants) {
    const kinds = new Set(g.spec.subjects.map((s) => parseSubject(s)).map((s) => (isCompany(s) ? 'company' : 'iam')));
    if (kinds.has('iam')) permission.push(...grantStatements(g, SOURCE_IDENTITY_VAR, ''));
    if (kinds.has('company')) permission.push(...grantStatements(g, USER_TAG_VAR, 'Company'));
  }
  const buckets = [...new Set(grants.map((g) => `arn:${s3Partition(g.spec.role.arn)}:s3:::${g.spec.target.bucket}/*`))].sort();
  permission.push({ Sid: 'NeverDelete', Effect: 'Deny', Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'], Resource: buckets.length === 1 ? buckets[0]! : buckets });
  const permissionPolicy: IamPolicy = { Version: '2012-10-17', Statement: permission };

  notes.unshift(
    `Put trustPolicy on ${role.name} as its trust policy and permissionPolicy as its inline policy ${KIT_POLICY_NAME}, and remove the role's other permission policies: the role must allow no more than this, because anyone in the trust policy can assume it without Grantbox and so without the session policy.`,
  );
  const perUser = grants.filter((g) => uses(g, 'user'));
  if (perUser.some((g) => g.spec.subjects.some((s) => parseSubject(s).kind === 'iam-user'))) {
    notes.push(
      `Per-person folders (${perUser.map((g) => g.metadata.name).join(', ')}) use \${aws:SourceIdentity}, which the trust policy binds to the IAM user name (sts:SourceIdentity = \${aws:username}): Grantbox sends it, and nobody can choose another person's folder, with or without Grantbox. IAM user names of one character cannot be a SourceIdentity (2–64 characters) and so cannot use this role.`,
    );
  }
  const roleSubjects = grants.flatMap((g) => g.spec.subjects.map(parseSubject).filter((s) => s.kind === 'iam-role').map((s) => s.raw));
  if (roleSubjects.length > 0 && perUser.length > 0) {
    notes.push(
      `Role subjects (${[...new Set(roleSubjects)].join(', ')}) may set any SourceIdentity, so AWS cannot keep their sessions to one person's folder: whoever can assume those roles can choose the name. Prefer IAM users or company sign-in for per-person folders. (A SourceIdentity set upstream, e.g. by your identity provider, cannot be changed and binds the folder, but then the person's role session name must equal it, because Grantbox fills {user} with the session name.)`,
    );
  }
  if (grants.some((g) => g.spec.subjects.some((s) => isCompany(parseSubject(s))))) {
    notes.push(
      `Company sign-in: create the IAM OIDC identity provider for ${options.companySignIn ? oidcProviderPath(options.companySignIn.issuer) : 'your issuer'} with the client id as audience. The identity provider must put session tags in the ID token (claim "https://aws.amazon.com/tags": {"principal_tags": {"${USER_TAG}": ["<the user claim>"], "${GROUPS_TAG}": [":group1:group2:"]}}): the trust policy matches users and groups on those tags and per-person folders use \${aws:PrincipalTag/${USER_TAG}}. Tag values may hold letters, digits, spaces and _ . : / = + - @ only, 256 characters at most.`,
    );
  }
  const untaggable = [...new Set(grants.flatMap((g) => g.spec.subjects.map(parseSubject)).filter((s) => (isCompany(s) && !TAG_VALUE_RE.test(s.name)) || (s.kind === 'company-group' && s.name.includes(':'))).map((s) => s.raw))];
  if (untaggable.length > 0) {
    notes.push(`${untaggable.join(', ')}: these names cannot be matched by a session tag (tag values take letters, digits, spaces and _ . : / = + - @ only, 256 characters at most, and a group name may not contain ":"), so AWS will refuse them under this trust policy.`);
  }
  for (const g of grants.filter((x) => uses(x, 'account') && accountsOf(x).length > 1)) {
    notes.push(`${g.metadata.name} uses {account} and its subjects come from ${accountsOf(g).length} accounts; IAM cannot tell a session's home account, so each account's folder is allowed to every subject.`);
  }
  const uploads = grants.filter((g) => !g.spec.sessionPolicy && (g.spec.permissions ?? []).includes('upload'));
  const noReplace = uploads.filter((g) => !(g.spec.upload?.allowReplace ?? g.spec.upload?.onConflict === 'replace'));
  if (noReplace.length > 0) {
    notes.push(
      `No overwrite (${noReplace.map((g) => g.metadata.name).join(', ')}): PutObject and CompleteMultipartUpload are allowed only with If-None-Match: * (s3:if-none-match), so an existing file is never replaced. For multipart uploads the check is made only at CompleteMultipartUpload: CreateMultipartUpload and UploadPart carry no If-None-Match (allowed with s3:ObjectCreationOperation = false), so parts for a name that exists can still be sent and are refused at the end (412); until someone aborts them they are stored and billed. Add a lifecycle rule with AbortIncompleteMultipartUpload on the bucket.`,
    );
  }
  if (uploads.length > 0) {
    notes.push(
      'Uploads need s3:PutObject (which also covers CreateMultipartUpload, UploadPart and CompleteMultipartUpload), s3:AbortMultipartUpload (cancel) and s3:ListMultipartUploadParts (resume after an interruption); DeleteObject is never allowed.',
    );
  }
  const sized = grants.filter((g) => g.spec.upload?.maxFileSize !== undefined || (g.spec.upload?.onConflict ?? 'ask') !== 'skip');
  if (uploads.length > 0 && sized.length > 0) {
    notes.push('Enforced only by Grantbox, not by AWS: maxFileSize (S3 has no condition on an object\'s size), and the choice between ask, rename and skip (AWS only refuses the overwrite itself).');
  }
  if (grants.some((g) => g.spec.sessionPolicy)) {
    notes.push(`Grants with a raw sessionPolicy (${grants.filter((g) => g.spec.sessionPolicy).map((g) => g.metadata.name).join(', ')}) are copied into the permission policy as written; review them, and note that NeverDelete overrides any delete they allow.`);
  }
  if (grants.length > 1) {
    notes.push(`This role serves ${grants.length} grants (${grants.map((g) => g.metadata.name).join(', ')}); its policies are their union, so a subject of one grant who assumes the role directly can use what the others allow. \`grantbox grants lint\` names each such case (ROLE_SHARED_REACH); give grants with different people their own role.`);
  }
  const size = policyText(permissionPolicy).replace(/\s+/g, '').length;
  if (size > ROLE_INLINE_POLICY_MAX_CHARS) {
    notes.push(`The permission policy is ${size} characters; IAM accepts at most ${ROLE_INLINE_POLICY_MAX_CHARS} for a role's inline policies together. Split the grants over more roles.`);
  }
  return { role: roleArn, trustPolicy, permissionPolicy, notes, grants: grants.map((g) => g.metadata.name) };
}

// ---------- several grants on one role ----------

export interface SharedRoleFinding {
  /** The grant whose subject could reach further. */
  grant: string;
  /** Index in that grant's spec.subjects. */
  subjectIndex: number;
  /** The grant whose scope could be reached. */
  other: string;
  code: 'ROLE_SHARED_REACH';
  message: string;
}

const PERMISSION_VERBS: Record<string, string> = { list: 'list', read: 'read', upload: 'upload to' };

function verbs(g: Grant): string {
  if (g.spec.sessionPolicy) return 'use the custom session policy of';
  const words = (g.spec.permissions ?? []).map((p) => PERMISSION_VERBS[p] ?? p);
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]!}`;
}

/** The folder of `other` as seen by `person`: {user} filled with their name. */
function folderFor(other: Grant, person: Subject): string {
  const user = person.kind === 'company-group' ? '<member>' : person.kind === 'iam-role' ? '<any name>' : person.name;
  const account = person.account ?? roleParts(other.spec.role.arn).account;
  return `s3://${other.spec.target.bucket}/${normalizePrefix(fillTemplate(other.spec.target.prefix ?? '', { user, grant: other.metadata.name, account }))}`;
}

/**
 * For every pair of grants naming the same role: each subject of one that the other does not list could assume the
 * role directly (without Grantbox, so without the session policy) and use the other grant's scope.
 */
export function sharedRoleFindings(grants: Grant[]): SharedRoleFinding[] {
  const out: SharedRoleFinding[] = [];
  const byRole = new Map<string, Grant[]>();
  for (const g of grants) byRole.set(g.spec.role.arn, [...(byRole.get(g.spec.role.arn) ?? []), g]);
  for (const [roleArn, list] of byRole) {
    if (list.length < 2) continue;
    const roleName = roleParts(roleArn).name;
    for (const g of list) {
      g.spec.subjects.forEach((raw, subjectIndex) => {
        const person = parseSubject(raw);
        for (const other of list) {
          if (other === g || other.spec.subjects.includes(raw)) continue;
          const who = person.kind === 'company-group' ? `members of group ${person.name}` : person.name;
          out.push({
            grant: g.metadata.name,
            subjectIndex,
            other: other.metadata.name,
            code: 'ROLE_SHARED_REACH',
            message: `${who}, a subject of ${g.metadata.name}, could assume ${roleName} directly and ${verbs(other)} ${other.metadata.name}'s folder ${folderFor(other, person)}; give ${other.metadata.name} its own role, or list the same subjects in both`,
          });
        }
      });
    }
  }
  return out;
}

// ---------- output formats ----------

/** `--format json`: one object, policies as IAM takes them (non-Latin-1 escaped). */
export function kitJson(kit: IamKit): string {
  return `${policyText({ role: kit.role, trustPolicy: kit.trustPolicy, permissionPolicy: kit.permissionPolicy, notes: kit.notes }, 2)}\n`;
}

function logicalId(roleName: string): string {
  return sidPart(roleName) || 'GrantboxRole';
}

/** A CloudFormation template (JSON, which CloudFormation reads as it reads YAML) creating the role with both policies. */
export function kitCloudFormation(kit: IamKit): string {
  const { name } = roleParts(kit.role);
  const pathPart = kit.role.split(':').slice(5).join(':').replace(/^role/, '');
  const rolePath = pathPart.slice(0, pathPart.length - name.length) || '/';
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Grantbox IAM kit for ${kit.grants.join(', ')}`,
    Metadata: { GrantboxNotes: kit.notes },
    Resources: {
      [logicalId(name)]: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: name,
          Path: rolePath,
          AssumeRolePolicyDocument: kit.trustPolicy,
          Policies: [{ PolicyName: KIT_POLICY_NAME, PolicyDocument: kit.permissionPolicy }],
        },
      },
    },
  };
  return `${policyText(template, 2)}\n`;
}

/** Terraform: the role and its inline policy, the JSON in heredocs with HCL's ${ and %{ escaped. */
export function kitTerraform(kit: IamKit): string {
  const { name } = roleParts(kit.role);
  const id = name.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^([^a-z_])/, '_$1') || 'grantbox_role';
  const hcl = (doc: unknown) => policyText(doc, 2).replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
  const pathPart = kit.role.split(':').slice(5).join(':').replace(/^role/, '');
  const rolePath = pathPart.slice(0, pathPart.length - name.length) || '/';
  return [
    `# Grantbox IAM kit for ${kit.grants.join(', ')}`,
    ...kit.notes.map((n) => `# - ${n}`),
    `resource "aws_iam_role" "${id}" {`,
    `  name = "${name}"`,
    `  path = "${rolePath}"`,
    `  assume_role_policy = <<-EOT`,
    ...hcl(kit.trustPolicy).split('\n').map((l) => `    ${l}`),
    `  EOT`,
    `}`,
    ``,
    `resource "aws_iam_role_policy" "${id}_grantbox" {`,
    `  name   = "${KIT_POLICY_NAME}"`,
    `  role   = aws_iam_role.${id}.id`,
    `  policy = <<-EOT`,
    ...hcl(kit.permissionPolicy).split('\n').map((l) => `    ${l}`),
    `  EOT`,
    `}`,
    ``,
  ].join('\n');
}

/** Human-readable: the notes, then both documents. */
export function kitText(kit: IamKit): string {
  return [
    `IAM kit for ${kit.role} (grants: ${kit.grants.join(', ')})`,
    '',
    ...kit.notes.map((n) => `- ${n}`),
    '',
    'Trust policy:',
    policyText(kit.trustPolicy, 2),
    '',
    `Permission policy (inline policy ${KIT_POLICY_NAME}):`,
    policyText(kit.permissionPolicy, 2),
    '',
  ].join('\n');
}
