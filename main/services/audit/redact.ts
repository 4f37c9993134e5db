// The redaction guard every session-log record passes on its way to disk, and again on its way into a helpdesk
// export. Writers are already asked never to log secrets (types.ts); this is the second line, so a slip in any
// service (a whole STS response, an error that quotes a key) still cannot put a secret in a file.
//
// - Fields whose NAME says secret (secret, secretAccessKey, sessionToken, token, password, mfaCode, tokenCode,
//   credentials, authorization…) are dropped whatever their value.
// - Strings are scanned whatever their field: access key ids (AKIA/ASIA + 16) become "…WXYZ" (last 4);
//   40-character runs of the secret-key alphabet ([A-Za-z0-9/+]) that mix upper case, lower case and a digit or / or + are
//   masked (a git commit is lower-case hex, so revisions survive); base64 runs of 100+ characters — the shape of
//   an STS session token — are masked.
// - `accessKeyId`-named fields keep only their last 4 characters even when they do not look like a key id.
// - Git access tokens: the user:password part of any URL (a remote that carries a token) is removed, and tokens
//   with a well-known prefix (GitHub ghp_/gho_/ghu_/ghs_/ghr_/github_pat_, GitLab glpat-) are masked; neither
//   shape is caught by the AWS rules (the "_" or "-" splits the run, and they are shorter than a session token).
import type { LogRecord } from './types';

export const MASKED_SECRET = '[redacted]';

// Names, compared without case, "-" or "_". `code` alone is an error code and stays; MFA codes have their own names.
const SECRET_NAMES = new Set([
  'secret',
  'secrets',
  'secretaccesskey',
  'secretkey',
  'awssecretaccesskey',
  'sessiontoken',
  'awssessiontoken',
  'securitytoken',
  'token',
  'tokens',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'password',
  'passwd',
  'passphrase',
  'mfacode',
  'mfatoken',
  'tokencode',
  'otp',
  'totp',
  'credentials',
  'authorization',
  'cookie',
  'privatekey',
]);
const ACCESS_KEY_ID_NAMES = new Set(['accesskeyid', 'awsaccesskeyid']);

const norm = (name: string) => name.toLowerCase().replace(/[-_\s]/g, '');

export function isSecretFieldName(name: string): boolean {
  const n = norm(name);
  return SECRET_NAMES.has(n) || n.endsWith('secretaccesskey') || n.endsWith('sessiontoken') || n.endsWith('password');
}

const ACCESS_KEY_ID_RE = /\b(?:AKIA|ASIA)[A-Z0-9]{12}([A-Z0-9]{4})\b/g;
// Secret keys use [A-Za-z0-9/+] without "=", so "=" separates (aws_secret_access_key=KEY). Inside a longer run
// a key may sit between slashes (a path that quotes it), so candidates are the 40-character pieces that start at
// the run's start or after a "/" and end at its end or before a "/".
const SECRET_RUN_RE = /[A-Za-z0-9/+]{40,}/g;
const TOKEN_RE = /[A-Za-z0-9/+=]{100,}/g;
const URL_USERINFO_RE = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]+@/gi;
const GIT_TOKEN_RE = /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,})/g;

function looksLikeSecretKey(run: string): boolean {
  return /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9/+]/.test(run);
}

function maskKeysInRun(run: string): string {
  for (let i = 0; i + 40 <= run.length; i++) {
    if (i > 0 && run[i - 1] !== '/') continue;
    const end = i + 40;
    if (end < run.length && run[end] !== '/') continue;
    if (looksLikeSecretKey(run.slice(i, end))) return `${run.slice(0, i)}${MASKED_SECRET}${maskKeysInRun(run.slice(end))}`;
  }
  return run;
}

/** Masks secret-looking parts of free text (error messages, notes, file names). */
export function redactString(text: string): string {
  return text
    .replace(URL_USERINFO_RE, '$1')
    .replace(GIT_TOKEN_RE, MASKED_SECRET)
    .replace(TOKEN_RE, MASKED_SECRET)
    .replace(SECRET_RUN_RE, maskKeysInRun)
    .replace(ACCESS_KEY_ID_RE, (_m, last4: string) => `…${last4}`);
}

/** "…WXYZ" for an access key id (or anything in a field named like one). */
export function keyIdTail(value: string): string {
  return value.length <= 4 ? `…${value}` : `…${value.slice(-4)}`;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 12) return '[too deep]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (isSecretFieldName(k)) continue;
    if (ACCESS_KEY_ID_NAMES.has(norm(k)) && typeof v === 'string') {
      out[k] = keyIdTail(v);
      continue;
    }
    out[k] = redactValue(v, depth + 1);
  }
  return out;
}

/**
 * A JSON-safe copy of the record with secrets removed. Goes through JSON first so Dates, AppErrors (toJSON) and
 * class instances become what would be written; a record that cannot be serialized becomes a note saying so.
 */
export function redactRecord(record: LogRecord): LogRecord {
  let plain: unknown;
  try {
    plain = JSON.parse(JSON.stringify(record));
  } catch {
    return { type: typeof record.type === 'string' ? redactString(record.type) : 'unknown', note: 'record could not be serialized' };
  }
  const out = redactValue(plain, 0) as LogRecord;
  if (typeof out.type !== 'string' || out.type === '') out.type = 'unknown';
  return out;
}
