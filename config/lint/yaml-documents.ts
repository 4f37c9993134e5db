// Reading YAML: every document of a file parsed with the CST kept (so problems can be located), YAML errors and
// warnings turned into diagnostics, and the apiVersion/kind header checked before anything else.
import { parseAllDocuments, type Document, type YAMLError } from 'yaml';
import { API_VERSION } from '../schema';
import { isRecord } from './diagnostic';
import { didYouMean } from './did-you-mean';
import { rangeFor, type FileContext } from './locate';
import { describeType } from './messages';

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

export function parseFile(ctx: FileContext, text: string): { doc: Document; index: number; data: unknown; yamlErrors: number }[] {
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
export function checkHeader(ctx: FileContext, doc: Document, data: unknown, kind: 'Grant' | 'Settings'): boolean {
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

