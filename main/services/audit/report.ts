// The helpdesk report (`grantbox logs report EXPORT.json [--html FILE]`): turns a helpdesk export into what a person
// can scan — a short "likely cause" summary at the top (wrong keys since…, clock skew, grant changed or removed,
// session ran out, network/proxy/certificate, bucket refused…), then a timeline of sign-ins, sessions (start, renew,
// expiry), uploads with their receipts, and errors in plain words with docs/helpdesk.md's explanation. Renders as
// text and as ONE self-contained HTML page (inline style, no script, a CSP that forbids loading anything).
// Reads the export line by line (records are one per line), so a large export is never held as one string; what the
// export hid (file names) stays hidden: the report only shows what the export holds.
// One concept over 400 lines: one report in two renderings (text and HTML) over the same cause rules and timeline.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { AppError } from '../errors';
import { EXPORT_FORMAT, recordErrorCode } from './audit-log';
import { HELPDESK_CODES } from './helpdesk-codes';
import type { LogRecord } from './types';

export interface ExportHead {
  format: string;
  formatVersion?: number;
  createdAt?: string;
  appVersion?: string;
  os?: unknown;
  window?: { since: string | null; until: string };
  redactedFilenames?: boolean;
  context?: { identity?: { arn?: string; userName?: string } | null; startError?: { code: string; message: string } } & Record<string, unknown>;
}

export type EventKind = 'sign-in' | 'session' | 'upload' | 'grants' | 'error' | 'other';

export interface TimelineEvent {
  at: string;
  kind: EventKind;
  text: string;
  code?: string;
  /** docs/helpdesk.md: what the code usually means / what helpdesk does. */
  means?: string;
  does?: string;
  receipt?: Record<string, unknown>;
  requestId?: string;
}

export interface LikelyCause {
  id: 'wrong-keys' | 'clock' | 'grant-changed' | 'session-expired' | 'network' | 'bucket-refused' | 'integrity' | 'mfa' | 'other';
  title: string;
  since: string;
  last: string;
  count: number;
  codes: string[];
  advice?: string;
}

export interface HelpdeskReport {
  head: ExportHead;
  causes: LikelyCause[];
  timeline: TimelineEvent[];
  counts: { records: number; signIns: number; sessionsStarted: number; uploadsDone: number; uploadsFailed: number; errors: number };
}

// ---------- reading ----------

/** Reads an export written by AuditLog.exportTo: the head object, then one record per line. */
export async function readExport(file: string, onRecord: (r: LogRecord) => void): Promise<ExportHead> {
  const headLines: string[] = [];
  let head: ExportHead | undefined;
  const notExport = (why: string) =>
    new AppError('REPORT_NOT_AN_EXPORT', `${file} is not a Grantbox helpdesk export (${why}).`, {
      details: { hint: 'Give the file written by “Export for helpdesk” in the app or `grantbox logs export --out FILE`.' },
    });
  let lines;
  try {
    lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!head) {
        const m = /^\s*"records": \[(\]?)\s*$/.exec(line);
        if (!m) {
          headLines.push(line);
          if (headLines.length > 10_000) throw notExport('no records list');
          continue;
        }
        try {
          head = JSON.parse(`${headLines.join('\n').replace(/,\s*$/, '')}\n}`) as ExportHead;
        } catch {
          throw notExport('its beginning is not JSON');
        }
        if (head.format !== EXPORT_FORMAT) throw notExport(`format "${String(head.format)}"`);
        continue;
      }
      const t = line.trim().replace(/,$/, '');
      if (!t.startsWith('{')) continue;
      try {
        const r = JSON.parse(t) as LogRecord;
        if (r && typeof r.type === 'string') onRecord(r);
      } catch {
        // A damaged line (edited by hand, cut off) is skipped; the rest of the day still reads.
      }
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('REPORT_NOT_AN_EXPORT', `${file} could not be read (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, { cause: e, details: { hint: 'Check the path.' } });
  }
  if (!head) throw notExport('no records list');
  return head;
}

// ---------- building ----------

const WRONG_KEYS = new Set(['KEYS_INVALID', 'KEYS_OR_TRUST_REFUSED', 'SIGN_IN_INVALID_SECRET', 'SIGN_IN_INVALID_KEY_ID', 'SESSION_CREDENTIALS_REJECTED', 'SIGN_IN_SECRET_DAMAGED']);
const WRONG_KEYS_AWS = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'InvalidAccessKeyId']);
const NETWORK = new Set(['NO_NETWORK', 'ENDPOINT_UNREACHABLE', 'ENDPOINT_TIMEOUT', 'TLS_UNTRUSTED', 'NETWORK_CA_BUNDLE_MISSING', 'NETWORK_CA_BUNDLE_INVALID', 'SIGN_IN_PROVIDER_UNREACHABLE', 'GIT_UNREACHABLE', 'AWS_UNREADABLE_RESPONSE']);
const BUCKET = new Set(['S3_ACCESS_DENIED', 'S3_ENCRYPTION_REQUIRED', 'S3_NO_SUCH_BUCKET', 'S3_NOT_FOUND', 'AWS_ACCESS_DENIED', 'NOT_IN_TRUST_POLICY', 'UPLOAD_REPLACE_NOT_ALLOWED']);
const INTEGRITY = new Set(['UPLOAD_CHECKSUM_MISMATCH', 'UPLOAD_CORRUPTED', 'UPLOAD_SIZE_MISMATCH']);
const GRANT = new Set(['GRANT_NOT_FOUND', 'GRANT_NOT_FOR_YOU', 'SESSION_NOT_STARTED']);
const EXPIRED = new Set(['SESSION_EXPIRED']);
const MFA = new Set(['MFA_CODE_REJECTED', 'MFA_CODE_INVALID', 'MFA_DEVICE_MISSING', 'MFA_REQUIRED']);
/** Not a problem to explain: the person chose it. */
const BENIGN = new Set(['UPLOAD_LINK_SKIPPED', 'S3_OBJECT_EXISTS', 'UPLOAD_CANCELLED', 'CANCELLED', 'SIGN_IN_CANCELLED', 'MFA_CANCELLED']);

const CAUSE_ORDER: LikelyCause['id'][] = ['wrong-keys', 'clock', 'grant-changed', 'session-expired', 'network', 'bucket-refused', 'integrity', 'mfa', 'other'];

function causeOf(code: string, r: LogRecord): LikelyCause['id'] | undefined {
  if (BENIGN.has(code)) return undefined;
  if (WRONG_KEYS.has(code) || (typeof r.awsCode === 'string' && WRONG_KEYS_AWS.has(r.awsCode) && r.type.startsWith('signin.'))) return 'wrong-keys';
  if (code === 'CLOCK_SKEW') return 'clock';
  if (GRANT.has(code)) return 'grant-changed';
  if (EXPIRED.has(code)) return 'session-expired';
  if (NETWORK.has(code)) return 'network';
  if (BUCKET.has(code)) return 'bucket-refused';
  if (INTEGRITY.has(code)) return 'integrity';
  if (MFA.has(code)) return 'mfa';
  return 'other';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function eventFor(r: LogRecord): TimelineEvent {
  const at = str(r.at) ?? '';
  const code = recordErrorCode(r) ?? undefined;
  const grant = str(r.grant);
  const g = grant ? ` “${grant}”` : '';
  const file = str(r.file) ?? str(r.key) ?? '';
  const message = str((r.error as { message?: unknown } | undefined)?.message);
  const base = (kind: EventKind, text: string): TimelineEvent => {
    const explained = code && !BENIGN.has(code) ? HELPDESK_CODES[code] : undefined;
    const requestId = str(r.requestId) ?? (Array.isArray(r.requestIds) ? str(r.requestIds[r.requestIds.length - 1]) : undefined);
    return {
      at,
      kind,
      text,
      ...(code ? { code } : {}),
      ...(explained ? { means: explained.means, ...(explained.does ? { does: explained.does } : {}) } : {}),
      ...(requestId ? { requestId } : {}),
    };
  };
  switch (r.type) {
    case 'signin.ok':
      return base('sign-in', `Signed in as ${str(r.userName) ?? str(r.arn) ?? 'someone'}${r.verified === false ? ' (not verified)' : ''}${str(r.accessKeyIdLast4) ? `, key …${String(r.accessKeyIdLast4).replace(/^…/, '')}` : ''}`);
    case 'signin.verified':
      return base('sign-in', `Keys checked with AWS: ${str(r.arn) ?? '?'}`);
    case 'signin.failed':
      return base('error', `Sign-in refused${str(r.accessKeyIdLast4) ? ` for key …${String(r.accessKeyIdLast4).replace(/^…/, '')}` : ''}`);
    case 'signout':
      return base('sign-in', `Signed out${str(r.userName) ? ` (${String(r.userName)})` : ''}`);
    case 'session.started':
      return base('session', `Access started for${g}, until ${shortTime(str(r.expiresAt))}`);
    case 'session.refreshed':
      return base('session', `Access renewed for${g}, until ${shortTime(str(r.expiresAt))}`);
    case 'session.expiring':
      return base('session', `Access for${g} runs out in ${String(r.minutesLeft ?? '?')} minutes`);
    case 'session.expired':
      return base('error', `Access for${g} ran out (${shortTime(str(r.expiresAt) ?? at)})`);
    case 'session.ended':
      return base('session', `Access for${g} ended${str(r.reason) ? `: ${String(r.reason)}` : ' by the person'}`);
    case 'session.start_failed':
      return base('error', `Access for${g} could not start`);
    case 'session.refresh_error':
    case 'session.refresh_failed':
      return base('error', `Access for${g} could not be renewed`);
    case 'grants.updated':
      return base('grants', `Grants changed (revision ${String(r.revision ?? '?').slice(0, 12)}${typeof r.total === 'number' ? `, ${r.total} grants` : ''})`);
    case 'grants.rejected':
      return base('grants', `A new grants version was refused (${String(r.reason ?? r.kind ?? 'invalid')}); the previous one stays in use`);
    case 'grants.fetch_failed':
      return base('error', 'The grants could not be fetched; the cached ones stay in use');
    case 'upload.done': {
      const receipt = r.receipt && typeof r.receipt === 'object' ? (r.receipt as Record<string, unknown>) : undefined;
      return { ...base('upload', `Uploaded ${file} (${bytes(r.size)}) to ${String(r.bucket ?? '?')}`), ...(receipt ? { receipt } : {}) };
    }
    case 'upload.failed':
      return base('error', `Upload of ${file} failed${message ? `: ${message}` : ''}`);
    case 'upload.refused':
      return base('error', `${file || 'A file'} was not sent${message ? `: ${message}` : ''}`);
    case 'upload.skipped':
      return base('upload', `Skipped ${file}${message ? `: ${message}` : ''}`);
    case 'upload.cancelled':
      return base('upload', `Cancelled ${file}`);
    default:
      return base(code && !BENIGN.has(code) ? 'error' : r.type.startsWith('signin') ? 'sign-in' : r.type.startsWith('session') ? 'session' : 'other', `${r.type}${message ? `: ${message}` : ''}`);
  }
}

export function buildReport(head: ExportHead, records: Iterable<LogRecord>): HelpdeskReport {
  const timeline: TimelineEvent[] = [];
  const causes = new Map<LikelyCause['id'], LikelyCause & { grants: Set<string> }>();
  const counts = { records: 0, signIns: 0, sessionsStarted: 0, uploadsDone: 0, uploadsFailed: 0, errors: 0 };
  const note = (id: LikelyCause['id'], r: LogRecord, code: string) => {
    const at = str(r.at) ?? '';
    const c = causes.get(id) ?? { id, title: '', since: at, last: at, count: 0, codes: [], grants: new Set<string>() };
    c.count += 1;
    if (at && (!c.since || at < c.since)) c.since = at;
    if (at > c.last) c.last = at;
    if (code && !c.codes.includes(code)) c.codes.push(code);
    if (str(r.grant)) c.grants.add(String(r.grant));
    causes.set(id, c);
  };
  for (const r of records) {
    counts.records += 1;
    if (r.type === 'signin.ok') counts.signIns += 1;
    if (r.type === 'session.started') counts.sessionsStarted += 1;
    if (r.type === 'upload.done') counts.uploadsDone += 1;
    if (r.type === 'upload.failed' || r.type === 'upload.refused') counts.uploadsFailed += 1;
    const ev = eventFor(r);
    timeline.push(ev);
    if (ev.kind === 'error') counts.errors += 1;
    const code = recordErrorCode(r);
    if (r.type === 'session.expired') note('session-expired', r, code ?? 'SESSION_EXPIRED');
    else if (r.type === 'session.ended' && r.reason === 'grant removed') note('grant-changed', r, 'GRANT_REMOVED');
    else if (r.type === 'grants.rejected') note('grant-changed', r, 'GRANTS_REJECTED');
    if (code) {
      const id = causeOf(code, r);
      if (id) note(id, r, code);
    }
  }
  timeline.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const list = [...causes.values()].sort((a, b) => CAUSE_ORDER.indexOf(a.id) - CAUSE_ORDER.indexOf(b.id));
  return {
    head,
    causes: list.map(({ grants, ...c }) => ({ ...c, title: causeTitle(c, [...grants]), ...adviceFor(c.codes) })),
    timeline,
    counts,
  };
}

function causeTitle(c: LikelyCause, grants: string[]): string {
  const since = when(c.since);
  const gs = grants.length ? ` (${grants.map((g) => `“${g}”`).join(', ')})` : '';
  const times = c.count === 1 ? 'once' : `${c.count} times`;
  switch (c.id) {
    case 'wrong-keys':
      return `Wrong or deactivated access keys since ${since} — AWS refused the keys ${times}.`;
    case 'clock':
      return `The computer's clock is wrong (clock skew) since ${since} — AWS refuses requests whose time is off by more than 5 minutes.`;
    case 'grant-changed':
      return c.codes.includes('GRANT_REMOVED')
        ? `A grant was removed at ${since}${gs}; its access ended.`
        : c.codes.includes('GRANTS_REJECTED') && c.codes.length === 1
          ? `A new grants version was refused at ${since}; the previous grants stayed in use.`
          : `The grant changed or was removed at ${since}${gs}.`;
    case 'session-expired':
      return `The access ran out at ${since}${gs} and was not renewed.`;
    case 'network':
      return `Network, proxy or certificate problem since ${since} — Grantbox could not reach AWS properly (${times}).`;
    case 'bucket-refused':
      return c.codes.includes('S3_ENCRYPTION_REQUIRED')
        ? `The bucket refused uploads since ${since}: it only accepts encrypted files and the grant names no key.`
        : `The bucket or AWS refused the request since ${since}${gs} (${c.codes.join(', ')}).`;
    case 'integrity':
      return `Files did not arrive intact since ${since} (${times}) — data was damaged on the way or changed while sent.`;
    case 'mfa':
      return `MFA codes were refused or could not be asked for since ${since}.`;
    default:
      return `Other errors since ${since}: ${c.codes.join(', ')}.`;
  }
}

function adviceFor(codes: string[]): { advice?: string } {
  for (const code of codes) {
    const does = HELPDESK_CODES[code]?.does;
    if (does) return { advice: does };
  }
  return {};
}

// ---------- rendering ----------

function when(iso: string | undefined): string {
  if (!iso) return '?';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function shortTime(iso: string | undefined): string {
  if (!iso) return '?';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(11, 16)} UTC`;
}

function bytes(n: unknown): string {
  if (typeof n !== 'number') return '?';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

function receiptLines(r: Record<string, unknown>): string[] {
  const checksum = r.checksum as { type?: string; hex?: string } | undefined;
  return [
    `sha256 ${String(r.sha256 ?? '?')}`,
    `s3://${String(r.bucket ?? '?')}/${String(r.key ?? '?')}`,
    ...(checksum?.hex ? [`S3 checksum (${String(checksum.type ?? '')}) ${checksum.hex}`] : []),
    ...(r.etag ? [`ETag ${String(r.etag)}`] : []),
    ...(r.versionId ? [`version ${String(r.versionId)}`] : []),
    `stored ${when(str(r.serverTime))}${r.serverTimeFromS3 === false ? ' (local clock)' : ''}`,
    ...(r.signedInAs ? [`by ${String(r.signedInAs)}`] : []),
    ...(Array.isArray(r.requestIds) && r.requestIds.length ? [`request ids ${r.requestIds.join(', ')}`] : []),
  ];
}

export function renderText(report: HelpdeskReport): string {
  const { head, causes, timeline, counts } = report;
  const out: string[] = [];
  out.push(`Grantbox helpdesk report — export of ${when(head.createdAt)}, Grantbox ${head.appVersion ?? '?'}`);
  out.push(`Window: ${head.window?.since ? when(head.window.since) : 'everything'} to ${when(head.window?.until)}${head.redactedFilenames ? '; file names hidden' : ''}`);
  if (head.context?.identity?.arn) out.push(`Signed in: ${head.context.identity.arn}`);
  out.push('');
  out.push('Likely cause');
  if (!causes.length) out.push('  Nothing went wrong in this export.');
  for (const c of causes) {
    out.push(`  • ${c.title}`);
    if (c.advice) out.push(`    What to do: ${c.advice}`);
  }
  out.push('');
  out.push(`${counts.records} records: ${counts.signIns} sign-ins, ${counts.sessionsStarted} sessions started, ${counts.uploadsDone} uploads, ${counts.uploadsFailed} failed or refused, ${counts.errors} errors`);
  out.push('');
  out.push('Timeline');
  for (const e of timeline) {
    out.push(`${when(e.at)}  ${e.kind.padEnd(7)}  ${e.text}${e.code ? `  [${e.code}]` : ''}`);
    if (e.means) out.push(`${' '.repeat(34)}Usually means: ${e.means}`);
    if (e.does) out.push(`${' '.repeat(34)}Helpdesk does: ${e.does}`);
    if (e.requestId && e.kind === 'error') out.push(`${' '.repeat(34)}request id: ${e.requestId}`);
    if (e.receipt) for (const l of receiptLines(e.receipt)) out.push(`${' '.repeat(34)}${l}`);
  }
  return `${out.join('\n')}\n`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** One self-contained page: inline style, no script, and a CSP that loads nothing from anywhere. */
export function renderHtml(report: HelpdeskReport): string {
  const { head, causes, timeline, counts } = report;
  const rows = timeline
    .map((e) => {
      const details = [
        ...(e.means ? [`<p class="means"><b>Usually means:</b> ${esc(e.means)}</p>`] : []),
        ...(e.does ? [`<p class="does"><b>Helpdesk does:</b> ${esc(e.does)}</p>`] : []),
        ...(e.requestId && e.kind === 'error' ? [`<p class="rid">request id ${esc(e.requestId)}</p>`] : []),
        ...(e.receipt ? [`<details class="receipt"><summary>Receipt</summary><ul>${receiptLines(e.receipt).map((l) => `<li><code>${esc(l)}</code></li>`).join('')}</ul></details>`] : []),
      ].join('');
      return `<tr class="${e.kind}"><td class="at">${esc(when(e.at))}</td><td><span class="kind">${esc(e.kind)}</span></td><td>${esc(e.text)}${e.code ? ` <code class="code">${esc(e.code)}</code>` : ''}${details}</td></tr>`;
    })
    .join('\n');
  const causeItems = causes.length
    ? causes.map((c) => `<li><b>${esc(c.title)}</b>${c.advice ? `<br><span class="advice">What to do: ${esc(c.advice)}</span>` : ''}</li>`).join('\n')
    : '<li>Nothing went wrong in this export.</li>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Grantbox helpdesk report — ${esc(when(head.createdAt))}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1b1f24;background:#fff}
h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.meta{color:#57606a;margin:0}
.causes{border:1px solid #d4a72c;background:#fff8c5;border-radius:6px;padding:.75rem 1rem .75rem 2rem}
.causes li{margin:.35rem 0}.advice{color:#57606a}
table{border-collapse:collapse;width:100%}td{border-top:1px solid #d0d7de;padding:.4rem .5rem;vertical-align:top}
td.at{white-space:nowrap;color:#57606a;font-variant-numeric:tabular-nums}
.kind{display:inline-block;min-width:4.5rem;font-size:.8rem;border-radius:999px;padding:0 .5rem;background:#eaeef2;text-align:center}
tr.error .kind{background:#ffebe9;color:#82071e}tr.upload .kind{background:#dafbe1;color:#116329}tr.session .kind{background:#ddf4ff;color:#0a3069}
tr.error td{background:#fffafa}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
.code{background:#ffebe9;padding:0 .3rem;border-radius:4px}
.means,.does,.rid{margin:.25rem 0;color:#424a53}
.receipt ul{margin:.25rem 0;padding-left:1.2rem}
</style>
</head>
<body>
<h1>Grantbox helpdesk report</h1>
<p class="meta">Export of ${esc(when(head.createdAt))} · Grantbox ${esc(head.appVersion ?? '?')} · window ${esc(head.window?.since ? when(head.window.since) : 'everything')} to ${esc(when(head.window?.until))}${head.redactedFilenames ? ' · <b>file names hidden</b>' : ''}</p>
${head.context?.identity?.arn ? `<p class="meta">Signed in: ${esc(head.context.identity.arn)}</p>` : ''}
<h2>Likely cause</h2>
<ul class="causes">
${causeItems}
</ul>
<p>${counts.records} records: ${counts.signIns} sign-ins, ${counts.sessionsStarted} sessions started, ${counts.uploadsDone} uploads, ${counts.uploadsFailed} failed or refused, ${counts.errors} errors.</p>
<h2>Timeline</h2>
<table>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}

/** Reads an export and builds its report. */
export async function reportFromExport(file: string): Promise<HelpdeskReport> {
  const records: LogRecord[] = [];
  const head = await readExport(file, (r) => records.push(r));
  return buildReport(head, records);
}
