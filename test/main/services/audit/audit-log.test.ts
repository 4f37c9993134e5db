// The helpdesk export: one self-contained JSON file with context, summary and the window's records, redacted
// again on the way out, optionally without file names, written atomically with mode 0600.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, EXPORT_FORMAT, hashFileName, stripUrlCredentials, type ExportContext } from '../../../../main/services/audit/audit-log';
import { SessionLog } from '../../../../main/services/audit/session-log';
import { AppError } from '../../../../main/services/errors';
import { FAKE_KEY_ID, FAKE_SECRET, FAKE_TOKEN } from './secrets.fixture';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grantbox-export-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const context: ExportContext = {
  settings: {
    path: '/home/john/.config/Grantbox/settings.yaml',
    grantsSource: 'git',
    grantsLocation: 'https://john:ghp_abcdefSECRET@git.example.com/it/grants.git',
    region: 'us-east-1',
    endpointHost: '127.0.0.1:5000',
    forcePathStyle: true,
  },
  grants: { revision: '9001c29e4b1f0a6a1d2c3b4a5f6e7d8c9b0a1f2e', updatedAt: '2026-11-27T09:00:00.000Z', total: 3 },
  identity: { arn: 'arn:aws:iam::629470240201:user/john', account: '629470240201', verified: true },
};

async function seed(log: SessionLog): Promise<void> {
  await log.append({ type: 'signin.ok', at: '2026-11-20T08:00:00.000Z', arn: context.identity!.arn, accessKeyIdLast4: 'MPLE' });
  await log.append({ type: 'session.started', at: '2026-11-26T08:00:00.000Z', grant: 'hr-upload', requestId: 'req-1', expiresAt: '2026-11-26T09:00:00.000Z' });
  await log.append({ type: 'session.refreshed', at: '2026-11-26T08:50:00.000Z', grant: 'hr-upload' });
  await log.append({ type: 'upload.done', at: '2026-11-26T08:10:00.000Z', grant: 'hr-upload', key: 'hr/2026/Payroll Nov.xlsx', file: 'Payroll Nov.xlsx', size: 1234, result: 'done' });
  await log.append({
    type: 'upload.failed',
    at: '2026-11-26T08:11:00.000Z',
    grant: 'hr-upload',
    key: 'hr/2026/secret-plan.pdf',
    file: 'secret-plan.pdf',
    errorCode: 'S3_ACCESS_DENIED',
    note: 'renamed "secret-plan.pdf" before upload',
    result: 'failed',
  });
  await log.append({ type: 'session.failed', at: '2026-11-26T09:30:00.000Z', grant: 'hr-upload', error: { code: 'STS_ACCESS_DENIED', message: 'Not in trust policy' } });
  await log.append({ type: 'signin.failed', at: '2026-11-27T07:00:00.000Z', code: 'SIGNIN_KEYS_INVALID', message: `bad key ${FAKE_SECRET}` });
}

async function readExport(file: string): Promise<any> {
  return JSON.parse(await fs.readFile(file, 'utf8'));
}

describe('AuditLog.exportTo', () => {
  it('writes one self-contained JSON file with app, OS, context, summary and the records', async () => {
    const log = new SessionLog({ dataDir: dir });
    await seed(log);
    const audit = new AuditLog({ log, appVersion: '1.2.3', context: async () => context, now: () => Date.parse('2026-11-27T12:00:00Z') });
    const out = path.join(dir, 'export.json');
    expect(await audit.exportTo(out)).toEqual({ records: 7 });
    const doc = await readExport(out);
    expect(doc).toMatchObject({ format: EXPORT_FORMAT, formatVersion: 1, appVersion: '1.2.3', createdAt: '2026-11-27T12:00:00.000Z', redactedFilenames: false });
    expect(doc.os).toMatchObject({ platform: process.platform, arch: process.arch, release: os.release() });
    expect(typeof doc.os.timezone).toBe('string');
    expect(doc.context.settings.grantsLocation).toBe('https://git.example.com/it/grants.git');
    expect(doc.context.grants.revision).toBe(context.grants!.revision);
    expect(doc.context.identity).toEqual(context.identity);
    expect(doc.summary).toMatchObject({
      records: 7,
      sessionsStarted: 1,
      sessionsRefreshed: 1,
      signIns: 1,
      errorsByCode: { S3_ACCESS_DENIED: 1, STS_ACCESS_DENIED: 1, SIGNIN_KEYS_INVALID: 1 },
      uploads: { ok: 1, failed: 1, other: 0, bytesOk: 1234 },
      firstAt: '2026-11-20T08:00:00.000Z',
      lastAt: '2026-11-27T07:00:00.000Z',
    });
    expect(doc.records.map((r: any) => r.type)).toEqual([
      'signin.ok',
      'session.started',
      'session.refreshed',
      'upload.done',
      'upload.failed',
      'session.failed',
      'signin.failed',
    ]);
    expect(doc.records[3].key).toBe('hr/2026/Payroll Nov.xlsx');
    if (process.platform !== 'win32') expect((await fs.stat(out)).mode & 0o777).toBe(0o600);
  });

  it('keeps only the window', async () => {
    const log = new SessionLog({ dataDir: dir });
    await seed(log);
    const audit = new AuditLog({ log, appVersion: '1', context: async () => context, now: () => Date.parse('2026-11-27T12:00:00Z') });
    const out = path.join(dir, 'week.json');
    expect(await audit.exportTo(out, { sinceMs: Date.parse('2026-11-26T08:30:00Z') })).toEqual({ records: 3 });
    const doc = await readExport(out);
    expect(doc.window).toEqual({ since: '2026-11-26T08:30:00.000Z', until: '2026-11-27T12:00:00.000Z' });
    expect(doc.summary.records).toBe(3);
    expect(doc.records.map((r: any) => r.type)).toEqual(['session.refreshed', 'session.failed', 'signin.failed']);
  });

  it('replaces file names and keys by stable short hashes with the extension, in fields and notes', async () => {
    const log = new SessionLog({ dataDir: dir });
    await seed(log);
    const audit = new AuditLog({ log, appVersion: '1', context: async () => context });
    const out = path.join(dir, 'redacted.json');
    await audit.exportTo(out, { redactFilenames: true });
    const text = await fs.readFile(out, 'utf8');
    for (const name of ['Payroll', 'secret-plan', 'hr/2026']) expect(text).not.toContain(name);
    const doc = JSON.parse(text);
    const done = doc.records.find((r: any) => r.type === 'upload.done');
    expect(done.key).toBe(hashFileName('hr/2026/Payroll Nov.xlsx'));
    expect(done.key).toMatch(/^[0-9a-f]{8}\/[0-9a-f]{8}\/[0-9a-f]{8}\.xlsx$/);
    // Stable: the same name gives the same hash, so helpdesk can still follow one file across records.
    expect(done.file).toBe(hashFileName('Payroll Nov.xlsx'));
    expect(done.key.endsWith(done.file)).toBe(true);
    const failed = doc.records.find((r: any) => r.type === 'upload.failed');
    expect(failed.note).toBe(`renamed "${hashFileName('secret-plan.pdf')}" before upload`);
    expect(doc.redactedFilenames).toBe(true);
    // Non-upload records keep their fields.
    expect(doc.records.find((r: any) => r.type === 'session.started').grant).toBe('hr-upload');
  });

  it('hashes names that messages quote but no field holds exactly: the "keep both" name and a raw (NFD) name', async () => {
    const log = new SessionLog({ dataDir: dir });
    await log.append({
      type: 'upload.done',
      at: '2026-11-26T09:00:00.000Z',
      key: 'hr/john/Termination Smith (1).pdf',
      file: 'Termination Smith.pdf',
      note: 'A file with this name already exists, so it was uploaded as “Termination Smith (1).pdf” (keeping both).',
    });
    await log.append({
      type: 'upload.refused',
      at: '2026-11-26T09:01:00.000Z',
      file: 'Résumé Jones.pdf',
      error: { code: 'UPLOAD_TOO_LARGE', message: '“Re\u0301sume\u0301 Jones.pdf” is 2 GB, larger than the 1 GB this grant allows.' },
    });
    const audit = new AuditLog({ log, appVersion: '1', context: async () => context });
    const out = path.join(dir, 'quoted.json');
    await audit.exportTo(out, { redactFilenames: true });
    const text = await fs.readFile(out, 'utf8');
    for (const name of ['Termination', 'Smith', 'Jones', 'sume']) expect(text).not.toContain(name);
    const doc = JSON.parse(text);
    expect(doc.records[0].note).toBe(`A file with this name already exists, so it was uploaded as “${hashFileName('Termination Smith (1).pdf')}” (keeping both).`);
    // The quoted raw name hashes like the safe name in `file`, so helpdesk can still tie the message to the file.
    expect(doc.records[1].error.message).toBe(`“${doc.records[1].file}” is 2 GB, larger than the 1 GB this grant allows.`);
  });

  it('re-runs the redaction guard: a secret that reached the log file by another way is not exported', async () => {
    const log = new SessionLog({ dataDir: dir });
    await fs.mkdir(path.join(dir, 'logs'), { recursive: true });
    // Written behind the log's back (an old version, a hand edit): the export must still not carry it.
    const raw = { type: 'session.started', at: '2026-11-26T08:00:00.000Z', sessionToken: FAKE_TOKEN, note: `key ${FAKE_KEY_ID} ${FAKE_SECRET}` };
    await fs.writeFile(log.file, `${JSON.stringify(raw)}\n`);
    const audit = new AuditLog({ log, appVersion: '1', context: async () => ({ ...context, settings: { ...context.settings, path: `/x/${FAKE_SECRET}` } }) });
    const out = path.join(dir, 'e.json');
    await audit.exportTo(out);
    const text = await fs.readFile(out, 'utf8');
    for (const s of [FAKE_TOKEN.slice(0, 40), FAKE_SECRET, FAKE_KEY_ID, 'ghp_abcdefSECRET']) expect(text).not.toContain(s);
    expect(text).toContain('…MPLE');
  });

  it('still exports when the context fails (broken settings), saying why', async () => {
    const log = new SessionLog({ dataDir: dir });
    await seed(log);
    const audit = new AuditLog({
      log,
      appVersion: '1',
      context: async () => {
        throw new AppError('SETTINGS_INVALID', 'Your settings file has a mistake on line 3.');
      },
    });
    const out = path.join(dir, 'broken.json');
    expect((await audit.exportTo(out)).records).toBe(7);
    const doc = await readExport(out);
    expect(doc.context).toEqual({ error: { code: 'SETTINGS_INVALID', message: 'Your settings file has a mistake on line 3.' } });
  });

  it('writes a valid file for an empty log', async () => {
    const audit = new AuditLog({ log: new SessionLog({ dataDir: dir }), appVersion: '1', context: async () => context });
    const out = path.join(dir, 'empty.json');
    expect(await audit.exportTo(out)).toEqual({ records: 0 });
    expect((await readExport(out)).records).toEqual([]);
  });

  it('fails with LOG_EXPORT_FAILED and a hint when the folder does not exist, leaving no temp file behind', async () => {
    const audit = new AuditLog({ log: new SessionLog({ dataDir: dir }), appVersion: '1', context: async () => context });
    const e = await audit.exportTo(path.join(dir, 'missing', 'x.json')).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('LOG_EXPORT_FAILED');
    expect((e as AppError).details.hint).toMatch(/folder does not exist/);
  });

  it('replaces an existing file atomically and leaves no temporary files', async () => {
    const log = new SessionLog({ dataDir: dir });
    await seed(log);
    const out = path.join(dir, 'out', 'x.json');
    await fs.mkdir(path.dirname(out));
    await fs.writeFile(out, 'old');
    await new AuditLog({ log, appVersion: '1', context: async () => context }).exportTo(out);
    expect((await readExport(out)).records).toHaveLength(7);
    expect(await fs.readdir(path.dirname(out))).toEqual(['x.json']);
  });

  it('append() goes through the session log', async () => {
    const log = new SessionLog({ dataDir: dir });
    const audit = new AuditLog({ log, appVersion: '1', context: async () => context });
    await audit.append({ type: 'grants.updated', secret: 'x' });
    expect(JSON.parse(await fs.readFile(log.file, 'utf8'))).toMatchObject({ type: 'grants.updated' });
    expect(await fs.readFile(log.file, 'utf8')).not.toContain('"secret"');
  });
});

describe('helpers', () => {
  it('strips credentials from URLs', () => {
    expect(stripUrlCredentials('https://u:p@h/x and ssh://git@host/r')).toBe('https://h/x and ssh://host/r');
  });
  it('hashes each path segment and keeps a short extension', () => {
    expect(hashFileName('a/b.txt')).toMatch(/^[0-9a-f]{8}\/[0-9a-f]{8}\.txt$/);
    expect(hashFileName('README')).toMatch(/^[0-9a-f]{8}$/);
    expect(hashFileName('x.verylongextension')).toMatch(/^[0-9a-f]{8}$/);
  });
});
