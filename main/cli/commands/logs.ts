// `grantbox logs export [--since 7d] [--redact-filenames] --out FILE`, `grantbox logs show [--since 1d] [--json]` and
// `grantbox logs report EXPORT.json [--html FILE]` (audit/report.ts):
// the session log for helpdesk and for the person at the keyboard. The log lives in the data folder
// (GRANTBOX_HOME, see paths.ts). An export must work when the settings are broken — that is when helpdesk needs
// it most — so when the full services cannot start, it falls back to the log alone with the settings problem (or
// "settings: not found") recorded in the export's context.
// The services, the log and the settings loader are imported when a subcommand runs, not when the program is built.
import { type Command, InvalidArgumentError } from 'commander';
import type { ExportContext } from '../../services/audit/audit-log';
import type { LogRecord } from '../../services/audit/types';
import { toAppError } from '../../services/errors';
import { defaultDataDir, resolveSettingsPath } from '../../services/paths';
import { action, openServices, VERSION } from '../support';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "7d", "12h", "30m", "2w", an ISO date/time, or "all" → epoch ms (undefined = everything). */
export function parseSince(text: string, now = Date.now()): number | undefined {
  const t = text.trim();
  if (t === 'all') return undefined;
  const m = /^(\d+)\s*([mhdw])$/.exec(t);
  if (m) return now - Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
  if (/^\d{4}-\d{2}-\d{2}/.test(t) && !Number.isNaN(Date.parse(t))) return Date.parse(t);
  throw new InvalidArgumentError('use a duration such as 7d, 12h or 30m, a date such as 2026-11-20, or "all"');
}

/** Rejects a bad --since while parsing (a usage error, exit 2); the value is turned into a time when the command runs. */
const validSince = (value: string): string => {
  parseSince(value);
  return value;
};

export function register(program: Command): void {
  const logs = program.command('logs').description('Show the session log or export it for helpdesk');

  logs
    .command('export')
    .description('Write one file for helpdesk: app and OS versions, settings summary, grants revision, and the log (never secrets)')
    .requiredOption('--out <file>', 'file to write (JSON)')
    .option('--since <when>', 'how far back: 7d, 12h, 30m, a date, or "all"', validSince, '7d')
    .option('--redact-filenames', 'replace file names and S3 keys by short hashes (keeps extensions)')
    .action(action(async (opts: { out: string; since: string; redactFilenames?: boolean }, cmd: Command) => {
      const sinceMs = parseSince(opts.since);
      const { settings: settingsFlag } = cmd.optsWithGlobals<{ settings?: string }>();
      const options = { ...(sinceMs !== undefined ? { sinceMs } : {}), redactFilenames: opts.redactFilenames ?? false };
      let result: { records: number };
      let degraded: string | undefined;
      try {
        const services = await openServices(cmd);
        try {
          result = await services.audit.exportTo(opts.out, options);
        } finally {
          await services.close();
        }
      } catch (e) {
        const err = toAppError(e);
        if (err.code.startsWith('LOG_')) throw err; // the export itself failed: nothing to fall back to
        degraded = `${err.code} ${err.message}`;
        const [{ AuditLog }, { SessionLog }] = await Promise.all([import('../../services/audit/audit-log'), import('../../services/audit/session-log')]);
        const audit = new AuditLog({
          log: new SessionLog({ dataDir: defaultDataDir() }),
          appVersion: VERSION,
          context: () => settingsOnlyContext(settingsFlag, err.toJSON()),
        });
        result = await audit.exportTo(opts.out, options);
      }
      process.stdout.write(`Wrote ${result.records} log record${result.records === 1 ? '' : 's'} to ${opts.out}\n`);
      if (degraded) process.stderr.write(`  (Grantbox could not fully start, so the export has the log without grants or identity: ${degraded})\n`);
    }));

  logs
    .command('report')
    .description('Turn a helpdesk export into a readable report: likely cause first, then a timeline (text, or --html FILE)')
    .argument('<export>', 'the export file (grantbox logs export --out FILE, or the app’s “Export for helpdesk”)')
    .option('--html <file>', 'also write the report as one self-contained HTML page')
    .option('--json', 'print the report as JSON')
    .action(action(async (exportFile: string, opts: { html?: string; json?: boolean }) => {
      const [{ reportFromExport, renderHtml, renderText }, fs] = await Promise.all([import('../../services/audit/report'), import('node:fs/promises')]);
      const report = await reportFromExport(exportFile);
      if (opts.html) {
        await fs.writeFile(opts.html, renderHtml(report), { mode: 0o600 });
      }
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report));
      if (opts.html) process.stderr.write(`Wrote the report to ${opts.html}\n`);
    }));

  logs
    .command('show')
    .description('Print the session log')
    .option('--since <when>', 'how far back: 1d, 12h, 30m, a date, or "all"', validSince, '1d')
    .option('--json', 'print one JSON record per line')
    .action(action(async (opts: { since: string; json?: boolean }) => {
      const sinceMs = parseSince(opts.since);
      const [{ SessionLog }, { redactRecord }] = await Promise.all([import('../../services/audit/session-log'), import('../../services/audit/redact')]);
      const log = new SessionLog({ dataDir: defaultDataDir() });
      let n = 0;
      for await (const record of log.read(sinceMs === undefined ? {} : { sinceMs })) {
        const clean = redactRecord(record);
        process.stdout.write(opts.json ? `${JSON.stringify(clean)}\n` : `${formatRecord(clean)}\n`);
        n += 1;
      }
      if (n === 0 && !opts.json) process.stderr.write(`No log records ${opts.since === 'all' ? 'yet' : `in the last ${opts.since}`} (${log.file}).\n`);
    }));
}

/** The export context when the services could not start: what the settings file says, or why it could not be read. */
async function settingsOnlyContext(settingsFlag: string | undefined, startError: { code: string; message: string }): Promise<ExportContext> {
  const file = resolveSettingsPath(settingsFlag);
  try {
    const { loadSettingsFile } = await import('../../services/settings');
    const { settings } = await loadSettingsFile(file);
    let endpointHost: string | undefined;
    try {
      endpointHost = settings.aws?.endpoint ? new URL(settings.aws.endpoint).host : undefined;
    } catch {
      endpointHost = undefined;
    }
    return {
      settings: {
        path: file,
        grantsSource: settings.grants.source,
        grantsLocation: settings.grants.source === 'git' ? settings.grants.url : settings.grants.path,
        region: settings.aws?.region ?? 'us-east-1',
        ...(endpointHost ? { endpointHost } : {}),
        forcePathStyle: settings.aws?.forcePathStyle ?? false,
      },
      grants: null,
      identity: null,
      startError,
    };
  } catch (e) {
    const err = toAppError(e);
    return { settings: { path: file, unavailable: `settings: not found or unreadable — ${err.code} ${err.message}` }, grants: null, identity: null, startError };
  }
}

/** One readable line: local time, type, then the other fields as key=value. */
export function formatRecord(r: LogRecord): string {
  const at = typeof r.at === 'string' && !Number.isNaN(Date.parse(r.at)) ? localTime(new Date(r.at)) : '?';
  const rest = Object.entries(r)
    .filter(([k]) => k !== 'at' && k !== 'type')
    .map(([k, v]) => {
      const text = typeof v === 'string' ? (/[\s"=]/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v);
      return `${k}=${text.length > 200 ? `${text.slice(0, 199)}…` : text}`;
    });
  return [at, r.type, ...rest].join('  ');
}

function localTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
