// The grant and settings loader: parse (yaml CST, every document of every file) → validate (zod, then the checks a
// schema cannot express) → locate (each problem mapped back to file:line:col through the yaml nodes' source ranges).
// It never throws on bad input and reports every problem at once, so an admin fixes a pull request in one pass.
// Pure (no fs, no node:*): callers read files and pass text in; the CLI, the grant store and tests share it.
// This file is the pipeline; its steps live in ./lint/ (locating, did-you-mean, messages, schema issues, YAML
// documents, output) and the grant checks in ./lint/grant-checks/, one module per check.
import type { IamCatalog } from './iam-checks';
import { sharedRoleFindings } from './iam-kit';
import { normalizePrefix } from './policy';
import type { z } from 'zod';
import { GrantSchema, SettingsSchema, API_VERSION, type Grant, type Settings } from './schema';
import { isRecord, sortDiagnostics, type Diagnostic, type SourceFile } from './lint/diagnostic';
import { grantsUrlProblem } from './grants-url';
import { GRANT_CHECKS } from './lint/grant-checks';
import { FileContext, rangeFor } from './lint/locate';
import { reportIssues } from './lint/schema-issues';
import { checkHeader, parseFile } from './lint/yaml-documents';
import type { Document } from 'yaml';

export type { Diagnostic, SourceFile } from './lint/diagnostic';
export { sortDiagnostics } from './lint/diagnostic';
export { didYouMean } from './lint/did-you-mean';
export { formatDiagnostics } from './lint/format';
export { templateProblems } from './lint/grant-checks/template';

export interface LoadedGrant {
  grant: Grant;
  file: string;
  line: number;
  col: number;
  /** 0-based index of the YAML document in its file. */
  docIndex: number;
}

/**
 * Parses and validates every grant in every file. Never throws. Returns the grants that are fully valid (a grant
 * whose name is also used elsewhere is left out everywhere: which one is meant is unclear) and every diagnostic,
 * sorted by file, line and column.
 */
export function loadGrants(
  files: SourceFile[],
  options: { catalog?: IamCatalog; signInMethod?: 'oidc' | 'identityCenter' | 'accessKey' } = {},
): { grants: LoadedGrant[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  // Every document that names a grant, valid or not: a name used twice is reported even while one copy is broken,
  // so fixing the broken one never reveals a second problem.
  const named: { name: string; file: string; nameAt: { line: number; col: number }; loaded?: LoadedGrant }[] = [];
  // Where each valid grant sits, for the checks across grants (several grants on one role).
  const located = new Map<Grant, { ctx: FileContext; doc: Document }>();
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
        // Upload keys are NFC: the prefix becomes NFC here, once, so the session policy, the listing and the keys
        // all name the same folder however the file was typed.
        if (result.success && result.data.spec.target.prefix !== undefined) result.data.spec.target.prefix = normalizePrefix(result.data.spec.target.prefix);
        const spec = isRecord(data) && isRecord(data.spec) ? data.spec : undefined;
        if (spec) for (const check of GRANT_CHECKS) check({ ctx, doc, spec, grant: result.success ? result.data : undefined, catalog: options.catalog, signInMethod: options.signInMethod });
        const errors = ctx.diagnostics.filter((d) => d.severity === 'error').length - before;
        const name = isRecord(data) && isRecord(data.metadata) && typeof data.metadata.name === 'string' ? data.metadata.name : undefined;
        if (name === undefined) continue;
        const nameAt = ctx.pos(rangeFor(doc, ['metadata', 'name'])?.[0] ?? 0);
        // A duplicate key still validates, but the grant is not used: which value was meant is unclear.
        if (result.success && errors === 0 && yamlErrors === 0) {
          const start = ctx.pos((doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? 0);
          named.push({ name, file: file.path, nameAt, loaded: { grant: result.data, file: file.path, line: start.line, col: start.col, docIndex: index } });
          located.set(result.data, { ctx, doc });
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
  diagnostics.push(...sharedRoleDiagnostics(grants, located));
  return { grants, diagnostics: sortDiagnostics(diagnostics) };
}

const MAX_RELATED = 10;

/** ROLE_SHARED_REACH warnings, at the subject who could reach another grant's scope through the shared role. */
function sharedRoleDiagnostics(grants: LoadedGrant[], located: Map<Grant, { ctx: FileContext; doc: Document }>): Diagnostic[] {
  const byName = new Map(grants.map((g) => [g.grant.metadata.name, g.grant]));
  return sharedRoleFindings(grants.map((g) => g.grant)).flatMap((f) => {
    const grant = byName.get(f.grant);
    const at = grant ? located.get(grant) : undefined;
    if (!at) return [];
    const path = ['spec', 'subjects', f.subjectIndex];
    const range = rangeFor(at.doc, path);
    const start = at.ctx.pos(range?.[0] ?? 0);
    return [{ file: at.ctx.file, line: start.line, col: start.col, path, code: f.code, severity: 'warning' as const, message: f.message }];
  });
}

/**
 * Parses and validates a settings file's text. `settings` is null when anything is an error. Never throws.
 * `schema`: a person's file may leave out `grants` (PersonalSettingsSchema) and IT's managed file may set any
 * sections (ManagedSettingsSchema); the diagnostics are the same file:line:col ones either way.
 */
export function loadSettingsText(file: SourceFile): { settings: Settings | null; diagnostics: Diagnostic[] };
export function loadSettingsText<S extends z.ZodType>(file: SourceFile, schema: S): { settings: z.infer<S> | null; diagnostics: Diagnostic[] };
export function loadSettingsText(file: SourceFile, schema: z.ZodType = SettingsSchema): { settings: unknown; diagnostics: Diagnostic[] } {
  if (file.problem) return { settings: null, diagnostics: [file.problem] };
  const ctx = new FileContext(file.path);
  let settings: unknown = null;
  try {
    const docs = parseFile(ctx, file.text);
    if (docs.length === 0) {
      if (!ctx.diagnostics.some((d) => d.severity === 'error')) ctx.add(undefined, [], 'MISSING_FIELD', `the settings file is empty; start it with apiVersion: ${API_VERSION} and kind: Settings`);
    } else {
      for (const extra of docs.slice(1)) ctx.add(rangeFor(extra.doc, []), [], 'YAML_SYNTAX', 'a settings file holds one document; remove everything after the first "---"');
      const { doc, data } = docs[0]!;
      if (checkHeader(ctx, doc, data, 'Settings')) {
        const result = schema.safeParse(data, { reportInput: true });
        if (!result.success) reportIssues(ctx, doc, schema, result.error.issues);
        else settings = result.data;
        for (const key of ['endpoint', 'stsEndpoint', 's3Endpoint']) {
          const endpoint = isRecord(data) && isRecord(data.aws) ? data.aws[key] : undefined;
          if (typeof endpoint === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(endpoint) && !/^https?:\/\//i.test(endpoint)) {
            ctx.add(rangeFor(doc, ['aws', key]), ['aws', key], 'INVALID_URL', `aws.${key} must start with http:// or https://, not "${endpoint}"`);
          }
        }
        const grants = (settings as { grants?: Settings['grants'] } | null)?.grants;
        if (grants?.source === 'git') {
          const problem = grantsUrlProblem(grants.url, (grants.signedBy?.length ?? 0) > 0);
          if (problem) ctx.add(rangeFor(doc, ['grants', 'url']), ['grants', 'url'], problem.code, problem.message, problem.severity);
        }
      }
    }
  } catch (e) {
    ctx.add(undefined, [], 'INTERNAL_ERROR', `Grantbox could not check this file (${e instanceof Error ? e.message : String(e)}); please report it`);
  }
  const diagnostics = sortDiagnostics(ctx.diagnostics);
  return { settings: diagnostics.some((d) => d.severity === 'error') ? null : settings, diagnostics };
}
