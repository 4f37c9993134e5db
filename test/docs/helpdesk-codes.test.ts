// docs/helpdesk.md cannot drift from the code: every error code main/ can produce has a row in its tables, every
// code row there is still produced somewhere, and the same both ways for the session log's record types. Codes
// built from a template (`S3_${…}`) count as a family and need a row for `S3_*`. The scanner itself is tested on
// small sources below, so a scanner that silently finds nothing fails too.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  documentedCodes,
  documentedRecordTypes,
  missingFromDoc,
  scanRecordTypes,
  scanSource,
  sourceFiles,
  type CodeUse,
  type RecordTypeUse,
} from './error-codes';

const ROOT = path.resolve(__dirname, '../..');

let uses: CodeUse[];
let recordTypes: RecordTypeUse[];
let doc: string;

beforeAll(async () => {
  const files = await sourceFiles(path.join(ROOT, 'main'));
  uses = files.flatMap((f) => scanSource(f.file, f.text));
  recordTypes = files.flatMap((f) => scanRecordTypes(f.file, f.text));
  doc = await fs.readFile(path.join(ROOT, 'docs/helpdesk.md'), 'utf8');
});

describe('docs/helpdesk.md error codes', () => {
  it('finds the codes of every shape main/ makes them in (the scan is not blind)', () => {
    const codes = new Set(uses.map((u) => u.code));
    expect(codes.size).toBeGreaterThan(80);
    for (const code of [
      'SIGN_IN_INVALID_KEY_ID', // new AppError('…')
      'LOG_EXPORT_FAILED', // new AppError(cond ? '…' : '…')
      'SETTINGS_PROBLEM', // new AppError(x ?? '…')
      'NOT_IN_TRUST_POLICY', // { code: '…' } mapping table (aws/errors.ts)
      'S3_SLOW_DOWN', // { code: cond ? '…' : '…' }
      'UPLOAD_WALK_FAILED', // toAppError(e, '…')
      'UNEXPECTED', // fallbackCode = '…'
      'KEYCHAIN_DENIED', // switch (code) { case '…' } in the helper that builds the AppError
      'UPLOAD_LINK_OUTSIDE', // refused(…, '…', …) → { code }
      'IPC_INVALID_ARGS', // serialized error object
    ]) {
      expect(codes, code).toContain(code);
    }
    // Errno names main/ puts on plain Errors, and env var names, are not error codes.
    expect(codes).not.toContain('EISDIR');
    expect(codes).not.toContain('AWS_PROFILE');
  });

  it('has a row for every error code (and code family) main/ can produce', () => {
    expect(missingFromDoc(uses, documentedCodes(doc))).toEqual([]);
  });

  it('has no row for a code main/ no longer produces', () => {
    const produced = new Set(uses.map((u) => u.code));
    expect([...documentedCodes(doc)].filter((c) => !produced.has(c)).sort()).toEqual([]);
  });
});

describe('docs/helpdesk.md record types', () => {
  it('finds the record types written to the session log (the scan is not blind)', () => {
    const types = new Set(recordTypes.map((r) => r.type));
    for (const t of ['signin.ok', 'signout', 'session.started', 'session.refresh_error', 'grants.rejected', 'mfa.failed', 'upload.*']) expect(types, t).toContain(t);
  });

  it('lists every record type main/ writes, and each family with at least one of its members', () => {
    const documented = documentedRecordTypes(doc);
    const missing = recordTypes.filter((r) =>
      r.family ? ![...documented].some((d) => d.startsWith(r.type.slice(0, -1))) : !documented.has(r.type),
    );
    expect(missing.map((r) => `${r.type} (${r.file}:${r.line})`)).toEqual([]);
  });

  it('lists no record type that main/ no longer writes', () => {
    const exact = new Set(recordTypes.filter((r) => !r.family).map((r) => r.type));
    const families = recordTypes.filter((r) => r.family).map((r) => r.type.slice(0, -1));
    const stale = [...documentedRecordTypes(doc)].filter((t) => !exact.has(t) && !families.some((f) => t.startsWith(f)));
    expect(stale).toEqual([]);
  });
});

describe('the code scanner', () => {
  const source = `
    import { AppError, toAppError } from '../errors';
    const env = process.env['AWS_PROFILE'];
    export function a(ok: boolean, p?: { code?: string }) {
      if (ok) throw new AppError('PLAIN_CODE', 'message with SHOUTED_WORDS inside');
      throw new AppError(ok ? 'WHEN_TRUE' : 'WHEN_FALSE', \`\${env}\`);
    }
    export const b = (p?: { code?: string }) => new AppError(p?.code ?? 'FALLBACK_CODE', 'x');
    export const c = (e: unknown) => toAppError(e, 'WRAPPED_CODE');
    export function d(e: unknown, fallbackCode = 'DEFAULT_CODE') { return e; }
    const table = { code: 'TABLE_CODE', message: 'm' };
    const errnoLike = Object.assign(new Error('x'), { code: 'ENOENT' });
    function build(code: string, op: string): AppError {
      switch (code) {
        case 'CASE_CODE': return new AppError(code, op);
        default: return new AppError(code, op);
      }
    }
    export const e1 = build('ARG_CODE', 'get');
    function refused(path: string, code: string) { return { kind: 'refused', path, code }; }
    export const e2 = refused('/x', 'REFUSED_CODE');
    export const e3 = refused('/x', 'not a code');
    export const f = (s: string) => new AppError(\`S3_\${s}\`, 'family');
    export const g = new AppError(\`\${env}\`, 'no fixed head, no family');
  `;

  it('finds codes in every code position, and nothing else', () => {
    const found = scanSource('x.ts', source);
    expect(found.map((u) => u.code).sort()).toEqual(
      ['ARG_CODE', 'CASE_CODE', 'DEFAULT_CODE', 'FALLBACK_CODE', 'PLAIN_CODE', 'REFUSED_CODE', 'S3_*', 'TABLE_CODE', 'WHEN_FALSE', 'WHEN_TRUE', 'WRAPPED_CODE'].sort(),
    );
    expect(found.find((u) => u.code === 'S3_*')).toMatchObject({ family: true, file: 'x.ts' });
    expect(found.find((u) => u.code === 'PLAIN_CODE')).toMatchObject({ family: false, line: 5 });
  });

  it('reports a code or family without a row, and accepts several codes in one cell', () => {
    const uses = scanSource('x.ts', source);
    const table = ['| code | means |', '| --- | --- |', '| `PLAIN_CODE`, `WHEN_TRUE` | … |', '| `S3_*` | any S3 code |', 'Prose mentioning `TABLE_CODE` is not a row.'].join('\n');
    const missing = missingFromDoc(uses, documentedCodes(table));
    expect(missing).toContain('TABLE_CODE (x.ts:11)');
    expect(missing.some((m) => m.startsWith('PLAIN_CODE') || m.startsWith('WHEN_TRUE') || m.startsWith('S3_*'))).toBe(false);
    expect(missingFromDoc(uses, documentedCodes(table.replace('`S3_*`', '`S3_X`')))).toContainEqual(expect.stringMatching(/^S3_\* \(x\.ts:\d+\)$/));
  });

  it('finds record types handed to the session log writers, and only those', () => {
    const types = scanRecordTypes(
      'y.ts',
      `
      await this.log({ type: 'signin.ok', arn });
      await this.deps.log?.append({ type: refresh ? 'session.refreshed' : 'session.started' });
      await this.deps.audit.append({ type: \`upload.\${result}\` });
      dialog.showMessageBox(win, { type: 'info', message: 'not a log record' });
      `,
    );
    expect(types.map((t) => t.type).sort()).toEqual(['session.refreshed', 'session.started', 'signin.ok', 'upload.*']);
    const doc = '## Record types\n\n| type | when |\n| --- | --- |\n| `signin.ok` | x |\n| `session.started` / `session.refreshed` | y |\n\n## Next\n| `later.one` | z |';
    expect([...documentedRecordTypes(doc)].sort()).toEqual(['session.refreshed', 'session.started', 'signin.ok']);
  });
});
