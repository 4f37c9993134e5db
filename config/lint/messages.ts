// Messages: plain-language wording for a problem (what an ARN of the wrong kind is, how to write a duration, what a
// value's type reads as) and the codes the format checks map to.
import type { Path } from './diagnostic';

export const FORMAT_CODES: [RegExp, string][] = [
  [/^metadata\.name$/, 'INVALID_GRANT_NAME'],
  [/^spec\.subjects\.\*$/, 'INVALID_SUBJECT_ARN'],
  [/^spec\.role\.arn$/, 'INVALID_ROLE_ARN'],
  [/^spec\.role\.duration$/, 'INVALID_DURATION'],
  [/^spec\.role\.externalId$/, 'INVALID_EXTERNAL_ID'],
  [/^spec\.target\.bucket$/, 'INVALID_BUCKET'],
  [/(^|\.)region$/, 'INVALID_REGION'],
  [/^spec\.sessionPolicy(\.|$)/, 'INVALID_POLICY'],
  [/(^|\.)(url|endpoint)$/, 'INVALID_URL'],
];

const EXAMPLE_ROLE = 'arn:aws:iam::123456789012:role/UploadRole';
const EXAMPLE_USER = 'arn:aws:iam::123456789012:user/john';

function arnKind(value: string): 'user' | 'role' | 'assumed-role' | 'bucket' | 'object' | 'not-arn' | 'other' {
  if (!value.startsWith('arn:')) return 'not-arn';
  if (/^arn:[^:]*:iam::[^:]*:user\//.test(value)) return 'user';
  if (/^arn:[^:]*:iam::[^:]*:role\//.test(value)) return 'role';
  if (/^arn:[^:]*:sts::[^:]*:assumed-role\//.test(value)) return 'assumed-role';
  if (/^arn:[^:]*:s3:::[^/]+$/.test(value)) return 'bucket';
  if (/^arn:[^:]*:s3:::/.test(value)) return 'object';
  return 'other';
}

function accountProblem(value: string): string | undefined {
  const account = value.split(':')[4];
  return account !== undefined && account !== '' && !/^\d{12}$/.test(account) ? ` (the account "${account}" must be 12 digits)` : undefined;
}

export function formatMessage(code: string, value: unknown, fallback: string): string {
  const v = typeof value === 'string' ? value : '';
  switch (code) {
    case 'INVALID_ROLE_ARN': {
      const kind = arnKind(v);
      if (kind === 'user') return `role.arn is an IAM user ARN; it must name the role to assume, e.g. ${EXAMPLE_ROLE} (the user belongs in spec.subjects)`;
      if (kind === 'assumed-role') return `role.arn is an assumed-role session ARN; use the role's own ARN, e.g. ${EXAMPLE_ROLE}`;
      if (kind === 'bucket' || kind === 'object') return `role.arn is an S3 ARN; it must name the IAM role to assume, e.g. ${EXAMPLE_ROLE} (the bucket goes in spec.target.bucket)`;
      if (kind === 'not-arn') return `role.arn must be a full role ARN such as ${EXAMPLE_ROLE}, not "${v}"`;
      return `role.arn is not a valid IAM role ARN${accountProblem(v) ?? ''}; expected arn:aws:iam::<12-digit account>:role/<name>`;
    }
    case 'INVALID_SUBJECT_ARN': {
      const kind = arnKind(v);
      if (kind === 'bucket' || kind === 'object') return `a subject is an S3 ARN; subjects are the IAM users or roles allowed to use this grant, e.g. ${EXAMPLE_USER}`;
      if (/^(?:user|group):\s*$/.test(v)) return `"${v}" names nobody: write the name after the colon, e.g. group:hr-staff`;
      if (/^(?:user|group):/.test(v)) return `"${v}" has a name Grantbox cannot match: no leading or trailing spaces, no control characters, at most 256 characters`;
      if (/^(?:users?|groups?|email|role)\s*[:=]/i.test(v)) return `a company subject is written user:NAME or group:NAME (lowercase, no space before the colon), not "${v}"`;
      if (kind === 'not-arn') return `a subject must be a full IAM user or role ARN such as ${EXAMPLE_USER}, or user:NAME / group:NAME for company sign-in, not "${v}"`;
      if (/^arn:[^:]*:iam::[^:]*:group\//.test(v)) return 'an IAM group cannot be a subject (AWS cannot assume a role as a group); list its users, or a role they use';
      return `a subject is not a valid IAM user or role ARN${accountProblem(v) ?? ''}; expected e.g. ${EXAMPLE_USER}`;
    }
    case 'INVALID_BUCKET': {
      const kind = arnKind(v);
      if (kind === 'bucket' || kind === 'object' || v.startsWith('s3://')) return `target.bucket takes the bucket name only (e.g. company1-hr), not an ARN or URL`;
      if (v.includes('/')) return `a bucket name has no "/"; put the folder part in target.prefix`;
      return `"${v}" is not a valid S3 bucket name: 3–63 lowercase letters, digits, "." or "-", starting and ending with a letter or digit`;
    }
    case 'INVALID_GRANT_NAME':
      return `"${v}" is not a valid grant name: use 2–63 lowercase letters, digits or "-", not starting or ending with "-" (e.g. ${v.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'hr-upload'})`;
    case 'INVALID_REGION':
      return `"${v}" is not an AWS region; write its code, e.g. us-east-1 or eu-west-1`;
    case 'INVALID_DURATION':
      return `"${v}" is not a duration; write e.g. 15m, 1h, 90m or 1h30m (between 15m and 12h)`;
    default:
      return fallback;
  }
}

export function describeType(v: unknown): string {
  if (v === null) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text "${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  return `${typeof v === 'number' ? 'the number' : typeof v === 'boolean' ? 'the boolean' : typeof v} ${String(v)}`;
}

export function expectedName(expected: string): string {
  return ({ string: 'text', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a mapping (key: value lines)' } as Record<string, string>)[expected] ?? expected;
}

export function dotted(path: Path): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
}

export function pathPattern(path: Path): string {
  return path.map((p) => (typeof p === 'number' ? '*' : p)).join('.');
}
