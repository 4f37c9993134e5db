// The uploading process of `npm run bench:upload`: Grantbox's upload engine (the same createUploadService the app
// and CLI use) in its own Node process, so its CPU time and peak RSS can be measured apart from the servers.
// Prints one JSON line: files done/failed, the engine's own wall time, and the event loop's delay percentiles
// (monitorEventLoopDelay) while uploading — the number that says whether the app's main process stays responsive —
// and the share of that time the main thread was busy (event-loop utilization: what work moved off it shows here).
// It writes the real session log (one record per file, redacted, in its data folder) as the app and CLI do, so the
// per-file cost of logging is measured too.
// It also reports the adaptive controller's limit over time (concurrency) when the engine has one.
// Usage: node upload-runner.cjs ENDPOINT BUCKET PREFIX PATH...
//   (env: GB_CONCURRENCY, GB_PART_CONCURRENCY (fixed, controller off), GB_MAX_CONCURRENCY, GB_DATA_DIR,
//    GB_WHOLE_FILE_CHECKSUM=0: skip the whole-file SHA-256 — the bench's "without" run for its cost)
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { SessionLog } from '../../main/services/audit/session-log';
import { createUploadService } from '../../main/services/uploads';

async function main(): Promise<void> {
  const [endpoint, bucket, prefix, ...paths] = process.argv.slice(2);
  if (!endpoint || !bucket || prefix === undefined || paths.length === 0) throw new Error('usage: ENDPOINT BUCKET PREFIX PATH...');
  // GB_DATA_DIR: the crash test (test/integration/uploads.test.ts) kills this process and resumes from its state.
  const ownDataDir = !process.env.GB_DATA_DIR;
  const dataDir = process.env.GB_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gb-bench-data-'));
  const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'S3RVER', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER' };
  const log = new SessionLog({ dataDir });
  const svc = createUploadService({
    resolveGrant: () => ({ name: 'bench', region: 'us-east-1', bucket, prefix, onConflict: 'replace', allowReplace: true }),
    credentials: () => async () => credentials,
    clients: new AwsClientFactory({ region: 'us-east-1', endpoint, forcePathStyle: true }),
    audit: log,
    dataDir,
    ...(process.env.GB_CONCURRENCY ? { concurrency: Number(process.env.GB_CONCURRENCY) } : {}),
    ...(process.env.GB_PART_CONCURRENCY ? { partConcurrency: Number(process.env.GB_PART_CONCURRENCY) } : {}),
    ...(process.env.GB_MAX_CONCURRENCY ? { maxConcurrency: Number(process.env.GB_MAX_CONCURRENCY) } : {}),
    ...(process.env.GB_WHOLE_FILE_CHECKSUM === '0' ? { wholeFileChecksum: false } : {}),
  });
  // A progress listener, as the app has one: the sampling cost is part of what is measured.
  let events = 0;
  svc.onProgress(() => void events++);
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await svc.start('bench', paths);
  await svc.drain();
  const seconds = (performance.now() - t0) / 1000;
  const loopBusy = performance.eventLoopUtilization(elu0).utilization;
  h.disable();
  const items = svc.snapshot().items;
  const failed = items.filter((i) => i.state !== 'done');
  const receipts = items.filter((i) => i.receipt).length;
  const concurrency = svc.concurrency();
  await svc.close();
  // One session-log record per file must have reached the disk.
  let logRecords = 0;
  for await (const r of log.read()) if (r.type.startsWith('upload.')) logRecords++;
  if (ownDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({
      files: items.length,
      done: items.length - failed.length,
      failed: failed.slice(0, 3).map((i) => ({ path: i.relativePath, state: i.state, error: i.error })),
      seconds,
      events,
      logRecords,
      receipts,
      loopP99Ms: h.percentile(99) / 1e6,
      loopMaxMs: h.max / 1e6,
      loopBusy,
      ...(concurrency ? { concurrency } : {}),
    })}\n`,
  );
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
