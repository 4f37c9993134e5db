// The helpdesk export: AuditService over the session log. exportTo() writes ONE self-contained JSON file (format
// "grantbox-helpdesk-export", documented in docs/helpdesk.md): app version, OS, a settings/grants/identity summary
// from the caller's context, a summary of the window (sessions, errors by code, uploads), and the records in the
// window. It re-runs the redaction guard on everything it writes, can replace file names by stable short hashes,
// streams records (two passes over the log: summary first, then records) and lands atomically (temp file in the
// same folder, 0600, fsync, rename), so helpdesk never receives half a file and the log is never read whole.
// A failing context (broken settings, locked keychain) is recorded in the export instead of stopping it: that is
// exactly when helpdesk needs the file.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError, toAppError } from '../errors';
import type { AuditService } from '../services';
import { redactRecord } from './redact';
import type { SessionLog } from './session-log';
import type { LogRecord } from './types';

export const EXPORT_FORMAT = 'grantbox-helpdesk-export';
export const EXPORT_FORMAT_VERSION = 1;

export interface SettingsSummary {
  /** Settings file the app read. */
  path?: string;
  grantsSource?: string;
  /** Folder path or remote URL; credentials in a URL are removed on export. */
  grantsLocation?: string;
  region?: string;
  endpointHost?: string;
  forcePathStyle?: boolean;
  /** Set instead of the fields above when the settings could not be read ("settings: not found"). */
  unavailable?: string;
}

export interface ExportContext {
  settings: SettingsSummary;
  grants?: { revision?: string; updatedAt?: string; notice?: string; total?: number } | null;
  identity?: { arn: string; account: string; verified?: boolean } | null;
  /** Why the full services could not start, when the caller fell back to a partial context. */
  startError?: { code: string; message: string; details?: unknown };
}

export interface AuditLogOptions {
  log: SessionLog;
  appVersion: string;
  context: () => Promise<ExportContext>;
  now?: () => number;
}

export interface ExportSummary {
  records: number;
  sessionsStarted: number;
  sessionsRefreshed: number;
  signIns: number;
  errorsByCode: Record<string, number>;
  uploads: { ok: number; failed: number; other: number; bytesOk: number };
  firstAt?: string;
  lastAt?: string;
}

export class AuditLog implements AuditService {
  constructor(private readonly options: AuditLogOptions) {}

  append(record: LogRecord): Promise<void> {
    return this.options.log.append(record);
  }

  async exportTo(file: string, options: { sinceMs?: number; redactFilenames?: boolean } = {}): Promise<{ records: number }> {
    const now = this.options.now ?? Date.now;
    const until = now();
    const since = options.sinceMs;
    const redactNames = options.redactFilenames ?? false;
    const inWindow = (r: LogRecord) => {
      const at = Date.parse(String(r.at));
      return !(at > until);
    };

    let context: unknown;
    try {
      context = cleanContext(await this.options.context());
    } catch (e) {
      context = { error: toAppError(e).toJSON() };
    }

    const summary = emptySummary();
    try {
      for await (const r of this.options.log.read(since === undefined ? {} : { sinceMs: since })) if (inWindow(r)) addToSummary(summary, r);
    } catch (e) {
      throw exportError('read', e);
    }

    const head = {
      format: EXPORT_FORMAT,
      formatVersion: EXPORT_FORMAT_VERSION,
      createdAt: new Date(until).toISOString(),
      appVersion: this.options.appVersion,
      os: osSummary(),
      window: { since: since === undefined ? null : new Date(since).toISOString(), until: new Date(until).toISOString() },
      redactedFilenames: redactNames,
      context,
      summary,
    };

    const target = path.resolve(file);
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    let handle: fs.FileHandle | undefined;
    let written = 0;
    try {
      handle = await fs.open(tmp, 'wx', 0o600);
      const headText = JSON.stringify(head, null, 2);
      // The head is an object; records follow as one array, a record per line so the file stays greppable.
      await handle.write(`${headText.slice(0, -2)},\n  "records": [`);
      // Records are written in ~64 KiB batches: one write per record made a 20 000-record export take seconds.
      let pending = '';
      for await (const r of this.options.log.read(since === undefined ? {} : { sinceMs: since })) {
        if (!inWindow(r)) continue;
        const clean = redactRecord(redactNames ? hideFileNames(r) : r);
        pending += `${written === 0 ? '\n' : ',\n'}    ${JSON.stringify(clean)}`;
        written += 1;
        if (pending.length >= 64 * 1024) {
          await handle.write(pending);
          pending = '';
        }
      }
      await handle.write(`${pending}${written ? '\n  ]\n}\n' : ']\n}\n'}`);
      await handle.sync();
      await handle.close();
      handle = undefined;
      await fs.rename(tmp, target);
    } catch (e) {
      await handle?.close().catch(() => undefined);
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw exportError('write', e, target);
    }
    return { records: written };
  }
}

function exportError(stage: 'read' | 'write', e: unknown, target?: string): AppError {
  const errno = (e as NodeJS.ErrnoException).code;
  return new AppError(
    stage === 'read' ? 'LOG_READ_FAILED' : 'LOG_EXPORT_FAILED',
    stage === 'read'
      ? 'Grantbox could not read its session log to make the export.'
      : `Grantbox could not save the export${target ? ` to ${target}` : ''}.`,
    {
      cause: e,
      details: {
        hint:
          stage === 'read'
            ? 'Check that your user can read the "logs" folder in the Grantbox data folder, then try again.'
            : errno === 'ENOENT'
              ? 'The folder does not exist. Choose an existing folder and try again.'
              : errno === 'EACCES' || errno === 'EPERM'
                ? 'You cannot write to that folder. Choose another place (for example your Desktop) and try again.'
                : errno === 'ENOSPC'
                  ? 'The disk is full. Free some space or choose another disk, then try again.'
                  : 'Choose another place to save it and try again.',
        ...(errno ? { errno } : {}),
      },
    },
  );
}

function emptySummary(): ExportSummary {
  return { records: 0, sessionsStarted: 0, sessionsRefreshed: 0, signIns: 0, errorsByCode: {}, uploads: { ok: 0, failed: 0, other: 0, bytesOk: 0 } };
}

const CODE_RE = /^[A-Z][A-Z0-9_]{2,}$/;

/** The error code a record carries, whichever writer made it (code, errorCode, error.code). */
export function recordErrorCode(r: LogRecord): string | null {
  const error = r.error as { code?: unknown } | undefined;
  for (const c of [r.errorCode, r.code, error && typeof error === 'object' ? error.code : undefined]) {
    if (typeof c === 'string' && CODE_RE.test(c)) return c;
  }
  return null;
}

function addToSummary(s: ExportSummary, r: LogRecord): void {
  s.records += 1;
  const at = typeof r.at === 'string' ? r.at : undefined;
  if (at) {
    if (!s.firstAt || at < s.firstAt) s.firstAt = at;
    if (!s.lastAt || at > s.lastAt) s.lastAt = at;
  }
  if (r.type === 'session.started') s.sessionsStarted += 1;
  if (r.type === 'session.refreshed') s.sessionsRefreshed += 1;
  if (r.type === 'signin.ok') s.signIns += 1;
  if (r.type.startsWith('upload.')) {
    if (r.type === 'upload.done') {
      s.uploads.ok += 1;
      if (typeof r.size === 'number') s.uploads.bytesOk += r.size;
    } else if (r.type === 'upload.failed') s.uploads.failed += 1;
    else s.uploads.other += 1;
  }
  const code = recordErrorCode(r);
  if (code) s.errorsByCode[code] = (s.errorsByCode[code] ?? 0) + 1;
}

function osSummary(): Record<string, unknown> {
  let locale: string | undefined;
  let timezone: string | undefined;
  try {
    const resolved = Intl.DateTimeFormat().resolvedOptions();
    locale = resolved.locale;
    timezone = resolved.timeZone;
  } catch {
    // Intl without data: leave them out
  }
  return {
    platform: process.platform,
    release: os.release(),
    arch: process.arch,
    ...(locale ? { locale } : {}),
    ...(timezone ? { timezone } : {}),
    utcOffsetMinutes: -new Date().getTimezoneOffset(),
    node: process.versions.node,
    ...(process.versions.electron ? { electron: process.versions.electron } : {}),
  };
}

/** Removes user:password@ from URLs (a git remote may carry a token), then runs the redaction guard. */
export function stripUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1');
}

function cleanContext(ctx: ExportContext): unknown {
  const settings = { ...ctx.settings };
  if (settings.grantsLocation) settings.grantsLocation = stripUrlCredentials(settings.grantsLocation);
  const { type: _type, ...rest } = redactRecord({ type: 'context', ...ctx, settings, grants: ctx.grants ?? null, identity: ctx.identity ?? null });
  return rest;
}

// ---------- file-name redaction ----------

/** Fields of upload records that hold a file name, an S3 key or a local path. */
const NAME_FIELDS = new Set(['key', 'file', 'relativePath', 'path', 'localPath', 'fileName', 'name', 'source', 'target', 'from', 'to', 'renamedFrom', 'keys', 'files']);

function hashSegment(segment: string): string {
  if (segment === '' || segment === '.' || segment === '..') return segment;
  const dot = segment.lastIndexOf('.');
  const ext = dot > 0 && segment.length - dot <= 11 ? segment.slice(dot).toLowerCase() : '';
  return `${createHash('sha256').update(segment, 'utf8').digest('hex').slice(0, 8)}${ext}`;
}

/** A stable short hash per path segment plus the extension: "hr/2026/payroll.xlsx" → "1a2b3c4d/5e6f7a8b/9c0d1e2f.xlsx". */
export function hashFileName(name: string): string {
  return name
    .split(/([/\\])/)
    .map((part) => (part === '/' || part === '\\' ? part : hashSegment(part)))
    .join('');
}

/** A “quoted” span in a message (the capture group makes split() keep the inside). */
const QUOTED_NAME_RE = /“([^”]*)”/;

function hideFileNames(r: LogRecord): LogRecord {
  if (!r.type.startsWith('upload.') && !r.type.startsWith('uploads.')) return r;
  const originals: Array<[string, string]> = [];
  const hide = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const h = hashFileName(v);
      originals.push([v, h]);
      return h;
    }
    return Array.isArray(v) ? v.map(hide) : v;
  };
  const out: LogRecord = { ...r };
  for (const k of Object.keys(out)) if (NAME_FIELDS.has(k)) out[k] = hide(out[k]);
  // A receipt (upload.done) names the file and its key again.
  if (out.receipt && typeof out.receipt === 'object') {
    const receipt: Record<string, unknown> = { ...(out.receipt as Record<string, unknown>) };
    for (const k of Object.keys(receipt)) if (NAME_FIELDS.has(k)) receipt[k] = hide(receipt[k]);
    out.receipt = receipt;
  }
  // Free text (notes, messages) may quote a name: replace the ones we know, longest first.
  originals.sort((a, b) => b[0].length - a[0].length);
  const known = (text: string) => originals.reduce((t, [orig, h]) => (orig ? t.split(orig).join(h) : t), text);
  // Messages also quote names no field holds exactly — the "keep both" name (“report (1).pdf”), the raw name a
  // refusal quotes (NFD from macOS, before it was made safe) — so every “quoted” span is hashed as a name too,
  // NFC first so it matches the hash of the same name in `file`.
  const scrub = (text: string) =>
    text
      .split(QUOTED_NAME_RE)
      .map((part, i) => (i % 2 === 1 ? `“${hashFileName(part.normalize('NFC'))}”` : known(part)))
      .join('');
  for (const k of ['note', 'message', 'reason']) if (typeof out[k] === 'string') out[k] = scrub(out[k] as string);
  const error = out.error as { message?: unknown } | undefined;
  if (error && typeof error === 'object' && typeof error.message === 'string') out.error = { ...error, message: scrub(error.message) };
  return out;
}
