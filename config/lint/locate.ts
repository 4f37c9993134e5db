// Locating: a path into a parsed YAML document (["spec", "role", "arn"]) mapped back to file:line:col through the
// yaml CST nodes' source ranges, and the per-file collector that turns those ranges into diagnostics.
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Document } from 'yaml';
import type { Diagnostic, Path } from './diagnostic';

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

export class FileContext {
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
export function rangeFor(doc: Document, path: Path, target: 'value' | 'key' = 'value'): [number, number] | undefined {
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
export function keyRange(doc: Document, path: Path, name: string): [number, number] | undefined {
  return rangeFor(doc, [...path, name], 'key');
}
