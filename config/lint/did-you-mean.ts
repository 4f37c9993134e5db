// "Did you mean": the closest known word for a typo, and the keys a zod schema allows at a path (the candidates
// for an unknown key).
import type { z } from 'zod';
import type { Path } from './diagnostic';

export type AnySchema = z.ZodType;

interface Def {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  options?: AnySchema[];
  values?: unknown[];
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
export function objectsAt(schema: AnySchema, path: Path): Record<string, AnySchema>[] {
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

/**
 * The shapes a discriminated union member (signIn.method, grants.source) chose: those whose literal fields all
 * match `value`. Falls back to all shapes when none matches (then the discriminator itself is the problem).
 */
export function chosenShapes(shapes: Record<string, AnySchema>[], value: unknown): Record<string, AnySchema>[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return shapes;
  const data = value as Record<string, unknown>;
  const chosen = shapes.filter((shape) =>
    Object.entries(shape).every(([key, s]) => {
      const d = defOf(unwrap(s));
      return d.type !== 'literal' || (d.values ?? []).includes(data[key]);
    }),
  );
  return chosen.length > 0 ? chosen : shapes;
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
