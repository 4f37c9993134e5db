// Finds every error code the code under main/ can produce, by reading the TypeScript syntax tree (not a regex over
// text, so comments, messages and unrelated SCREAMING_SNAKE strings such as env var names or Node errno codes are
// not mistaken for codes; Node errno names like ENOENT that main/ puts on plain Errors are skipped too). It also
// finds the `type` of every record handed to the session log, for the doc's record-type table. Used by helpdesk-codes.test.ts to keep docs/helpdesk.md complete and true.
//
// A string literal is an error code when it sits where a code goes:
//   1. the first argument of `new AppError(…)` (through `a ? 'X' : 'Y'`, `x ?? 'Y'`, parentheses, `as`);
//   2. the fallback of `toAppError(e, 'X')`, or the default of a `fallbackCode` parameter;
//   3. the value of a `code:` / `errorCode:` property (mapping tables such as aws/errors.ts, refused-file entries);
//   4. an argument passed to a helper in the same file whose parameter ends up in one of the above (or as a
//      shorthand `{ code }`), and the `case 'X':` labels of a `switch` on that parameter (keytar's keychainError).
// A template literal in such a place (`S3_${…}`) is a code family, reported as its fixed head plus `*` (`S3_*`).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface CodeUse {
  /** 'NOT_IN_TRUST_POLICY', or a family such as 'S3_*'. */
  code: string;
  family: boolean;
  file: string;
  line: number;
}

const CODE_RE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
/** Node errno names (ENOENT, EISDIR, ETIMEDOUT…): main/ sets them on plain Errors it then maps to AppErrors. */
const ERRNO_RE = /^E[A-Z]+$/;
const FAMILY_HEAD_RE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_$/;
const CODE_PROPS = new Set(['code', 'errorCode']);

type FnLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration;

function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return e;
}

export function scanSource(file: string, text: string): CodeUse[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: CodeUse[] = [];
  const add = (node: ts.Node, code: string, family: boolean) =>
    out.push({ code, family, file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });

  /** Codes an expression in a code position can evaluate to. */
  const collect = (expr: ts.Expression | undefined): void => {
    if (!expr) return;
    const e = unwrap(expr);
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
      if (CODE_RE.test(e.text) && !ERRNO_RE.test(e.text)) add(e, e.text, false);
    } else if (ts.isTemplateExpression(e)) {
      if (FAMILY_HEAD_RE.test(e.head.text)) add(e, `${e.head.text}*`, true);
    } else if (ts.isConditionalExpression(e)) {
      collect(e.whenTrue);
      collect(e.whenFalse);
    } else if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      collect(e.left);
      collect(e.right);
    }
  };

  const calleeName = (e: ts.Expression): string | undefined => {
    const u = unwrap(e);
    if (ts.isIdentifier(u)) return u.text;
    if (ts.isPropertyAccessExpression(u)) return u.name.text;
    return undefined;
  };
  const isAppErrorNew = (n: ts.Node): n is ts.NewExpression => ts.isNewExpression(n) && calleeName(n.expression) === 'AppError';
  const propName = (n: ts.PropertyAssignment | ts.ShorthandPropertyAssignment): string | undefined =>
    ts.isIdentifier(n.name) || ts.isStringLiteral(n.name) ? n.name.text : undefined;

  // Rules 1–3, anywhere in the file.
  const direct = (n: ts.Node): void => {
    if (isAppErrorNew(n)) collect(n.arguments?.[0]);
    else if (ts.isCallExpression(n) && calleeName(n.expression) === 'toAppError') collect(n.arguments[1]);
    else if (ts.isParameter(n) && ts.isIdentifier(n.name) && n.name.text === 'fallbackCode') collect(n.initializer);
    else if (ts.isPropertyAssignment(n) && CODE_PROPS.has(propName(n) ?? '')) collect(n.initializer);
    ts.forEachChild(n, direct);
  };
  direct(sf);

  // Rule 4: helpers whose parameter becomes a code.
  const helpers = new Map<string, { fn: FnLike; index: number; param: string }[]>();
  const nameOf = (fn: FnLike): string | undefined => {
    if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
    const parent = fn.parent;
    if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
    return undefined;
  };
  const isParamRef = (e: ts.Expression | undefined, param: string): boolean => !!e && ts.isIdentifier(unwrap(e)) && (unwrap(e) as ts.Identifier).text === param;
  const paramBecomesCode = (body: ts.Node, param: string): boolean => {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (isAppErrorNew(n) && isParamRef(n.arguments?.[0], param)) found = true;
      else if (ts.isPropertyAssignment(n) && CODE_PROPS.has(propName(n) ?? '') && isParamRef(n.initializer, param)) found = true;
      else if (ts.isShorthandPropertyAssignment(n) && CODE_PROPS.has(n.name.text) && n.name.text === param) found = true;
      else ts.forEachChild(n, visit);
    };
    visit(body);
    return found;
  };
  const findHelpers = (n: ts.Node): void => {
    if ((ts.isFunctionDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) && n.body) {
      const name = nameOf(n);
      n.parameters.forEach((p, index) => {
        if (!name || !ts.isIdentifier(p.name) || !paramBecomesCode(n.body!, p.name.text)) return;
        helpers.set(name, [...(helpers.get(name) ?? []), { fn: n, index, param: p.name.text }]);
        // switch (code) { case 'X': … } inside the helper: every label is a code it handles.
        const cases = (m: ts.Node): void => {
          if (ts.isSwitchStatement(m) && isParamRef(m.expression, (p.name as ts.Identifier).text)) {
            for (const clause of m.caseBlock.clauses) if (ts.isCaseClause(clause)) collect(clause.expression);
          }
          ts.forEachChild(m, cases);
        };
        cases(n.body!);
      });
    }
    ts.forEachChild(n, findHelpers);
  };
  findHelpers(sf);
  const calls = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const name = calleeName(n.expression);
      for (const h of (name && helpers.get(name)) || []) collect(n.arguments[h.index]);
    }
    ts.forEachChild(n, calls);
  };
  if (helpers.size) calls(sf);
  return out;
}

/** The .ts/.tsx source files under `root` (tests and declaration files excluded), with paths relative to its parent. */
export async function sourceFiles(root: string): Promise<{ file: string; text: string }[]> {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.(test|d)\.tsx?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  return Promise.all(files.map(async (file) => ({ file: path.relative(path.dirname(root), file), text: await fs.readFile(file, 'utf8') })));
}

/** Codes documented in a markdown file: the backticked codes in the first cell of table rows (`| \`A\`, \`B\` | …`). */
export function documentedCodes(markdown: string): Set<string> {
  const codes = new Set<string>();
  for (const line of markdown.split('\n')) {
    const m = /^\|([^|]*)\|/.exec(line);
    if (!m) continue;
    for (const c of m[1]!.matchAll(/`([A-Z][A-Z0-9_]*\*?)`/g)) codes.add(c[1]!);
  }
  return codes;
}

/** Codes (and families) used in the code but without a row in the doc, one entry each with where it is used. */
export function missingFromDoc(uses: CodeUse[], documented: Set<string>): string[] {
  const missing = new Map<string, string>();
  for (const u of uses) if (!documented.has(u.code) && !missing.has(u.code)) missing.set(u.code, `${u.code} (${u.file}:${u.line})`);
  return [...missing.values()].sort();
}

// ---------- session log record types ----------

export interface RecordTypeUse {
  /** 'session.started', or a family such as 'upload.*' when the type is built from a template. */
  type: string;
  family: boolean;
  file: string;
  line: number;
}

const RECORD_TYPE_RE = /^[a-z]+(?:\.[a-z_]+)?$/;
const LOG_CALLS = new Set(['log', 'append']);

/** The `type:` of every object literal handed to a `….log(…)` / `….append(…)` call (the session log writers). */
export function scanRecordTypes(file: string, text: string): RecordTypeUse[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: RecordTypeUse[] = [];
  const add = (node: ts.Node, type: string, family: boolean) =>
    out.push({ type, family, file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
  const collect = (expr: ts.Expression): void => {
    const e = unwrap(expr);
    if ((ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) && RECORD_TYPE_RE.test(e.text)) add(e, e.text, false);
    else if (ts.isTemplateExpression(e) && /^[a-z]+\.$/.test(e.head.text)) add(e, `${e.head.text}*`, true);
    else if (ts.isConditionalExpression(e)) {
      collect(e.whenTrue);
      collect(e.whenFalse);
    }
  };
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const callee = unwrap(n.expression);
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
      if (name && LOG_CALLS.has(name)) {
        for (const arg of n.arguments) {
          const obj = unwrap(arg);
          if (!ts.isObjectLiteralExpression(obj)) continue;
          for (const prop of obj.properties) {
            if (ts.isPropertyAssignment(prop) && ts.isIdentifier(prop.name) && prop.name.text === 'type') collect(prop.initializer);
          }
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Record types in the doc's "## Record types" table (first cell, e.g. "`session.started` / `session.refreshed`"). */
export function documentedRecordTypes(markdown: string): Set<string> {
  const start = markdown.search(/^## Record types/m);
  if (start < 0) return new Set();
  const end = markdown.indexOf('\n## ', start + 1);
  const types = new Set<string>();
  for (const line of markdown.slice(start, end < 0 ? undefined : end).split('\n')) {
    const m = /^\|([^|]*)\|/.exec(line);
    if (!m) continue;
    for (const t of m[1]!.matchAll(/`([a-z]+(?:\.[a-z_]+)?)`/g)) types.add(t[1]!);
  }
  return types;
}
