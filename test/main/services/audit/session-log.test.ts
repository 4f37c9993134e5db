// SessionLog on a real temporary folder: JSONL lines, 0600, no interleaving, rotation, age pruning, reading
// across files, and the guard that keeps secrets off the disk.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionLog } from '../../../../main/services/audit/session-log';
import type { LogRecord } from '../../../../main/services/audit/types';
import { FAKE_SECRET, FAKE_TOKEN } from './secrets.fixture';

let dataDir: string;
beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'grantbox-log-'));
});
afterEach(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

async function all(log: SessionLog, sinceMs?: number): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of log.read(sinceMs === undefined ? {} : { sinceMs })) out.push(r);
  return out;
}

async function everythingUnder(dir: string): Promise<string> {
  let text = '';
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) text += await fs.readFile(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return text;
}

describe('SessionLog', () => {
  it('appends one JSON line per record under logs/session.jsonl, mode 0600, with `at` filled in', async () => {
    const log = new SessionLog({ dataDir, now: () => Date.parse('2026-11-27T10:00:00Z') });
    await log.append({ type: 'signin.ok', arn: 'arn:aws:iam::629470240201:user/john' });
    await log.append({ type: 'session.started', at: '2026-11-27T10:00:05.000Z', grant: 'hr-upload' });
    const file = path.join(dataDir, 'logs', 'session.jsonl');
    expect(log.file).toBe(file);
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual({ type: 'signin.ok', arn: 'arn:aws:iam::629470240201:user/john', at: '2026-11-27T10:00:00.000Z' });
    expect(JSON.parse(lines[1]!).at).toBe('2026-11-27T10:00:05.000Z');
    if (process.platform !== 'win32') {
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
      expect((await fs.stat(path.join(dataDir, 'logs'))).mode & 0o777).toBe(0o700);
    }
  });

  it('tightens a log file that was left readable by others to 0600', async () => {
    if (process.platform === 'win32') return;
    await fs.mkdir(path.join(dataDir, 'logs'), { recursive: true });
    const file = path.join(dataDir, 'logs', 'session.jsonl');
    await fs.writeFile(file, '', { mode: 0o644 });
    await fs.chmod(file, 0o644);
    await new SessionLog({ dataDir }).append({ type: 'x' });
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('never lets a secret reach the disk', async () => {
    const log = new SessionLog({ dataDir });
    await log.append({
      type: 'session.started',
      secretAccessKey: FAKE_SECRET,
      sessionToken: FAKE_TOKEN,
      mfaCode: '123456',
      Credentials: { AccessKeyId: 'ASIAIOSFODNN7EXAMPLE', SecretAccessKey: FAKE_SECRET, SessionToken: FAKE_TOKEN },
      message: `failed with ${FAKE_SECRET} and ${FAKE_TOKEN} for key AKIAIOSFODNN7EXAMPLE`,
    });
    const text = await everythingUnder(dataDir);
    expect(text).toContain('session.started');
    for (const s of [FAKE_SECRET, FAKE_TOKEN.slice(0, 40), '123456', 'AKIAIOSFODNN7EXAMPLE', 'ASIAIOSFODNN7EXAMPLE']) expect(text).not.toContain(s);
    expect(text).toContain('…MPLE');
  });

  it('writes concurrent appends as whole lines, none lost or interleaved', async () => {
    const log = new SessionLog({ dataDir });
    const other = new SessionLog({ dataDir }); // a second writer on the same file, like the CLI beside the app
    const big = 'x'.repeat(20_000);
    await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? log : other).append({ type: 'upload.done', i, big })));
    const lines = (await fs.readFile(log.file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(200);
    const seen = lines.map((l) => (JSON.parse(l) as { i: number; big: string }).i).sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('writes records that arrive during a write together, each resolving once its own line is on disk', async () => {
    const log = new SessionLog({ dataDir });
    const opens: number[] = [];
    const realOpen = fs.open;
    // Count how many times the log opens its file: one per write, however many records it carries.
    const spy = vi.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof fs.open>) => {
      opens.push(1);
      return realOpen(...args);
    });
    try {
      const seen: number[] = [];
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          log.append({ type: 'upload.done', i }).then(async () => {
            const text = await fs.readFile(log.file, 'utf8');
            if (text.includes(`"i":${i},`)) seen.push(i);
          }),
        ),
      );
      expect(seen).toHaveLength(100);
      expect(opens.length).toBeLessThan(10);
    } finally {
      spy.mockRestore();
    }
    const got = (await all(log)).map((r) => r.i);
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('rotates inside a batch so no file passes the size limit', async () => {
    const log = new SessionLog({ dataDir, maxSize: 1000, maxFiles: 20 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => log.append({ type: 'upload.done', i, pad: 'p'.repeat(80) })));
    const names = await fs.readdir(path.join(dataDir, 'logs'));
    expect(names.length).toBeGreaterThan(3);
    for (const n of names) expect((await fs.stat(path.join(dataDir, 'logs', n))).size).toBeLessThanOrEqual(1000);
    expect((await all(log)).map((r) => r.i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('rotates by size, keeps maxFiles old files, and reads everything back in order', async () => {
    const log = new SessionLog({ dataDir, maxSize: 1000, maxFiles: 2 });
    for (let i = 0; i < 40; i++) await log.append({ type: 'upload.done', i, pad: 'p'.repeat(80) });
    const names = (await fs.readdir(path.join(dataDir, 'logs'))).sort();
    expect(names).toEqual(['session.1.jsonl', 'session.2.jsonl', 'session.jsonl']);
    for (const n of names) expect((await fs.stat(path.join(dataDir, 'logs', n))).size).toBeLessThanOrEqual(1000);
    const got = (await all(log)).map((r) => r.i as number);
    // The oldest files were dropped; what is left is the newest records, in order, ending with the last one.
    expect(got.at(-1)).toBe(39);
    expect(got).toEqual([...got].sort((a, b) => a - b));
    expect(got.length).toBeGreaterThan(15);
    expect(got.length).toBeLessThan(40);
  });

  it('accepts maxSize as text ("10MiB") like the settings file', async () => {
    const log = new SessionLog({ dataDir, maxSize: '1KiB' });
    for (let i = 0; i < 30; i++) await log.append({ type: 't', pad: 'p'.repeat(60) });
    expect((await fs.readdir(path.join(dataDir, 'logs'))).length).toBeGreaterThan(1);
  });

  it('filters by time on read', async () => {
    const log = new SessionLog({ dataDir });
    await log.append({ type: 'a', at: '2026-11-01T00:00:00.000Z' });
    await log.append({ type: 'b', at: '2026-11-20T00:00:00.000Z' });
    await log.append({ type: 'c', at: '2026-11-27T00:00:00.000Z' });
    expect((await all(log, Date.parse('2026-11-15T00:00:00Z'))).map((r) => r.type)).toEqual(['b', 'c']);
    expect((await all(log)).map((r) => r.type)).toEqual(['a', 'b', 'c']);
  });

  it('prunes by age: drops old files and old records at the start of a file', async () => {
    let now = Date.parse('2026-11-27T12:00:00Z');
    const log = new SessionLog({ dataDir, maxAgeDays: 30, maxSize: 400, now: () => now });
    await log.append({ type: 'old1', at: '2026-09-01T00:00:00.000Z', pad: 'p '.repeat(150) });
    await log.append({ type: 'old2', at: '2026-10-01T00:00:00.000Z' });
    await log.append({ type: 'new', at: '2026-11-26T00:00:00.000Z' });
    // Age the rotated file on disk as if last written in September.
    const rotated = path.join(dataDir, 'logs', 'session.1.jsonl');
    const sept = new Date('2026-09-01T00:00:00Z');
    await fs.utimes(rotated, sept, sept);
    now += 2 * 24 * 3600 * 1000;
    await log.prune();
    await expect(fs.stat(rotated)).rejects.toThrow();
    expect((await all(log)).map((r) => r.type)).toEqual(['new']);
    expect((await fs.stat(log.file)).mode & 0o777).toBe(0o600);
  });

  it('skips a torn line (crash mid-write) and keeps reading', async () => {
    const log = new SessionLog({ dataDir });
    await log.append({ type: 'a' });
    await fs.appendFile(log.file, '{"type":"tor');
    await fs.appendFile(log.file, '\n');
    await log.append({ type: 'b' });
    expect((await all(log)).map((r) => r.type)).toEqual(['a', 'b']);
  });

  it('replaces a runaway record by a short note', async () => {
    const log = new SessionLog({ dataDir });
    await log.append({ type: 'grants.rejected', diagnostics: 'line of text, '.repeat(20_000) });
    const [r] = await all(log);
    expect(r!.type).toBe('grants.rejected');
    expect(String(r!.note)).toMatch(/too large/);
  });

  it('reads nothing, without error, when there is no log yet', async () => {
    expect(await all(new SessionLog({ dataDir }))).toEqual([]);
  });
});
