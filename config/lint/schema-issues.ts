// Zod issues → diagnostics: each issue the schema reports becomes one located, coded, plain-language problem.
import type { Document } from 'yaml';
import type { z } from 'zod';
import type { Path } from './diagnostic';
import { chosenShapes, didYouMean, objectsAt, type AnySchema } from './did-you-mean';
import { keyRange, rangeFor, type FileContext } from './locate';
import { FORMAT_CODES, describeType, dotted, expectedName, formatMessage, pathPattern } from './messages';

export function reportIssues(ctx: FileContext, doc: Document, schema: AnySchema, issues: z.core.$ZodIssue[], prefix: Path = []): void {
  for (const issue of issues) {
    // Issues inside a union branch carry paths relative to the union.
    const path = [...prefix, ...(issue.path as Path)];
    const where = dotted(path);
    const pattern = pathPattern(path);
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'unrecognized_keys': {
        // In a discriminated union (signIn.method, grants.source) only the branch the file chose counts.
        const known = [...new Set(chosenShapes(objectsAt(schema, path), input).flatMap((shape) => Object.keys(shape)))];
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
          // A discriminated union reports the whole object as input; the person wrote (or left out) one value.
          const last = path[path.length - 1];
          const value = typeof input === 'object' && input !== null && !Array.isArray(input) && typeof last === 'string' ? (input as Record<string, unknown>)[last] : input;
          const options = disc.map(String);
          if (value === undefined) {
            const parent = dotted(path.slice(0, -1));
            ctx.add(rangeFor(doc, path), path, 'MISSING_FIELD', `${parent ? parent + ' is missing' : 'missing'} "${String(last)}" (one of ${options.join(', ')})`);
            break;
          }
          const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
          ctx.add(rangeFor(doc, path), path, 'INVALID_VALUE', `${where} must be one of ${options.join(', ')}, not ${describeType(value)}${guess ? ` (did you mean "${guess}"?)` : ''}`);
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
