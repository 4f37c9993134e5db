// The session log: append-only JSONL at <dataDir>/logs/session.jsonl (mode 0600, folder 0700) that sign-in,
// sessions, grants and uploads write to, and that the helpdesk export reads. It owns:
// - the redaction guard on the way in (redact.ts) and `at` filled in;
// - one record = one line, written whole by one write(2) on an O_APPEND descriptor, so lines from this process
//   (appends are queued) and from another Grantbox process (app and CLI at once) never interleave. Records that
//   arrive while a write is under way are written together by the next write(2) (a folder of small files finishes
//   hundreds of uploads a second): each append still resolves only once its line is on disk, and a crash loses
//   only records not yet written — the same as before batching;
// - rotation by size (session.jsonl → session.1.jsonl → … → session.<maxFiles>.jsonl, the oldest dropped) and
//   pruning by age (files last written before the cutoff are deleted; a file that still starts with records
//   older than the cutoff is rewritten without them), checked when the log is first used and then daily;
// - read({ sinceMs }): every record, oldest file first, streamed line by line.
// Rotation and pruning are not coordinated across processes: two processes rotating at the same moment can at
// worst drop one old file early, never interleave or corrupt a line.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseSize } from '../../../config/schema';
import { redactRecord } from './redact';
import type { LogRecord, SessionLogReader, SessionLogWriter } from './types';

export const DEFAULT_LOG_MAX_BYTES = 10 * 2 ** 20;
export const DEFAULT_LOG_MAX_AGE_DAYS = 30;
/** Rotated files kept besides the active one. */
export const DEFAULT_LOG_MAX_FILES = 5;
/** A single record larger than this is replaced by a note: one runaway record must not eat the log. */
export const MAX_RECORD_BYTES = 64 * 1024;
const DAY_MS = 24 * 3600 * 1000;
/** Most bytes (UTF-16 units, near enough) gathered for one write while an earlier one runs. */
const MAX_BATCH_BYTES = 256 * 1024;

export interface SessionLogOptions {
  dataDir: string;
  /** Rotate at this size: bytes or "10MiB" (default 10 MiB). */
  maxSize?: string | number;
  maxAgeDays?: number;
  maxFiles?: number;
  /** Clock for tests. */
  now?: () => number;
}

export class SessionLog implements SessionLogWriter, SessionLogReader {
  readonly dir: string;
  readonly file: string;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly maxFiles: number;
  private readonly now: () => number;
  /** Appends, rotation and pruning run one after another. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Lines waiting for the write in progress to end; they go out together in the next write. */
  private batch: { lines: string[]; bytes: number; done: Promise<void> } | undefined;
  private lastPruned = -Infinity;
  /** The file's mode is checked once per process: a file made by hand or by an old version may be wider. */
  private modeChecked = false;

  constructor(options: SessionLogOptions) {
    this.dir = path.join(options.dataDir, 'logs');
    this.file = path.join(this.dir, 'session.jsonl');
    const size = options.maxSize === undefined ? null : parseSize(options.maxSize);
    this.maxBytes = size && size > 0 ? size : DEFAULT_LOG_MAX_BYTES;
    this.maxAgeMs = (options.maxAgeDays ?? DEFAULT_LOG_MAX_AGE_DAYS) * DAY_MS;
    this.maxFiles = Math.max(1, options.maxFiles ?? DEFAULT_LOG_MAX_FILES);
    this.now = options.now ?? Date.now;
  }

  /** Appends one record (redacted, `at` filled in). Rejects only when the disk refuses. */
  append(record: LogRecord): Promise<void> {
    const line = this.serialize(record);
    const waiting = this.batch;
    if (waiting && waiting.bytes < MAX_BATCH_BYTES) {
      waiting.lines.push(line);
      waiting.bytes += line.length;
      return waiting.done;
    }
    const batch = { lines: [line], bytes: line.length, done: Promise.resolve() };
    this.batch = batch;
    const run = this.queue.then(() => {
      // From here on, new records start the next batch.
      if (this.batch === batch) this.batch = undefined;
      return this.write(batch.lines);
    });
    batch.done = run;
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Records at or after `sinceMs` (epoch ms; default all), oldest first, across rotated files. */
  async *read(options: { sinceMs?: number } = {}): AsyncGenerator<LogRecord> {
    const since = options.sinceMs ?? -Infinity;
    for (const file of await this.files()) {
      let stream;
      try {
        stream = createReadStream(file, { encoding: 'utf8' });
        await new Promise<void>((resolve, reject) => {
          stream!.once('open', () => resolve());
          stream!.once('error', reject);
        });
      } catch {
        continue; // rotated or pruned away meanwhile
      }
      const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
      for await (const line of lines) {
        const record = parseLine(line);
        if (!record) continue;
        const at = Date.parse(String(record.at));
        if (since > -Infinity && !(at >= since)) continue;
        yield record;
      }
    }
  }

  /** The log's files, oldest first: session.<maxFiles>.jsonl … session.1.jsonl, session.jsonl. */
  async files(): Promise<string[]> {
    const out: string[] = [];
    for (let i = this.maxFiles; i >= 1; i--) out.push(this.rotated(i));
    out.push(this.file);
    const present = await Promise.all(out.map((f) => fs.stat(f).then(() => true, () => false)));
    return out.filter((_, i) => present[i]);
  }

  /** Applies the age limit now (also done automatically on first use and daily). */
  prune(): Promise<void> {
    const run = this.queue.then(() => this.pruneNow());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private serialize(record: LogRecord): string {
    const clean = redactRecord(record);
    const at = typeof clean.at === 'string' && !Number.isNaN(Date.parse(clean.at)) ? clean.at : new Date(this.now()).toISOString();
    let line = JSON.stringify({ ...clean, at });
    if (Buffer.byteLength(line) > MAX_RECORD_BYTES) {
      line = JSON.stringify({ type: clean.type, at, note: `record too large for the log (${Buffer.byteLength(line)} bytes); left out` });
    }
    return `${line}\n`;
  }

  private rotated(i: number): string {
    return path.join(this.dir, `session.${i}.jsonl`);
  }

  /** Writes whole lines: as many as fit before the size limit in one write(2), rotating in between. */
  private async write(lines: string[]): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    if (this.now() - this.lastPruned >= DAY_MS) await this.pruneNow();
    const encoded = lines.map((l) => Buffer.from(l, 'utf8'));
    let handle = await fs.open(this.file, 'a', 0o600);
    try {
      let { size } = await handle.stat();
      if (!this.modeChecked && process.platform !== 'win32') {
        this.modeChecked = true;
        await handle.chmod(0o600).catch(() => undefined);
      }
      for (let i = 0; i < encoded.length; ) {
        if (size > 0 && size + encoded[i]!.length > this.maxBytes) {
          await handle.close();
          await this.rotate();
          handle = await fs.open(this.file, 'a', 0o600);
          size = 0;
        }
        // The lines that fit (at least one: a record alone may exceed the limit in an empty file).
        let n = 1;
        let bytes = encoded[i]!.length;
        while (i + n < encoded.length && size + bytes + encoded[i + n]!.length <= this.maxBytes) bytes += encoded[i + n++]!.length;
        const chunk = n === 1 ? encoded[i]! : Buffer.concat(encoded.slice(i, i + n), bytes);
        // One write(2) with O_APPEND: the lines land whole at the end, or nothing does.
        await handle.write(chunk, 0, chunk.length);
        size += bytes;
        i += n;
      }
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  private async rotate(): Promise<void> {
    await fs.rm(this.rotated(this.maxFiles), { force: true });
    for (let i = this.maxFiles - 1; i >= 1; i--) {
      await fs.rename(this.rotated(i), this.rotated(i + 1)).catch(ignoreMissing);
    }
    await fs.rename(this.file, this.rotated(1)).catch(ignoreMissing);
  }

  private async pruneNow(): Promise<void> {
    this.lastPruned = this.now();
    const cutoff = this.now() - this.maxAgeMs;
    for (const file of await this.files()) {
      const stat = await fs.stat(file).catch(() => null);
      if (!stat) continue;
      if (stat.mtimeMs < cutoff) {
        await fs.rm(file, { force: true });
        continue;
      }
      if (await startsBefore(file, cutoff)) await this.dropOlderThan(file, cutoff);
    }
  }

  /** Rewrites `file` without records older than `cutoff`, streaming, via a temp file and rename. */
  private async dropOlderThan(file: string, cutoff: number): Promise<void> {
    const tmp = `${file}.${process.pid}.prune`;
    const out = await fs.open(tmp, 'w', 0o600);
    try {
      const lines = readline.createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
      for await (const line of lines) {
        const record = parseLine(line);
        if (record && Date.parse(String(record.at)) >= cutoff) await out.write(`${line}\n`);
      }
    } catch (e) {
      await out.close();
      await fs.rm(tmp, { force: true });
      throw e;
    }
    await out.close();
    await fs.rename(tmp, file);
  }
}

function parseLine(line: string): LogRecord | null {
  if (!line.trim()) return null;
  try {
    const value = JSON.parse(line) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) && typeof (value as LogRecord).type === 'string' ? (value as LogRecord) : null;
  } catch {
    return null; // a torn line from a crash mid-write; skip it rather than lose the rest
  }
}

/** Whether the file's first record is older than `cutoff` (reads only the first line). */
async function startsBefore(file: string, cutoff: number): Promise<boolean> {
  const lines = readline.createInterface({ input: createReadStream(file, { encoding: 'utf8', end: 64 * 1024 }), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const record = parseLine(line);
      if (record) return Date.parse(String(record.at)) < cutoff;
    }
    return false;
  } finally {
    lines.close();
  }
}

function ignoreMissing(e: unknown): void {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
}
