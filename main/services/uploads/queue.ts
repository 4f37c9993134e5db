// The upload queue (implements UploadService): owns every upload's state in the main process, so a renderer
// reload loses nothing. Bounded concurrency: `concurrency` files at once, each multipart file with
// `partConcurrency` parts in flight. Dropped folders are walked lazily in the background (start() returns at once).
// Progress is sampled, not pushed: each tick (100 ms) reads the open file streams' bytesRead, so progress costs
// nothing per chunk and listeners get at most 10 snapshots a second however many files move.
// Conflicts (412 on If-None-Match) follow the grant's onConflict; "ask" parks the item in `conflict` without
// holding a slot until resolveConflict(). Multipart uploads persist resume state (resume-store.ts); cancel aborts
// them on S3; close() (quit) leaves them resumable.
import { promises as fsp, type ReadStream } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { AppError, toAppError } from '../errors';
import { fromAwsError } from '../aws/errors';
import type { AwsClientFactory } from '../aws/client-factory';
import type { SessionLogWriter } from '../audit/types';
import type {
  BatchSummary,
  ConflictChoice,
  ObjectPage,
  QueueSnapshot,
  ResumableUpload,
  SerializedAppError,
  UploadItem,
} from '../../../preload/contract';
import type { UploadService, Unsubscribe } from '../services';
import { makeKey, renamedKey, UnsafeNameError } from './naming';
import { planParts, type PartPlanOptions } from './part-size';
import { ResumeStore } from './resume-store';
import {
  abortMultipart,
  completeMultipart,
  createMultipart,
  DEFAULT_RETRY,
  headSize,
  isConditionalConflict,
  isPreconditionFailed,
  keyExists,
  listParts,
  prepareDataClient,
  putWholeFile,
  uploadParts,
  type RetryOptions,
  type TransferClients,
  type TransferHooks,
} from './transfer';
import { walkDrop } from './walk';
import type { PersistedPart, ResumeRecord, UploadGrant } from './types';

export interface UploadServiceDeps {
  resolveGrant(name: string): Promise<UploadGrant> | UploadGrant;
  credentials(grant: string): AwsCredentialIdentityProvider;
  clients: AwsClientFactory;
  audit: SessionLogWriter;
  dataDir: string;
  /** Files at once (default 4). */
  concurrency?: number;
  /** Parts in flight per multipart file (default 4). */
  partConcurrency?: number;
  /** Tuning and tests: multipart threshold / smallest part size. */
  parts?: PartPlanOptions;
  /** Tuning and tests: per-request retries of PutObject/UploadPart. */
  retry?: Partial<RetryOptions>;
  /** Progress snapshot interval (default 100 ms). */
  progressIntervalMs?: number;
  /** Most items in one progress event (default 1000); snapshot() returns all. */
  maxItemsPerEvent?: number;
}

/** UploadService plus close() for shutdown (leaves multipart uploads resumable). */
export interface UploadEngine extends UploadService {
  close(): Promise<void>;
}

const TERMINAL = new Set<UploadItem['state']>(['done', 'skipped', 'failed', 'cancelled', 'refused']);

interface Batch {
  id: string;
  grant: string;
  onConflict?: ConflictChoice;
  /** A choice the person applied to all conflicts of this batch. */
  applyAll?: ConflictChoice;
  walking: boolean;
  /** cancelAll(): stop walking the drop. */
  cancelled?: boolean;
}

interface Job {
  item: UploadItem;
  path: string;
  mtimeMs: number;
  grant: UploadGrant;
  batch: Batch;
  controller?: AbortController;
  running?: Promise<void>;
  overwrite: boolean;
  /** Set by resolveConflict (or applied automatically) for the next run. */
  choice?: ConflictChoice;
  /** A multipart upload whose Complete hit 412: kept open while the person decides. */
  openAfterConflict?: boolean;
  uploadId?: string;
  partSize?: number;
  parts: Map<number, PersistedPart>;
  resumeId?: string;
  doneBytes: number;
  streams: Map<number, ReadStream>;
  requestIds: string[];
  retries: number;
  renameFrom: number;
  /** The key before "keep both" renamed it. */
  baseKey?: string;
  startedMs?: number;
  checksum?: string;
  cancelRequested?: boolean;
  closing?: boolean;
  samples: Array<{ t: number; b: number }>;
}

function errOf(e: AppError): SerializedAppError {
  return e.toJSON();
}

export class UploadQueue implements UploadEngine {
  private readonly jobs = new Map<string, Job>();
  private readonly order: string[] = [];
  private readonly pending: Job[] = [];
  private running = 0;
  /** Jobs with a run in progress (progress sampling looks only at these). */
  private readonly active = new Set<Job>();
  private slotsUsed = 0;
  private largeRunning = 0;
  private readonly batches = new Map<string, Batch>();
  private readonly listeners = new Set<(s: QueueSnapshot) => void>();
  private readonly drainWaiters: Array<() => void> = [];
  private readonly clientCache = new Map<string, TransferClients>();
  private readonly resumeStore: ResumeStore;
  private readonly concurrency: number;
  private readonly partConcurrency: number;
  private readonly retryOptions: RetryOptions;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private overallSamples: Array<{ t: number; b: number }> = [];
  private closed = false;
  /** Session-log appends not yet on disk: close() waits for them, so quitting (or the CLI exiting) keeps them. */
  private readonly logging = new Set<Promise<void>>();

  constructor(private readonly deps: UploadServiceDeps) {
    this.resumeStore = new ResumeStore(path.join(deps.dataDir, 'uploads'));
    this.concurrency = deps.concurrency ?? 4;
    this.partConcurrency = deps.partConcurrency ?? 4;
    this.retryOptions = { ...DEFAULT_RETRY, ...deps.retry };
  }

  // ---------- clients ----------

  private clientsFor(grant: UploadGrant): TransferClients {
    const cacheKey = `${grant.name}\u0000${grant.region}`;
    let c = this.clientCache.get(cacheKey);
    if (!c) {
      const credentials = this.deps.credentials(grant.name);
      const sockets = this.concurrency * this.partConcurrency + 2;
      const data = this.deps.clients.s3({ region: grant.region, credentials, maxAttempts: 1, maxSockets: sockets });
      // With SDK retries off for stream bodies (we retry those ourselves), the SDK would console.warn "non-retryable
      // streaming request" on every failed part and every 412; other SDK warnings still reach the console.
      Object.assign(data.config, { logger: quietStreamingLogger });
      prepareDataClient(data);
      c = {
        data,
        control: this.deps.clients.s3({ region: grant.region, credentials, maxSockets: this.concurrency + 2 }),
      };
      this.clientCache.set(cacheKey, c);
    }
    return c;
  }

  private awsError(e: unknown, operation: string, grant: UploadGrant): AppError {
    return fromAwsError(e, { operation, grant: grant.title ?? grant.name, bucket: grant.bucket, ...(grant.contact ? { contact: grant.contact } : {}) });
  }

  // ---------- starting ----------

  async start(grantName: string, paths: string[], options: { onConflict?: ConflictChoice } = {}): Promise<{ batchId: string }> {
    if (this.closed) throw new AppError('UPLOADS_CLOSED', 'Grantbox is shutting down; uploads cannot start now.');
    const grant = await this.deps.resolveGrant(grantName);
    if (options.onConflict === 'replace' && !grant.allowReplace) {
      throw new AppError('UPLOAD_REPLACE_NOT_ALLOWED', `The grant ${grant.title ?? grant.name} does not allow replacing files that already exist.`, {
        details: { hint: `Choose “keep both” or “skip”${grant.contact ? `, or ask ${grant.contact}` : ''}.`, grant: grant.name },
      });
    }
    const batch: Batch = { id: randomUUID(), grant: grant.name, walking: true, ...(options.onConflict ? { onConflict: options.onConflict } : {}) };
    this.batches.set(batch.id, batch);
    void this.walk(batch, grant, paths);
    return { batchId: batch.id };
  }

  private async walk(batch: Batch, grant: UploadGrant, paths: string[]): Promise<void> {
    try {
      for await (const entry of walkDrop(paths)) {
        if (this.closed || batch.cancelled) break;
        const relativePath = entry.segments.join('/');
        const item: UploadItem = { id: randomUUID(), batchId: batch.id, grant: grant.name, relativePath, key: '', size: 0, bytesSent: 0, state: 'queued' };
        const job = this.newJob(item, entry.path, 0, grant, batch);
        if (entry.kind === 'refused') {
          const error = new AppError(entry.code, entry.message, { details: { hint: entry.hint } });
          if (entry.code === 'UPLOAD_LINK_SKIPPED') {
            // A shortcut to a folder that is uploaded anyway under its own name: nothing is lost, so not a failure.
            item.error = errOf(error);
            this.finish(job, 'skipped', error);
          } else this.refuse(job, error);
          continue;
        }
        item.size = entry.size;
        job.mtimeMs = entry.mtimeMs;
        try {
          const k = makeKey(grant.prefix, entry.segments);
          item.key = k.key;
          item.relativePath = k.relativePath;
          if (k.note) item.note = k.note;
        } catch (e) {
          const msg = e instanceof UnsafeNameError ? e.message : String(e);
          this.refuse(job, new AppError('UPLOAD_UNSAFE_NAME', `“${relativePath}” was not uploaded: ${msg}`, { details: { hint: 'Rename the file (shorter name, fewer folders) and try again.' } }));
          continue;
        }
        if (grant.maxFileSizeBytes !== undefined && entry.size > grant.maxFileSizeBytes) {
          this.refuse(
            job,
            new AppError('UPLOAD_TOO_LARGE', `“${relativePath}” is ${formatBytes(entry.size)}, larger than the ${formatBytes(grant.maxFileSizeBytes)} this grant allows.`, {
              details: { hint: `Nothing was sent. Make the file smaller or ask ${grant.contact ?? 'your administrator'} for a grant that allows bigger files.` },
            }),
          );
          continue;
        }
        this.pending.push(job);
        this.pump();
        // Let uploads start and the event loop breathe while a huge folder is read.
        if (this.order.length % 256 === 0) await new Promise((r) => setImmediate(r));
      }
    } catch (e) {
      const item: UploadItem = { id: randomUUID(), batchId: batch.id, grant: grant.name, relativePath: '', key: '', size: 0, bytesSent: 0, state: 'queued' };
      this.refuse(this.newJob(item, '', 0, grant, batch), toAppError(e, 'UPLOAD_WALK_FAILED'));
    } finally {
      batch.walking = false;
      this.touch();
      this.checkDrain();
    }
  }

  private newJob(item: UploadItem, filePath: string, mtimeMs: number, grant: UploadGrant, batch: Batch): Job {
    const job: Job = {
      item,
      path: filePath,
      mtimeMs,
      grant,
      batch,
      overwrite: false,
      parts: new Map(),
      doneBytes: 0,
      streams: new Map(),
      requestIds: [],
      retries: 0,
      renameFrom: 0,
      samples: [],
    };
    this.jobs.set(item.id, job);
    this.order.push(item.id);
    this.touch();
    return job;
  }

  private refuse(job: Job, error: AppError): void {
    job.item.state = 'refused';
    job.item.error = errOf(error);
    job.item.finishedAt = new Date().toISOString();
    this.touch();
    this.log(job, 'refused', error);
  }

  // ---------- scheduling ----------

  /**
   * Requests in flight are bounded by concurrency × partConcurrency "slots": a multipart file takes
   * partConcurrency of them (and at most `concurrency` such files run), a single-PUT file takes one. So a folder
   * of small files runs 16 at a time by default (per-request latency, not bandwidth, limits those), while big
   * files still share the line `concurrency` at a time. FIFO: a big file at the head waits for its slots.
   */
  private pump(): void {
    const totalSlots = this.concurrency * this.partConcurrency;
    while (!this.closed && this.pending.length) {
      const job = this.pending[0]!;
      if (job.item.state !== 'queued') {
        this.pending.shift();
        continue;
      }
      const large = Boolean(job.uploadId) || planParts(job.item.size, this.deps.parts).multipart;
      const cost = large ? this.partConcurrency : 1;
      if (this.slotsUsed + cost > totalSlots || (large && this.largeRunning >= this.concurrency)) break;
      this.pending.shift();
      this.running++;
      this.active.add(job);
      this.slotsUsed += cost;
      if (large) this.largeRunning++;
      job.running = this.run(job).finally(() => {
        this.running--;
        this.active.delete(job);
        this.slotsUsed -= cost;
        if (large) this.largeRunning--;
        job.running = undefined;
        // An automatic conflict choice (rename/replace) sends the file again, ahead of the rest.
        if (job.item.state === 'queued') this.pending.unshift(job);
        this.touch();
        this.pump();
        this.checkDrain();
      });
    }
    this.ensureTimer();
  }

  private async run(job: Job): Promise<void> {
    const { item, grant } = job;
    const controller = new AbortController();
    job.controller = controller;
    item.state = 'uploading';
    item.startedAt ??= new Date().toISOString();
    job.startedMs ??= Date.now();
    delete item.error;
    this.touch();
    const clients = this.clientsFor(grant);
    const hooks: TransferHooks = {
      signal: controller.signal,
      retry: this.retryOptions,
      onStream: (id, s) => {
        if (s) job.streams.set(id, s);
        else job.streams.delete(id);
      },
      onPartDone: async (part) => {
        job.parts.set(part.partNumber, part);
        job.doneBytes += part.size;
        item.parts = job.parts.size;
        this.touch();
        await this.persist(job);
      },
      onRetry: () => {
        job.retries++;
        item.retries = job.retries;
        this.touch();
      },
      onRequestId: (id) => {
        if (id) {
          job.requestIds.push(id);
          if (job.requestIds.length > 8) job.requestIds.shift();
        }
      },
    };
    try {
      await this.applyChoice(job, clients);
      if (item.state !== 'uploading') return; // skipped
      const target = { bucket: grant.bucket, key: item.key, overwrite: job.overwrite };
      const plan = planParts(item.size, this.deps.parts);
      if (!plan.multipart && !job.uploadId) {
        job.checksum = await this.withConflictRetry(job, () => putWholeFile(clients, job.path, item.size, target, hooks));
        job.doneBytes = item.size;
        item.parts = 1;
      } else {
        if (!job.uploadId) await this.adoptInterrupted(job, clients);
        if (!job.uploadId) {
          // A cheap early look saves sending gigabytes only to hit 412 at the end; If-None-Match stays the truth.
          if (!job.overwrite && (await keyExists(clients.control, grant.bucket, item.key, controller.signal).catch(() => undefined))) {
            throw Object.assign(new Error('exists'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
          }
          const created = await createMultipart(clients, target);
          hooks.onRequestId(created.requestId);
          job.uploadId = created.uploadId;
          job.partSize = plan.partSize;
          job.resumeId ??= randomUUID().replaceAll('-', '');
          // Recorded first, so a quit during creation still leaves it resumable; a cancel during creation is
          // noticed here and the catch below aborts it.
          await this.persist(job);
          controller.signal.throwIfAborted();
        }
        if (!job.openAfterConflict) {
          await uploadParts(clients, job.path, item.size, job.partSize!, target, job.uploadId, job.parts, this.partConcurrency, hooks);
        }
        job.openAfterConflict = false;
        const done = await this.withConflictRetry(job, () => completeMultipart(clients, target, job.uploadId!, job.parts), true);
        hooks.onRequestId(done.requestId);
        job.checksum = done.checksum;
        // The object exists now: a cancel (Ctrl-C) that arrived during Complete cannot undo it, so this check must not
        // carry the cancel signal, or the file is reported and logged "cancelled" while S3 holds it.
        const stored = await headSize(clients.control, grant.bucket, item.key, new AbortController().signal);
        if (stored !== undefined && stored !== item.size) {
          throw new AppError('UPLOAD_SIZE_MISMATCH', `“${item.relativePath}” arrived with ${stored} bytes instead of ${item.size}.`, {
            details: { hint: 'Upload it again (choose replace or keep both). If it happens again, tell your administrator.' },
          });
        }
        if (job.resumeId) await this.resumeStore.remove(job.resumeId);
        job.uploadId = undefined;
      }
      this.finish(job, 'done');
    } catch (e) {
      if (job.closing) {
        // Quit: leave the multipart upload and its resume record for next time.
        item.state = 'cancelled';
        return;
      }
      if (job.cancelRequested || controller.signal.aborted) {
        await this.cleanupMultipart(job, clients);
        this.finish(job, 'cancelled');
        return;
      }
      if (isPreconditionFailed(e)) {
        await this.onConflict(job, clients, e);
        return;
      }
      const err = e instanceof AppError ? e : (fileError(e, item.relativePath) ?? this.awsError(e, job.uploadId ? 'UploadPart' : 'PutObject', grant));
      job.item.error = errOf(err);
      this.finish(job, 'failed', err);
    } finally {
      job.streams.clear();
      if (job.controller === controller) job.controller = undefined;
    }
  }

  /** 409 ConditionalRequestConflict (a concurrent write raced ours) is retried once, then treated as 412. */
  private async withConflictRetry<T>(job: Job, fn: () => Promise<T>, multipart = false): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (!isConditionalConflict(e)) {
        if (multipart && isPreconditionFailed(e)) job.openAfterConflict = true;
        throw e;
      }
      job.retries++;
      job.item.retries = job.retries;
      try {
        return await fn();
      } catch (e2) {
        if (multipart && (isPreconditionFailed(e2) || isConditionalConflict(e2))) job.openAfterConflict = true;
        if (isConditionalConflict(e2)) throw Object.assign(e2 as object, { name: 'PreconditionFailed' });
        throw e2;
      }
    }
  }

  /** Applies a pending conflict choice before (re)sending. */
  private async applyChoice(job: Job, clients: TransferClients): Promise<void> {
    const choice = job.choice;
    job.choice = undefined;
    if (!choice) return;
    const { item, grant } = job;
    if (choice === 'skip') {
      await this.cleanupMultipart(job, clients);
      this.finish(job, 'skipped');
      return;
    }
    if (choice === 'replace') {
      job.overwrite = true;
      return;
    }
    // rename: the first free "name (n).ext". An open multipart upload is bound to its key, so it starts over.
    await this.cleanupMultipart(job, clients);
    job.baseKey ??= item.key;
    const base = job.baseKey;
    for (let n = job.renameFrom + 1; n < job.renameFrom + 1000; n++) {
      const candidate = renamedKey(base, n);
      const exists = await keyExists(clients.control, grant.bucket, candidate, job.controller!.signal).catch(() => undefined);
      if (exists === true) continue;
      job.renameFrom = n;
      item.key = candidate;
      item.note = `A file with this name already exists, so it was uploaded as “${candidate.slice(candidate.lastIndexOf('/') + 1)}” (keeping both).`;
      return;
    }
    throw new AppError('UPLOAD_NO_FREE_NAME', `Grantbox could not find a free name for “${item.relativePath}”.`, { details: { hint: 'Rename the file and try again.' } });
  }

  private async onConflict(job: Job, clients: TransferClients, e: unknown): Promise<void> {
    const { item, grant, batch } = job;
    const exists = this.awsError(e, 'PutObject', grant);
    const error = new AppError('S3_OBJECT_EXISTS', `A file named “${item.key}” already exists in ${grant.bucket}.`, {
      cause: e,
      details: { ...exists.details, hint: 'Choose to skip it, keep both (upload under a new name)' + (grant.allowReplace ? ', or replace it.' : '.') },
    });
    let choice: ConflictChoice | 'ask' = batch.applyAll ?? batch.onConflict ?? grant.onConflict;
    if (choice === 'replace' && !grant.allowReplace) choice = 'ask';
    // "replace" already tried and still 412 would loop; a second 412 after choosing means someone raced us: ask.
    if (choice === 'replace' && job.overwrite) choice = 'ask';
    if (choice === 'ask') {
      item.state = 'conflict';
      item.error = errOf(error);
      item.conflictChoices = grant.allowReplace ? ['skip', 'rename', 'replace'] : ['skip', 'rename'];
      this.touch();
      this.checkDrain();
      return;
    }
    if (choice === 'skip') {
      await this.cleanupMultipart(job, clients);
      item.error = errOf(error);
      this.finish(job, 'skipped');
      return;
    }
    job.choice = choice;
    // pump() puts it back in the queue once this run has fully ended.
    job.item.state = 'queued';
    delete job.item.conflictChoices;
  }

  private requeue(job: Job, front: boolean): void {
    job.item.state = 'queued';
    delete job.item.conflictChoices;
    if (job.running) return; // pump() requeues it when that run ends
    if (front) this.pending.unshift(job);
    else this.pending.push(job);
    this.touch();
    queueMicrotask(() => this.pump());
  }

  private async cleanupMultipart(job: Job, clients: TransferClients): Promise<void> {
    if (job.uploadId) {
      try {
        await abortMultipart(clients.control, job.grant.bucket, job.item.key, job.uploadId);
      } catch {
        // Left for resume/discard to clean up: the record stays.
        return;
      }
      job.uploadId = undefined;
    }
    job.parts.clear();
    job.doneBytes = 0;
    job.openAfterConflict = false;
    if (job.resumeId) await this.resumeStore.remove(job.resumeId);
    job.resumeId = undefined;
  }

  private async persist(job: Job): Promise<void> {
    if (!job.uploadId || !job.resumeId) return;
    const rec: ResumeRecord = {
      version: 1,
      id: job.resumeId,
      grant: job.grant.name,
      bucket: job.grant.bucket,
      region: job.grant.region,
      key: job.item.key,
      path: job.path,
      relativePath: job.item.relativePath,
      size: job.item.size,
      mtimeMs: job.mtimeMs,
      uploadId: job.uploadId,
      partSize: job.partSize!,
      overwrite: job.overwrite,
      parts: [...job.parts.values()].sort((a, b) => a.partNumber - b.partNumber),
      startedAt: job.item.startedAt ?? new Date().toISOString(),
    };
    await this.resumeStore.save(rec);
  }

  private finish(job: Job, state: 'done' | 'skipped' | 'failed' | 'cancelled', error?: AppError): void {
    const { item } = job;
    item.state = state;
    item.finishedAt = new Date().toISOString();
    if (state === 'done') item.bytesSent = item.size;
    delete item.rate;
    delete item.etaSeconds;
    delete item.conflictChoices;
    this.touch();
    this.log(job, state, error);
  }

  /** One session-log record per finished file; tracked until written (see close()). */
  private log(job: Job, result: string, error?: AppError): void {
    const written = this.appendLog(job, result, error);
    this.logging.add(written);
    void written.then(() => this.logging.delete(written));
  }

  private async appendLog(job: Job, result: string, error?: AppError): Promise<void> {
    const { item, grant } = job;
    try {
      await this.deps.audit.append({
        type: `upload.${result}`,
        grant: grant.name,
        bucket: grant.bucket,
        key: item.key || undefined,
        file: item.relativePath,
        size: item.size,
        durationMs: job.startedMs ? Date.now() - job.startedMs : 0,
        parts: item.parts ?? 0,
        retries: job.retries,
        ...(job.checksum ? { checksum: `CRC32:${job.checksum}` } : {}),
        result,
        ...(error ? { errorCode: error.code, error: { code: error.code, message: error.message, ...(error.details.httpStatus ? { httpStatus: error.details.httpStatus } : {}) } } : {}),
        ...(job.requestIds.length ? { requestIds: [...job.requestIds] } : {}),
        ...(item.note ? { note: item.note } : {}),
      });
    } catch {
      // The log must never stop an upload; the log writer reports its own failures.
    }
  }

  // ---------- controls ----------

  snapshot(): QueueSnapshot {
    for (const job of this.active) if (job.item.state === 'uploading') this.sampleBytes(job);
    return this.buildSnapshot(Infinity);
  }

  async cancel(id: string): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) throw notFound(id);
    await this.cancelJob(job);
  }

  private async cancelJob(job: Job): Promise<void> {
    const { item } = job;
    if (TERMINAL.has(item.state)) return;
    job.cancelRequested = true;
    if (item.state === 'uploading' && job.controller) {
      job.controller.abort(new AppError('UPLOAD_CANCELLED', 'The upload was cancelled.'));
      await job.running;
      return;
    }
    // queued or waiting on a conflict: nothing in flight.
    const idx = this.pending.indexOf(job);
    if (idx >= 0) this.pending.splice(idx, 1);
    await this.cleanupMultipart(job, this.clientsFor(job.grant)).catch(() => undefined);
    this.finish(job, 'cancelled');
    this.checkDrain();
  }

  async cancelAll(): Promise<void> {
    const jobs = [...this.jobs.values()].filter((j) => !TERMINAL.has(j.item.state));
    for (const b of this.batches.values()) b.cancelled = true;
    this.pending.length = 0;
    await Promise.all(jobs.map((j) => this.cancelJob(j)));
  }

  async retry(id: string): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) throw notFound(id);
    if (job.item.state !== 'failed' && job.item.state !== 'cancelled') return;
    job.cancelRequested = false;
    job.item.bytesSent = 0;
    job.doneBytes = job.uploadId ? [...job.parts.values()].reduce((s, p) => s + p.size, 0) : 0;
    delete job.item.error;
    delete job.item.finishedAt;
    this.requeue(job, false);
  }

  async resolveConflict(id: string, choice: ConflictChoice, applyToAll = false): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) throw notFound(id);
    if (choice === 'replace' && !job.grant.allowReplace) {
      throw new AppError('UPLOAD_REPLACE_NOT_ALLOWED', `The grant ${job.grant.title ?? job.grant.name} does not allow replacing files that already exist.`, {
        details: { hint: 'Choose “keep both” or “skip”.' },
      });
    }
    const targets = applyToAll ? [...this.jobs.values()].filter((j) => j.batch === job.batch && j.item.state === 'conflict') : [job];
    if (applyToAll) job.batch.applyAll = choice;
    if (job.item.state !== 'conflict' && !applyToAll) return;
    for (const j of targets) {
      j.choice = choice;
      delete j.item.error;
      this.requeue(j, true);
    }
  }

  clearFinished(): void {
    for (let i = this.order.length - 1; i >= 0; i--) {
      const id = this.order[i]!;
      const job = this.jobs.get(id);
      if (job && TERMINAL.has(job.item.state)) {
        this.jobs.delete(id);
        this.order.splice(i, 1);
      }
    }
    for (const [id, b] of this.batches) {
      if (!b.walking && ![...this.jobs.values()].some((j) => j.batch === b)) this.batches.delete(id);
    }
    this.touch();
  }

  busy(): boolean {
    return this.running > 0 || this.pending.length > 0 || [...this.batches.values()].some((b) => b.walking);
  }

  drain(): Promise<void> {
    if (!this.busy()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private checkDrain(): void {
    if (this.busy()) return;
    for (const w of this.drainWaiters.splice(0)) w();
  }

  onProgress(listener: (snapshot: QueueSnapshot) => void): Unsubscribe {
    this.listeners.add(listener);
    this.ensureTimer();
    return () => {
      this.listeners.delete(listener);
    };
  }

  // ---------- resume ----------

  async listResumable(): Promise<ResumableUpload[]> {
    const active = new Set([...this.jobs.values()].map((j) => j.resumeId).filter(Boolean));
    const out: ResumableUpload[] = [];
    for (const rec of await this.resumeStore.list()) {
      if (active.has(rec.id)) continue;
      let parts: PersistedPart[] = rec.parts;
      try {
        const grant = await this.deps.resolveGrant(rec.grant);
        parts = await listParts(this.clientsFor(grant).control, rec.bucket, rec.key, rec.uploadId);
      } catch (e) {
        if ((e as { name?: string }).name === 'NoSuchUpload' || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
          // Finished, aborted or expired on S3: nothing left to resume.
          await this.resumeStore.remove(rec.id);
          continue;
        }
        // No session or offline: offer it from what we recorded; resume() checks again.
      }
      out.push({
        id: rec.id,
        grant: rec.grant,
        relativePath: rec.relativePath,
        key: rec.key,
        size: rec.size,
        bytesDone: parts.reduce((s, p) => s + p.size, 0),
        fileUnchanged: await fileUnchanged(rec),
        startedAt: rec.startedAt,
      });
    }
    return out;
  }

  /**
   * The same file sent again after a crash or a killed CLI (its multipart upload and resume record are still there):
   * continue that upload instead of starting a second one and leaving the first, and its record, behind for ever.
   */
  private async adoptInterrupted(job: Job, clients: TransferClients): Promise<void> {
    const { item, grant } = job;
    const active = new Set([...this.jobs.values()].map((j) => j.resumeId).filter(Boolean));
    const rec = (await this.resumeStore.list()).find(
      (r) =>
        !active.has(r.id) &&
        r.grant === grant.name &&
        r.bucket === grant.bucket &&
        r.key === item.key &&
        r.path === job.path &&
        r.size === item.size &&
        Math.abs(r.mtimeMs - job.mtimeMs) < 1 &&
        r.overwrite === job.overwrite,
    );
    if (!rec) return;
    let parts: PersistedPart[];
    try {
      parts = await listParts(clients.control, rec.bucket, rec.key, rec.uploadId);
    } catch (e) {
      // Gone on S3 (finished, aborted, expired): forget it. Otherwise start afresh; the record stays for later.
      if ((e as { name?: string }).name === 'NoSuchUpload' || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
        await this.resumeStore.remove(rec.id);
      }
      return;
    }
    this.adoptParts(job, rec, parts);
    item.note = `Continued an interrupted upload (${job.parts.size === 1 ? '1 part was' : `${job.parts.size} parts were`} already sent).`;
    this.touch();
  }

  /** Takes over a recorded multipart upload: only parts whose size matches the plan are trusted; the rest are sent again. */
  private adoptParts(job: Job, rec: ResumeRecord, parts: PersistedPart[]): void {
    job.uploadId = rec.uploadId;
    job.partSize = rec.partSize;
    job.resumeId = rec.id;
    for (const p of parts) {
      const expected = Math.min(rec.partSize, rec.size - (p.partNumber - 1) * rec.partSize);
      if (p.size !== expected) continue;
      const known = rec.parts.find((r) => r.partNumber === p.partNumber);
      job.parts.set(p.partNumber, { ...p, ...(p.checksumCRC32 ? {} : known?.checksumCRC32 ? { checksumCRC32: known.checksumCRC32 } : {}) });
      job.doneBytes += p.size;
    }
    job.item.parts = job.parts.size;
  }

  async resume(id: string): Promise<void> {
    // Already continued by a new upload of the same file (adoptInterrupted): nothing more to do.
    if ([...this.jobs.values()].some((j) => j.resumeId === id && !TERMINAL.has(j.item.state))) return;
    const rec = await this.resumeStore.get(id);
    if (!rec) throw new AppError('UPLOAD_RESUME_NOT_FOUND', 'That unfinished upload is no longer there.', { details: { hint: 'Upload the file again.' } });
    if (!(await fileUnchanged(rec))) {
      throw new AppError('UPLOAD_RESUME_FILE_CHANGED', `“${rec.relativePath}” has changed since its upload started, so it cannot be continued.`, {
        details: { hint: 'Discard the unfinished upload and upload the file again.' },
      });
    }
    const grant = await this.deps.resolveGrant(rec.grant);
    let parts: PersistedPart[];
    try {
      parts = await listParts(this.clientsFor(grant).control, rec.bucket, rec.key, rec.uploadId);
    } catch (e) {
      if ((e as { name?: string }).name === 'NoSuchUpload') await this.resumeStore.remove(rec.id);
      throw this.awsError(e, 'ListParts', grant);
    }
    const batch: Batch = { id: randomUUID(), grant: grant.name, walking: false };
    this.batches.set(batch.id, batch);
    const item: UploadItem = { id: randomUUID(), batchId: batch.id, grant: grant.name, relativePath: rec.relativePath, key: rec.key, size: rec.size, bytesSent: 0, state: 'queued' };
    const job = this.newJob(item, rec.path, rec.mtimeMs, grant, batch);
    job.overwrite = rec.overwrite;
    this.adoptParts(job, rec, parts);
    this.pending.push(job);
    this.pump();
  }

  async discard(id: string): Promise<void> {
    const rec = await this.resumeStore.get(id);
    if (!rec) return;
    const grant = await this.deps.resolveGrant(rec.grant);
    try {
      await abortMultipart(this.clientsFor(grant).control, rec.bucket, rec.key, rec.uploadId);
    } catch (e) {
      throw this.awsError(e, 'AbortMultipartUpload', grant);
    }
    await this.resumeStore.remove(id);
  }

  // ---------- listing ----------

  async listObjects(grantName: string, prefix?: string, token?: string): Promise<ObjectPage> {
    const grant = await this.deps.resolveGrant(grantName);
    // A prefix is relative to the grant's prefix unless it already starts with it.
    const p = prefix ? (prefix.startsWith(grant.prefix) ? prefix : grant.prefix + prefix) : grant.prefix;
    let out;
    try {
      out = await this.clientsFor(grant).control.send(
        new ListObjectsV2Command({ Bucket: grant.bucket, Delimiter: '/', MaxKeys: 1000, ...(p ? { Prefix: p } : {}), ...(token ? { ContinuationToken: token } : {}) }),
      );
    } catch (e) {
      throw this.awsError(e, 'ListObjectsV2', grant);
    }
    return {
      objects: (out.Contents ?? []).map((o) => ({ key: o.Key ?? '', size: o.Size ?? 0, lastModified: o.LastModified ? o.LastModified.toISOString() : '' })),
      prefixes: (out.CommonPrefixes ?? []).map((c) => c.Prefix ?? '').filter(Boolean),
      ...(out.IsTruncated && out.NextContinuationToken ? { nextToken: out.NextContinuationToken } : {}),
    };
  }

  // ---------- progress ----------

  private touch(): void {
    this.dirty = true;
    this.ensureTimer();
  }

  private ensureTimer(): void {
    if (this.timer || this.listeners.size === 0) return;
    this.timer = setInterval(() => this.tick(), this.deps.progressIntervalMs ?? 100);
    this.timer.unref?.();
  }

  /** Reads the open streams' positions into item.bytesSent (cheap: no per-chunk accounting anywhere). */
  private sampleBytes(job: Job): number {
    let inFlight = 0;
    for (const st of job.streams.values()) inFlight += st.bytesRead;
    const sent = Math.min(job.item.size, job.doneBytes + inFlight);
    if (sent !== job.item.bytesSent) this.dirty = true;
    job.item.bytesSent = sent;
    return sent;
  }

  private tick(): void {
    const now = Date.now();
    let moving = false;
    for (const job of this.active) {
      if (job.item.state !== 'uploading') continue;
      moving = true;
      const sent = this.sampleBytes(job);
      job.samples.push({ t: now, b: sent });
      while (job.samples.length > 2 && now - job.samples[0]!.t > 5000) job.samples.shift();
      const rate = rateOf(job.samples);
      job.item.rate = rate;
      if (rate > 0) job.item.etaSeconds = Math.ceil((job.item.size - sent) / rate);
      else delete job.item.etaSeconds;
    }
    if (this.dirty && this.listeners.size) {
      this.dirty = false;
      const snap = this.buildSnapshot(this.deps.maxItemsPerEvent ?? 1000, now);
      for (const l of this.listeners) {
        try {
          l(snap);
        } catch {
          // A listener's failure is its own.
        }
      }
    }
    if (!moving && !this.dirty && !this.busy() && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private buildSnapshot(maxItems: number, now = Date.now()): QueueSnapshot {
    const summaries = new Map<string, BatchSummary>();
    for (const b of this.batches.values()) {
      summaries.set(b.id, { batchId: b.id, grant: b.grant, total: 0, done: 0, failed: 0, skipped: 0, cancelled: 0, refused: 0, bytesTotal: 0, bytesSent: 0, finished: !b.walking });
    }
    let bytesTotal = 0;
    let bytesSent = 0;
    const items: UploadItem[] = [];
    const finished: UploadItem[] = [];
    for (const id of this.order) {
      const job = this.jobs.get(id)!;
      const it = job.item;
      const s = summaries.get(it.batchId);
      if (s) {
        s.total++;
        if (it.state === 'done') s.done++;
        else if (it.state === 'failed') s.failed++;
        else if (it.state === 'skipped') s.skipped++;
        else if (it.state === 'cancelled') s.cancelled++;
        else if (it.state === 'refused') s.refused++;
        else s.finished = false;
        if (it.state !== 'refused') {
          s.bytesTotal += it.size;
          s.bytesSent += it.bytesSent;
        }
      }
      if (TERMINAL.has(it.state)) finished.push(it);
      else if (items.length < maxItems) items.push({ ...it });
    }
    for (const s of summaries.values()) {
      if (!s.finished) {
        bytesTotal += s.bytesTotal;
        bytesSent += s.bytesSent;
      }
    }
    // Fill the rest of the window with the most recently finished items.
    const room = Math.max(0, maxItems - items.length);
    const shownFinished = room >= finished.length ? finished : finished.slice(finished.length - room);
    const all = [...items, ...shownFinished.map((i) => ({ ...i }))];
    const omitted = this.order.length - all.length;
    this.overallSamples.push({ t: now, b: bytesSent });
    while (this.overallSamples.length > 2 && now - this.overallSamples[0]!.t > 5000) this.overallSamples.shift();
    const rate = rateOf(this.overallSamples);
    return {
      items: all,
      batches: [...summaries.values()],
      bytesTotal,
      bytesSent,
      rate,
      ...(rate > 0 && bytesTotal > bytesSent ? { etaSeconds: Math.ceil((bytesTotal - bytesSent) / rate) } : {}),
      ...(omitted > 0 ? { omittedItems: omitted } : {}),
    };
  }

  // ---------- shutdown ----------

  async close(): Promise<void> {
    this.closed = true;
    this.pending.length = 0;
    const running = [...this.jobs.values()].filter((j) => j.running);
    for (const j of running) {
      j.closing = true;
      j.controller?.abort(new AppError('UPLOADS_CLOSED', 'Grantbox is shutting down.'));
    }
    await Promise.all(running.map((j) => j.running));
    // Every finished file's record reaches the log before the process may exit.
    await Promise.all(this.logging);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const c of this.clientCache.values()) {
      c.data.destroy();
      c.control.destroy();
    }
    this.clientCache.clear();
    for (const w of this.drainWaiters.splice(0)) w();
  }
}

// No `info` and no `error` on purpose: the SDK's logger middleware calls `logger.info?.(…)` after every request and
// `logger.error?.(…)` after every failure, and builds their arguments — a schema walk that copies the request's
// input with sensitive fields masked — only when the method exists. The queue reports outcomes itself (item
// state, session log), so those calls would be discarded anyway; without the methods they cost nothing.
const quietStreamingLogger = {
  debug: () => undefined,
  warn: (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('non-retryable streaming request')) return;
    console.warn(...args);
  },
};

function rateOf(samples: Array<{ t: number; b: number }>): number {
  if (samples.length < 2) return 0;
  const a = samples[0]!;
  const z = samples[samples.length - 1]!;
  const dt = (z.t - a.t) / 1000;
  return dt > 0 ? Math.max(0, (z.b - a.b) / dt) : 0;
}

async function fileUnchanged(rec: ResumeRecord): Promise<boolean> {
  try {
    const st = await fsp.stat(rec.path);
    return st.size === rec.size && Math.abs(st.mtimeMs - rec.mtimeMs) < 1;
  } catch {
    return false;
  }
}

/** A local file-system error (the file vanished or can't be read), as opposed to a network/S3 one. */
function fileError(e: unknown, name: string): AppError | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  if (err?.code && ['open', 'read', 'stat', 'fstat'].includes(String(err.syscall))) {
    return new AppError('UPLOAD_FILE_UNREADABLE', `“${name}” could not be read (${err.code}).`, {
      cause: e,
      details: { hint: 'Check that the file still exists and that you can open it, then retry.' },
    });
  }
  return undefined;
}

function notFound(id: string): AppError {
  return new AppError('UPLOAD_NOT_FOUND', 'That upload is no longer in the list.', { details: { id } });
}

export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

export type { S3Client };
