// `grantbox upload GRANT PATH... [--on-conflict skip|rename|replace] [--json]` — the tutorial's step 6 from a
// terminal: starts the grant's session in this process, uploads files and folders through the same queue as the
// app, draws one progress line on a TTY (stderr), then prints a summary. Exit 0 when every file arrived (or was
// skipped by choice), 1 when anything failed or was refused, 2 on usage errors.
// A CLI can't stop to ask, so the grant's "ask" becomes "skip" unless --on-conflict says otherwise.
// The services (and the upload engine) are imported when the command runs, not when the
// program is built, so other commands and --help do not pay for loading the AWS SDK.
import path from 'node:path';
import { type Command, Option } from 'commander';
import type { ConflictChoice, QueueSnapshot, UploadItem } from '../../../preload/contract';
import { formatBytes } from '../../../shared/format-bytes';
import { action, depsOf, withServices } from '../support';

function bar(s: QueueSnapshot, width = 24): string {
  const frac = s.bytesTotal > 0 ? s.bytesSent / s.bytesTotal : 0;
  const filled = Math.round(frac * width);
  const files = s.batches.reduce((n, b) => n + b.done + b.failed + b.skipped + b.refused + b.cancelled, 0);
  const total = s.batches.reduce((n, b) => n + b.total, 0);
  const eta = s.etaSeconds !== undefined ? ` ${Math.floor(s.etaSeconds / 60)}:${String(s.etaSeconds % 60).padStart(2, '0')} left` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%  ${files}/${total} files  ${formatBytes(s.bytesSent)} of ${formatBytes(s.bytesTotal)}  ${formatBytes(Math.round(s.rate))}/s${eta}`;
}

export function line(item: UploadItem): string {
  switch (item.state) {
    case 'cancelled':
      // Ctrl-C (no error attached): say what happened and what to do, not an empty "name: ".
      if (!item.error) return `cancelled ${item.relativePath}: stopped before it finished. Run the same command again to send it.`;
      break;
    case 'done':
      return `uploaded  ${item.key} (${formatBytes(item.size)})${item.receipt ? ` sha256 ${item.receipt.sha256}` : ''}${item.note ? ` — ${item.note}` : ''}`;
    case 'skipped':
      return `skipped   ${item.relativePath}: ${item.error?.message ?? 'skipped'}`;
    case 'conflict':
      return `exists    ${item.relativePath}: ${item.error?.message ?? ''} (use --on-conflict rename or replace)`;
  }
  return `${item.state.padEnd(9)} ${item.relativePath}: ${item.error?.message ?? ''}${item.error?.details?.hint ? `\n          ${item.error.details.hint}` : ''}${item.error?.details?.requestId ? `\n          request id: ${item.error.details.requestId}` : ''}`;
}

export function register(program: Command): void {
  program
    .command('upload')
    .description('Upload files and folders with a grant (folders keep their structure)')
    .argument('<grant>', 'grant name (see `grantbox grants list`)')
    .argument('<paths...>', 'files or folders to upload')
    .addOption(new Option('--on-conflict <choice>', 'when a file with the same name exists (default: the grant’s choice; “ask” becomes skip)').choices(['skip', 'rename', 'replace']))
    .option('--include-hidden', 'also upload hidden files and folders (.env, .git…) and OS clutter (.DS_Store, Thumbs.db) found inside folders')
    .option('--json', 'print the result as JSON')
    .action(action(async (grant: string, paths: string[], opts: { onConflict?: ConflictChoice; includeHidden?: boolean; json?: boolean }, cmd: Command) => {
      return withServices(cmd, async (services) => {
        const resolved = services.grants.resolvedFor(grant, (await services.identity.current())!);
        const onConflict: ConflictChoice = opts.onConflict ?? (resolved.onConflict === 'ask' ? 'skip' : resolved.onConflict);
        const tty = !opts.json && depsOf(cmd).isTTY();
        const off = tty ? services.uploads.onProgress((s) => process.stderr.write(`\r\x1b[K${bar(s)}`)) : () => undefined;
        // Ctrl-C: cancel cleanly (multipart uploads aborted) instead of leaving parts behind.
        const onSigint = () => void services.uploads.cancelAll();
        process.once('SIGINT', onSigint);
        let batchId: string;
        try {
          ({ batchId } = await services.uploads.start(grant, paths.map((p) => path.resolve(p)), { onConflict, ...(opts.includeHidden ? { includeHidden: true } : {}) }));
          await services.uploads.drain();
        } finally {
          off();
          process.removeListener('SIGINT', onSigint);
          if (tty) process.stderr.write('\r\x1b[K');
        }
        const snap = services.uploads.snapshot();
        const items = snap.items.filter((i) => i.batchId === batchId);
        const summary = snap.batches.find((b) => b.batchId === batchId);
        const bad = items.filter((i) => i.state === 'failed' || i.state === 'refused' || i.state === 'cancelled');
        if (opts.json) {
          const receipts = items.flatMap((i) => (i.receipt ? [i.receipt] : []));
          process.stdout.write(`${JSON.stringify({ grant, bucket: resolved.bucket, summary, receipts, items }, null, 2)}\n`);
        } else {
          for (const item of items) (item.state === 'done' ? process.stdout : process.stderr).write(`${line(item)}\n`);
          const s = summary!;
          process.stdout.write(
            `${s.done} uploaded, ${s.skipped} skipped, ${s.failed + s.refused} failed${s.cancelled ? `, ${s.cancelled} cancelled` : ''} — ${formatBytes(items.filter((i) => i.state === 'done').reduce((n, i) => n + i.size, 0))} to s3://${resolved.bucket}/${resolved.prefix}\n`,
          );
          if (s.hiddenSkipped) process.stdout.write(`${s.hiddenSkipped} hidden or system file${s.hiddenSkipped === 1 ? '' : 's'} left out (--include-hidden uploads them)\n`);
        }
        return bad.length ? 1 : 0;
      }, { assume: grant });
    }));
}
