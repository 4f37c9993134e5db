// The grant and settings loader: parse (yaml CST, every document of every file) → validate (zod, then the checks a
// schema cannot express) → locate (each problem mapped back to file:line:col through the yaml nodes' source ranges).
// It never throws on bad input and reports every problem at once, so an admin fixes a pull request in one pass.
// Pure (no fs, no node:*): callers read files and pass text in; the CLI, the grant store and tests share it.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { SESSION_POLICY_MAX_CHARS, GrantSchema, MAX_SESSION_SECONDS, MIN_SESSION_SECONDS, S3_MAX_OBJECT_BYTES, SettingsSchema, TEMPLATE_VARS, parseDuration, parseSize, type Grant, type Settings, API_VERSION } from './schema';
import { WORST_CASE_VARS, buildSessionPolicy } from './policy';

export interface SourceFile {
  path: string;
  text: string;
  /**
   * Set by a reader that refused the file (too large, unreadable, too many files): the loader reports it as a
   * diagnostic instead of parsing `text`.
   */
  problem?: Diagnostic;
}

export interface Diagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  endLine?: number;
  endCol?: number;
  /** Where in the document, e.g. ["spec", "role", "arn"]. */
  path: (string | number)[];
  /** Stable SCREAMING_SNAKE code (docs/grant-format.md lists them). */
  code: string;
  severity: 'error' | 'warning';
  message: string;
  related?: { file: string; line: number; col: number; message: string }[];
}

export interface LoadedGrant {
  grant: Grant;
  file: string;
  line: number;
  col: number;
  /** 0-based index of the YAML document in its file. */
  docIndex: number;
}

type Path = (string | number)[];
type AnySchema = z.ZodType;

// ---------- locating ----------

interface Located {
  /** Node at the path (undefined when the path runs past what exists). */
  node: { range?: [number, number, number] | null } | null | undefined;
  /** The key (or sequence item) leading to the deepest node found. */
  key: { range?: [number, number, number] | null } | undefined;
  /** How many path segments were found. */
  depth: number;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function walk(doc: Document, path: Path): Located {
  let cur: unknown = doc.contents;
  let key: Located['key'];
  for (let i = 0; i < path.length; i++) {
    if (isAlias(cur)) cur = cur.resolve(doc);
    const seg = path[i];
    if (isMap(cur)) {
      const pair = cur.items.find((p) => keyText(p.key) === String(seg));
      if (!pair) return { node: cur, key, depth: i };
      key = pair.key as Located['key'];
      cur = pair.value;
    } else if (isSeq(cur) && typeof seg === 'number' && cur.items[seg] !== undefined) {
      cur = cur.items[seg];
      key = cur as Located['key'];
    } else {
      return { node: cur as Located['node'], key, depth: i };
    }
  }
  if (isAlias(cur)) cur = cur.resolve(doc);
  return { node: cur as Located['node'], key, depth: path.length };
}

class FileContext {
  readonly lineCounter = new LineCounter();
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly file: string) {}

  pos(offset: number): { line: number; col: number } {
    return this.lineCounter.linePos(offset);
  }

  add(range: [number, number] | undefined, path: Path, code: string, message: string, severity: 'error' | 'warning' = 'error', related?: Diagnostic['related']): Diagnostic {
    const start = this.pos(range?.[0] ?? 0);
    const end = range ? this.pos(range[1]) : undefined;
    const d: Diagnostic = {
      file: this.file,
      line: start.line,
      col: start.col,
      ...(end ? { endLine: end.line, endCol: end.col } : {}),
      path,
      code,
      severity,
      message,
      ...(related ? { related } : {}),
    };
    this.diagnostics.push(d);
    return d;
  }
}

/** Where to point for a problem at `path`: the value, its key, or (for a missing key) the parent's key. */
function rangeFor(doc: Document, path: Path, target: 'value' | 'key' = 'value'): [number, number] | undefined {
  const found = walk(doc, path);
  const pick = (n: Located['node'] | Located['key']) => (n?.range ? ([n.range[0], n.range[1]] as [number, number]) : undefined);
  if (found.depth < path.length) {
    // Missing: point at the key that holds the incomplete mapping, else at the mapping itself.
    return pick(found.key) ?? pick(found.node) ?? pick(doc.contents as Located['node']);
  }
  if (target === 'key') return pick(found.key) ?? pick(found.node);
  // `role:` with nothing after it has a null value node: point at the key.
  return pick(found.node) ?? pick(found.key) ?? pick(doc.contents as Located['node']);
}

/** The range of the key `name` inside the mapping at `path` (for unknown keys). */
function keyRange(doc: Document, path: Path, name: string): [number, number] | undefined {
  return rangeFor(doc, [...path, name], 'key');
}

// ---------- schema introspection (for "did you mean") ----------

interface Def {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  options?: AnySchema[];
}
const defOf = (s: AnySchema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

function unwrap(s: AnySchema): AnySchema {
  let d = defOf(s);
  while ((d.type === 'optional' || d.type === 'nullable' || d.type === 'default' || d.type === 'pipe') && (d.innerType ?? d.in)) {
    s = (d.innerType ?? d.in) as AnySchema;
    d = defOf(s);
  }
  return s;
}

/** The object schemas that may sit at `path` (a union contributes each of its object options). */
function objectsAt(schema: AnySchema, path: Path): Record<string, AnySchema>[] {
  let layer: AnySchema[] = [schema];
  for (const seg of path) {
    const next: AnySchema[] = [];
    for (const s of layer.flatMap(expandUnion)) {
      const d = defOf(s);
      if (d.type === 'object' && typeof seg === 'string' && d.shape?.[seg]) next.push(d.shape[seg]);
      else if (d.type === 'array' && typeof seg === 'number' && d.element) next.push(d.element);
    }
    layer = next;
  }
  return layer.flatMap(expandUnion).flatMap((s) => {
    const d = defOf(s);
    return d.type === 'object' && d.shape ? [d.shape] : [];
  });
}

function expandUnion(s: AnySchema): AnySchema[] {
  const u = unwrap(s);
  const d = defOf(u);
  return d.type === 'union' && d.options ? d.options.flatMap(expandUnion) : [u];
}

/** Edit distance counting a swap of neighbours as one edit ("paht" → "path"), the commonest typo in keys. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate when it is plausibly a typo (case-insensitive, at most 2 edits and at most half the word). */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= 2 && bestDistance <= word.length / 2 ? best : undefined;
}

// ---------- zod issue → diagnostic ----------

const FORMAT_CODES: [RegExp, string][] = [
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

function formatMessage(code: string, value: unknown, fallback: string): string {
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
      if (kind === 'not-arn') return `a subject must be a full IAM user or role ARN such as ${EXAMPLE_USER}, not "${v}"`;
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

function describeType(v: unknown): string {
  if (v === null) return 'nothing (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text "${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  return `${typeof v === 'number' ? 'the number' : typeof v === 'boolean' ? 'the boolean' : typeof v} ${String(v)}`;
}

function expectedName(expected: string): string {
  return ({ string: 'text', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a mapping (key: value lines)' } as Record<string, string>)[expected] ?? expected;
}

function dotted(path: Path): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
}

function pathPattern(path: Path): string {
  return path.map((p) => (typeof p === 'number' ? '*' : p)).join('.');
}

function reportIssues(ctx: FileContext, doc: Document, schema: AnySchema, issues: z.core.$ZodIssue[], prefix: Path = []): void {
  for (const issue of issues) {
    // Issues inside a union branch carry paths relative to the union.
    const path = [...prefix, ...(issue.path as Path)];
    const where = dotted(path);
    const pattern = pathPattern(path);
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = [...new Set(objectsAt(schema, path).flatMap((shape) => Object.keys(shape)))];
        for (const k of issue.keys) {
          const guess = didYouMean(k, known);
          const inside = where ? ` in ${where}` : '';
          ctx.add(keyRange(doc, path, k), [...path, k], 'UNKNOWN_KEY', `unknown key "${k}"${inside}${guess ? ` (did you mean "${guess}"?)` : ''}`);
        }
        break;
      }
      case 'invalid_type': {
        if (input === undefined) {
          const name = path[path.length - 1];
          const parent = dotted(path.slice(0, -1));
          ctx.add(rangeFor(doc, path), path, 'MISSING_FIELD', `${parent ? parent + ' is missing' : 'missing'} "${String(name)}" (${expectedName(issue.expected)})`);
        } else {
          const hint = issue.expected === 'boolean' && typeof input === 'string' ? ' (write true or false without quotes)' : issue.expected === 'string' && typeof input === 'number' && /duration$/.test(where) ? ' (write a unit, e.g. 90m)' : '';
          ctx.add(rangeFor(doc, path), path, 'WRONG_TYPE', `${where || 'the document'} should be ${expectedName(issue.expected)}, not ${describeType(input)}${hint}`);
        }
        break;
      }
      case 'invalid_value': {
        const values = issue.values.map(String);
        if (input === undefined) {
          const parent = dotted(path.slice(0, -1));
          ctx.add(rangeFor(doc, path), path, 'MISSING_FIELD', `${parent ? parent + ' is missing' : 'missing'} "${String(path[path.length - 1])}: ${values[0]}"`);
          break;
        }
        const code = pattern === 'apiVersion' ? 'UNSUPPORTED_API_VERSION' : pattern === 'kind' ? 'WRONG_KIND' : pattern.startsWith('spec.sessionPolicy') ? 'INVALID_POLICY' : 'INVALID_VALUE';
        const guess = typeof input === 'string' && code !== 'UNSUPPORTED_API_VERSION' ? didYouMean(input, values) : undefined;
        ctx.add(rangeFor(doc, path), path, code, `${where} must be ${values.length === 1 ? `"${values[0]}"` : `one of ${values.join(', ')}`}${input !== undefined ? `, not ${describeType(input)}` : ''}${guess ? ` (did you mean "${guess}"?)` : ''}`);
        break;
      }
      case 'invalid_union': {
        const disc = (issue as { note?: string; options?: unknown[] }).options;
        if (Array.isArray(disc)) {
          ctx.add(rangeFor(doc, path), path, 'INVALID_VALUE', `${where} must be one of ${disc.map(String).join(', ')}${input !== undefined ? `, not ${describeType(input)}` : ''}`);
        } else {
          // Report the branch that got the type right (e.g. Statement as a list) with its own, deeper problems;
          // only when no branch did is it a plain type mismatch.
          const branches = (issue as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
          const typed = branches.filter((b) => !(b.length === 1 && b[0]!.code === 'invalid_type' && b[0]!.path.length === 0));
          if (typed.length > 0) {
            const best = typed.reduce((a, b) => (b.length < a.length ? b : a));
            reportIssues(ctx, doc, schema, best, path);
          } else {
            const code = pattern.startsWith('spec.sessionPolicy') ? 'INVALID_POLICY' : 'WRONG_TYPE';
            const expected = [...new Set(branches.map((b) => (b[0] && b[0].code === 'invalid_type' ? expectedName(b[0].expected) : 'something else')))];
            const what = expected.length ? expected.join(' or ') : 'something else';
            ctx.add(rangeFor(doc, path), path, code, `${where} should be ${what}, not ${describeType(input)}`);
          }
        }
        break;
      }
      case 'invalid_format': {
        const code = FORMAT_CODES.find(([re]) => re.test(pattern))?.[1] ?? 'INVALID_VALUE';
        ctx.add(rangeFor(doc, path), path, code, formatMessage(code, input, `${where}: ${issue.message}`));
        break;
      }
      case 'too_small':
      case 'too_big': {
        const code = pattern.startsWith('spec.sessionPolicy') ? 'INVALID_POLICY' : pattern === 'spec.permissions' ? 'NO_PERMISSIONS' : 'INVALID_VALUE';
        const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const unit = issue.origin === 'array' ? 'item' : issue.origin === 'string' ? 'character' : '';
        const msg = issue.origin === 'array' && issue.code === 'too_small' ? `${where} needs at least ${String(limit)} ${unit}${Number(limit) === 1 ? '' : 's'}` : `${where} ${issue.code === 'too_small' ? 'must have at least' : 'may have at most'} ${String(limit)} ${unit}${unit && Number(limit) !== 1 ? 's' : ''}`;
        ctx.add(rangeFor(doc, path), path, code, msg.trim());
        break;
      }
      default: {
        const code = pattern.startsWith('spec.sessionPolicy') ? 'INVALID_POLICY' : 'INVALID_VALUE';
        ctx.add(rangeFor(doc, path), path, code, `${where ? where + ': ' : ''}${issue.message}`);
      }
    }
  }
}

// ---------- checks beyond the schema ----------

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Problems in a {var} template: unknown variables, stray braces, characters outside `allowed`. */
export function templateProblems(template: string, vars: readonly string[], allowedChars: RegExp | null): string[] {
  const problems: string[] = [];
  const literal = template.replace(/\{([^{}]*)\}/g, (_, name: string) => {
    if (!vars.includes(name)) {
      const guess = didYouMean(name, vars);
      problems.push(`unknown variable {${name}}${guess ? ` (did you mean {${guess}}?)` : ''}; available: ${vars.map((v) => `{${v}}`).join(', ')}`);
    }
    return '';
  });
  if (/[{}]/.test(literal)) problems.push('has an unmatched "{" or "}"');
  if (allowedChars) {
    const bad = [...new Set(literal.replace(/[{}]/g, '').replace(allowedChars, ''))];
    if (bad.length) problems.push(`contains ${bad.map((c) => JSON.stringify(c)).join(', ')}; only letters, digits and + = , . @ _ - are allowed`);
  }
  return problems;
}

function checkGrantSemantics(ctx: FileContext, doc: Document, data: Record<string, unknown>): void {
  const spec = isRecord(data.spec) ? data.spec : undefined;
  if (!spec) return;
  const role = isRecord(spec.role) ? spec.role : undefined;
  const target = isRecord(spec.target) ? spec.target : undefined;
  const upload = isRecord(spec.upload) ? spec.upload : undefined;

  if (typeof role?.duration === 'string') {
    const seconds = parseDuration(role.duration);
    if (seconds !== null && (seconds < MIN_SESSION_SECONDS || seconds > MAX_SESSION_SECONDS)) {
      ctx.add(
        rangeFor(doc, ['spec', 'role', 'duration']),
        ['spec', 'role', 'duration'],
        'DURATION_OUT_OF_RANGE',
        seconds < MIN_SESSION_SECONDS
          ? `duration ${role.duration} is shorter than 15m, the shortest session AWS allows`
          : `duration ${role.duration} is longer than 12h, the longest session AWS allows (the role's MaxSessionDuration must also allow it)`,
      );
    }
  }

  if (typeof role?.sessionName === 'string') {
    const t = role.sessionName;
    const problems = templateProblems(t, TEMPLATE_VARS, /[\w+=,.@-]/g);
    const literalLength = t.replace(/\{[^{}]*\}/g, '').length;
    const hasVars = /\{[^{}]*\}/.test(t);
    if (literalLength > 64) problems.push(`is ${literalLength} characters before any variable is filled in; a session name is at most 64`);
    if (!hasVars && literalLength < 2) problems.push('must be at least 2 characters');
    for (const p of problems) ctx.add(rangeFor(doc, ['spec', 'role', 'sessionName']), ['spec', 'role', 'sessionName'], 'INVALID_SESSION_NAME', `sessionName "${t}" ${p}`);
  }

  if (typeof target?.prefix === 'string') {
    const prefix = target.prefix;
    const at = rangeFor(doc, ['spec', 'target', 'prefix']);
    const path = ['spec', 'target', 'prefix'];
    if (/[*?]/.test(prefix)) {
      ctx.add(at, path, 'INVALID_PREFIX', `prefix "${prefix}" contains "*" or "?", which IAM treats as wildcards and would widen access beyond one folder`);
    }
    if (prefix.includes('$')) {
      ctx.add(at, path, 'INVALID_PREFIX', `prefix "${prefix}" contains "$"; IAM policy variables such as \${aws:username} are not allowed, use {user}`);
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(prefix)) ctx.add(at, path, 'INVALID_PREFIX', 'prefix contains control characters');
    if (!prefix.includes('$')) for (const p of templateProblems(prefix, TEMPLATE_VARS, null)) ctx.add(at, path, 'INVALID_PREFIX', `prefix "${prefix}" ${p}`);
    if (prefix.length > 512) ctx.add(at, path, 'INVALID_PREFIX', `prefix is ${prefix.length} characters; keep it under 512 so object keys stay within S3's 1024-byte limit`);
    if (prefix.startsWith('/')) ctx.add(at, path, 'PREFIX_LEADING_SLASH', `prefix "${prefix}" starts with "/": S3 keys would begin with an empty folder name; remove the leading "/"`, 'warning');
    if (prefix !== '' && !prefix.endsWith('/') && !/[*?$]/.test(prefix)) {
      ctx.add(at, path, 'PREFIX_NO_TRAILING_SLASH', `prefix "${prefix}" does not end with "/": it also matches keys like "${prefix}-other"; end it with "/" to scope one folder`, 'warning');
    }
  }

  if (upload?.maxFileSize !== undefined && (typeof upload.maxFileSize === 'string' || typeof upload.maxFileSize === 'number')) {
    const bytes = parseSize(upload.maxFileSize);
    const path = ['spec', 'upload', 'maxFileSize'];
    if (bytes === null) ctx.add(rangeFor(doc, path), path, 'INVALID_SIZE', `maxFileSize "${String(upload.maxFileSize)}" is not a size; write e.g. 500MB or 5GiB`);
    else if (bytes === 0) ctx.add(rangeFor(doc, path), path, 'INVALID_SIZE', 'maxFileSize 0 would refuse every file');
    else if (bytes > S3_MAX_OBJECT_BYTES) ctx.add(rangeFor(doc, path), path, 'INVALID_SIZE', `maxFileSize ${String(upload.maxFileSize)} is larger than 5TiB, the largest object S3 stores`);
  }

  if (upload?.onConflict === 'replace' && upload.allowReplace === false) {
    ctx.add(rangeFor(doc, ['spec', 'upload', 'allowReplace']), ['spec', 'upload', 'allowReplace'], 'CONFLICTING_UPLOAD_OPTIONS', 'onConflict is "replace" but allowReplace is false; choose one');
  }

  const hasPermissions = 'permissions' in spec;
  const hasPolicy = 'sessionPolicy' in spec;
  if (hasPermissions && hasPolicy) {
    const other = rangeFor(doc, ['spec', 'permissions'], 'key');
    const otherPos = ctx.pos(other?.[0] ?? 0);
    ctx.add(
      rangeFor(doc, ['spec', 'sessionPolicy'], 'key'),
      ['spec', 'sessionPolicy'],
      'PERMISSIONS_AND_SESSION_POLICY',
      'a grant has either permissions or sessionPolicy, never both; remove one',
      'error',
      [{ file: ctx.file, line: otherPos.line, col: otherPos.col, message: 'permissions are set here' }],
    );
  } else if (!hasPermissions && !hasPolicy) {
    ctx.add(rangeFor(doc, ['spec'], 'key'), ['spec'], 'NO_PERMISSIONS', 'spec needs permissions (any of list, read, upload) or a sessionPolicy');
  }
  if (Array.isArray(spec.permissions)) {
    const seen = new Set<unknown>();
    spec.permissions.forEach((p, i) => {
      if (seen.has(p)) ctx.add(rangeFor(doc, ['spec', 'permissions', i]), ['spec', 'permissions', i], 'DUPLICATE_PERMISSION', `permission "${String(p)}" is listed twice`, 'warning');
      seen.add(p);
    });
  }
  if (Array.isArray(spec.subjects)) {
    const seen = new Set<unknown>();
    spec.subjects.forEach((s, i) => {
      if (seen.has(s)) ctx.add(rangeFor(doc, ['spec', 'subjects', i]), ['spec', 'subjects', i], 'DUPLICATE_SUBJECT', `subject ${String(s)} is listed twice`, 'warning');
      seen.add(s);
    });
  }
}

/** Checks that need the fully valid grant: the generated policy's size for the longest possible user name. */
function checkPolicySize(ctx: FileContext, doc: Document, grant: Grant): void {
  let size: number;
  try {
    size = JSON.stringify(buildSessionPolicy(grant, WORST_CASE_VARS)).length;
  } catch {
    return; // the prefix problems were already reported by the semantic checks
  }
  if (size > SESSION_POLICY_MAX_CHARS) {
    const path = grant.spec.sessionPolicy ? ['spec', 'sessionPolicy'] : grant.spec.target.prefix ? ['spec', 'target', 'prefix'] : ['spec', 'permissions'];
    const how = grant.spec.sessionPolicy ? 'simplify the sessionPolicy' : 'shorten the prefix or the bucket name';
    ctx.add(
      rangeFor(doc, path, grant.spec.sessionPolicy ? 'key' : 'value'),
      path,
      'POLICY_TOO_LARGE',
      `the session policy is ${size} characters (size ${size} / ${SESSION_POLICY_MAX_CHARS}, counted with a 64-character user name); STS accepts at most ${SESSION_POLICY_MAX_CHARS}: ${how}`,
    );
  }
}

// ---------- documents ----------

function yamlDiagnostic(ctx: FileContext, e: YAMLError, severity: 'error' | 'warning', text: string): void {
  const first = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
  const code = e.code === 'DUPLICATE_KEY' ? 'DUPLICATE_KEY' : severity === 'warning' ? 'YAML_WARNING' : 'YAML_SYNTAX';
  // yaml points at the repeated key's first character; read the key itself from the source for the message.
  const key = /^("[^"\n]*"|'[^'\n]*'|[^:\n,{}[\]]{1,60}?)\s*:/.exec(text.slice(e.pos[0], e.pos[0] + 80))?.[1] ?? '';
  const message =
    e.code === 'DUPLICATE_KEY'
      ? `the key ${key ? `"${key}" ` : ''}appears twice in the same mapping; YAML would silently keep only one, so remove or rename one of them`
      : `${first} (${e.code})`;
  ctx.add([e.pos[0], e.pos[1]], [], code, message, severity);
}

function parseFile(ctx: FileContext, text: string): { doc: Document; index: number; data: unknown; yamlErrors: number }[] {
  const docs = parseAllDocuments(text, { lineCounter: ctx.lineCounter, prettyErrors: false, uniqueKeys: true });
  // An empty stream (only comments) is an array with its own `errors` (e.g. a stray flow indicator).
  if ('empty' in docs) {
    for (const e of docs.errors) yamlDiagnostic(ctx, e, 'error', text);
  }
  const list: Document[] = [...docs];
  const out: { doc: Document; index: number; data: unknown; yamlErrors: number }[] = [];
  list.forEach((doc, index) => {
    for (const e of doc.errors) yamlDiagnostic(ctx, e, 'error', text);
    for (const w of doc.warnings) yamlDiagnostic(ctx, w, 'warning', text);
    if (doc.contents === null) return;
    // Only duplicate keys leave a document whose meaning is still clear enough to validate.
    if (doc.errors.some((e) => e.code !== 'DUPLICATE_KEY')) return;
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      ctx.add(rangeFor(doc, []), [], 'YAML_SYNTAX', `this document cannot be read: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    out.push({ doc, index, data, yamlErrors: doc.errors.length });
  });
  return out;
}

/** Checks apiVersion and kind first so a settings file in the grants folder gets one clear message, not twenty. */
function checkHeader(ctx: FileContext, doc: Document, data: unknown, kind: 'Grant' | 'Settings'): boolean {
  if (!isRecord(data)) {
    ctx.add(rangeFor(doc, []), [], 'WRONG_TYPE', `a ${kind.toLowerCase()} document must be a mapping starting with apiVersion: ${API_VERSION} and kind: ${kind}, not ${describeType(data)}`);
    return false;
  }
  if (data.kind !== undefined && data.kind !== kind) {
    const guess = typeof data.kind === 'string' && didYouMean(data.kind, [kind]) ? ` (did you mean "${kind}"?)` : '';
    const why = kind === 'Grant' && data.kind === 'Settings' ? ' (settings files do not belong among the grant files)' : '';
    ctx.add(rangeFor(doc, ['kind']), ['kind'], 'WRONG_KIND', `kind is ${describeType(data.kind)}; this file should contain kind: ${kind}${guess}${why}`);
    return false;
  }
  return true;
}

/**
 * Parses and validates every grant in every file. Never throws. Returns the grants that are fully valid (a grant
 * whose name is also used elsewhere is left out everywhere: which one is meant is unclear) and every diagnostic,
 * sorted by file, line and column.
 */
export function loadGrants(files: SourceFile[]): { grants: LoadedGrant[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  // Every document that names a grant, valid or not: a name used twice is reported even while one copy is broken,
  // so fixing the broken one never reveals a second problem.
  const named: { name: string; file: string; nameAt: { line: number; col: number }; loaded?: LoadedGrant }[] = [];
  for (const file of files) {
    if (file.problem) {
      diagnostics.push(file.problem);
      continue;
    }
    const ctx = new FileContext(file.path);
    try {
      const docs = parseFile(ctx, file.text);
      if (docs.length === 0 && ctx.diagnostics.length === 0) {
        ctx.add(undefined, [], 'NO_GRANTS', 'this file contains no grant', 'warning');
      }
      for (const { doc, index, data, yamlErrors } of docs) {
        if (!checkHeader(ctx, doc, data, 'Grant')) continue;
        const before = ctx.diagnostics.filter((d) => d.severity === 'error').length;
        const result = GrantSchema.safeParse(data, { reportInput: true });
        if (!result.success) reportIssues(ctx, doc, GrantSchema, result.error.issues);
        checkGrantSemantics(ctx, doc, data as Record<string, unknown>);
        if (result.success) checkPolicySize(ctx, doc, result.data);
        const errors = ctx.diagnostics.filter((d) => d.severity === 'error').length - before;
        const name = isRecord(data) && isRecord(data.metadata) && typeof data.metadata.name === 'string' ? data.metadata.name : undefined;
        if (name === undefined) continue;
        const nameAt = ctx.pos(rangeFor(doc, ['metadata', 'name'])?.[0] ?? 0);
        // A duplicate key still validates, but the grant is not used: which value was meant is unclear.
        if (result.success && errors === 0 && yamlErrors === 0) {
          const start = ctx.pos((doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? 0);
          named.push({ name, file: file.path, nameAt, loaded: { grant: result.data, file: file.path, line: start.line, col: start.col, docIndex: index } });
        } else {
          named.push({ name, file: file.path, nameAt });
        }
      }
    } catch (e) {
      // A bug here must not hide the rest of the report; say where it happened.
      ctx.add(undefined, [], 'INTERNAL_ERROR', `Grantbox could not check this file (${e instanceof Error ? e.message : String(e)}); please report it`);
    }
    diagnostics.push(...ctx.diagnostics);
  }

  const byName = new Map<string, typeof named>();
  for (const n of named) {
    const list = byName.get(n.name);
    if (list) list.push(n);
    else byName.set(n.name, [n]);
  }
  const grants: LoadedGrant[] = [];
  for (const [name, list] of byName) {
    if (list.length === 1) {
      if (list[0]!.loaded) grants.push(list[0]!.loaded);
      continue;
    }
    for (const c of list) {
      // Name at most a few other places: a copy-pasted folder must not turn the report quadratic.
      const others = list.filter((o) => o !== c).slice(0, MAX_RELATED);
      diagnostics.push({
        file: c.file,
        line: c.nameAt.line,
        col: c.nameAt.col,
        path: ['metadata', 'name'],
        code: 'DUPLICATE_GRANT_NAME',
        severity: 'error',
        // The other places travel in `related` (every output format prints them), so paths are shown one way.
        message: `the grant name "${name}" is used ${list.length} times; names must be unique across all grant files, so none of them is used`,
        related: others.map((o) => ({ file: o.file, line: o.nameAt.line, col: o.nameAt.col, message: `"${name}" is also defined here` })),
      });
    }
  }
  return { grants, diagnostics: sortDiagnostics(diagnostics) };
}

const MAX_RELATED = 10;

export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
}

/** Parses and validates a settings file's text. `settings` is null when anything is an error. Never throws. */
export function loadSettingsText(file: SourceFile): { settings: Settings | null; diagnostics: Diagnostic[] } {
  if (file.problem) return { settings: null, diagnostics: [file.problem] };
  const ctx = new FileContext(file.path);
  let settings: Settings | null = null;
  try {
    const docs = parseFile(ctx, file.text);
    if (docs.length === 0) {
      if (!ctx.diagnostics.some((d) => d.severity === 'error')) ctx.add(undefined, [], 'MISSING_FIELD', `the settings file is empty; start it with apiVersion: ${API_VERSION} and kind: Settings`);
    } else {
      for (const extra of docs.slice(1)) ctx.add(rangeFor(extra.doc, []), [], 'YAML_SYNTAX', 'a settings file holds one document; remove everything after the first "---"');
      const { doc, data } = docs[0]!;
      if (checkHeader(ctx, doc, data, 'Settings')) {
        const result = SettingsSchema.safeParse(data, { reportInput: true });
        if (!result.success) reportIssues(ctx, doc, SettingsSchema, result.error.issues);
        else settings = result.data;
        const endpoint = isRecord(data) && isRecord(data.aws) ? data.aws.endpoint : undefined;
        if (typeof endpoint === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(endpoint) && !/^https?:\/\//i.test(endpoint)) {
          ctx.add(rangeFor(doc, ['aws', 'endpoint']), ['aws', 'endpoint'], 'INVALID_URL', `aws.endpoint must start with http:// or https://, not "${endpoint}"`);
        }
      }
    }
  } catch (e) {
    ctx.add(undefined, [], 'INTERNAL_ERROR', `Grantbox could not check this file (${e instanceof Error ? e.message : String(e)}); please report it`);
  }
  const diagnostics = sortDiagnostics(ctx.diagnostics);
  return { settings: diagnostics.some((d) => d.severity === 'error') ? null : settings, diagnostics };
}

// ---------- output ----------

function escapeGithubData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeGithubProperty(s: string): string {
  return escapeGithubData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * text: `path:line:col: error CODE message` (related places as indented `note` lines);
 * github: workflow commands that annotate the pull request; json: the diagnostics array.
 */
export function formatDiagnostics(ds: Diagnostic[], format: 'text' | 'json' | 'github'): string {
  if (format === 'json') return JSON.stringify(ds, null, 2);
  if (format === 'github') {
    return ds
      .map((d) => {
        const props = [`file=${escapeGithubProperty(d.file)}`, `line=${d.line}`, `col=${d.col}`];
        if (d.endLine !== undefined) props.push(`endLine=${d.endLine}`);
        if (d.endCol !== undefined && d.endLine === d.line) props.push(`endColumn=${d.endCol}`);
        props.push(`title=${escapeGithubProperty(d.code)}`);
        const related = d.related?.length ? '\n' + d.related.map((r) => `${r.file}:${r.line}:${r.col}: ${r.message}`).join('\n') : '';
        return `::${d.severity} ${props.join(',')}::${escapeGithubData(d.message + related)}`;
      })
      .join('\n');
  }
  return ds
    .map((d) => {
      const head = `${d.file}:${d.line}:${d.col}: ${d.severity} ${d.code} ${d.message}`;
      return [head, ...(d.related ?? []).map((r) => `  ${r.file}:${r.line}:${r.col}: note ${r.message}`)].join('\n');
    })
    .join('\n');
}
