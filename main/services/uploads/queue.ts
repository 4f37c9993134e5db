// The upload queue (implements UploadService): owns every upload's state in the main process, so a renderer
// reload loses nothing. It holds the jobs and batches and wires the parts together: intake.ts turns a drop into
// jobs (walked lazily in the background, so start() returns at once), scheduler.ts decides which job runs next
// within the concurrency limits (adaptive by default: concurrency-controller.ts decides how many requests are in
// flight and request-gate.ts admits them), runner.ts sends one job, resume.ts keeps multipart uploads resumable,
// progress-feed.ts samples progress for listeners, outcome.ts ends jobs and writes the session log.
// close() (quit) leaves multipart uploads resumable; cancel aborts them on S3.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { AppError } from '../errors';
import type { AwsClientFactory } from '../aws/client-factory';
import type { SessionLogWriter } from '../audit/types';
import type { ConflictChoice, QueueSnapshot, ResumableUpload } from '../../../preload/contract';
import type { UploadService, Unsubscribe } from '../services';
import { TransferClientPool } from './clients';
import { intake, newItem, type Intake } from './intake';
import { newJob, partBytes, type Batch, type Job } from './job';
import { Outcomes } from './outcome';
import type { PartPlanOptions } from './part-size';
import { ProgressFeed } from './progress-feed';
import { isFinished } from '../../../shared/upload-states';
import { adoptParts, ResumeKeeper } from './resume';
import type { SignedInAs } from './receipt';
import { JobRunner } from './runner';
import { adaptiveLimits, fixedLimits, Scheduler, type ConcurrencyLimits } from './scheduler';
import { ConcurrencyController, DEFAULT_MAX_CONCURRENCY, type LimitChange, type WindowRecord } from './concurrency-controller';
import { RequestGate } from './request-gate';
import { DEFAULT_RETRY, type RetryOptions } from './transfer';
import type { UploadGrant } from './types';

export interface UploadServiceDeps {
  resolveGrant(name: string): Promise<UploadGrant> | UploadGrant;
  credentials(grant: string): AwsCredentialIdentityProvider;
  clients: AwsClientFactory;
  audit: SessionLogWriter;
  dataDir: string;
  /**
   * When the company sign-in ends, hold the line and put uploads that needed fresh access back in it (the app);
   * without it they fail with SIGN_IN_ENDED (one-shot CLI commands, which nobody can sign in again during).
   */
  holdOnSignInEnded?: boolean;
  /** Multipart files at once (default 4). */
  concurrency?: number;
  /** Fixes the parts in flight per multipart file (and files × this small files at once), turning the adaptive
   *  controller off. Absent: adaptive. */
  partConcurrency?: number;
  /** Adaptive ceiling: requests in flight at most (default 64; setting uploads.maxConcurrency). */
  maxConcurrency?: number;
  /** Adaptive: body bytes in flight at most (default 128 MiB). */
  memoryBudget?: number;
  /** Tuning and tests: multipart threshold / smallest part size. */
  parts?: PartPlanOptions;
  /** Tuning and tests: per-request retries of PutObject/UploadPart. */
  retry?: Partial<RetryOptions>;
  /** Progress snapshot interval (default 250 ms: at most four updates a second reach the window). */
  progressIntervalMs?: number;
  /** Most items in one progress event (default 1000); snapshot() returns all. */
  maxItemsPerEvent?: number;
  /** Who is signed in, for receipts (the identity service's current()). */
  signedInAs?(): Promise<SignedInAs | undefined>;
  /** Benchmarks only: false skips the whole-file SHA-256 (receipts need it). */
  wholeFileChecksum?: boolean;
}

/** UploadService plus close() for shutdown (leaves multipart uploads resumable). */
export interface UploadEngine extends UploadService {
  close(): Promise<void>;
  /** The adaptive controller's limit and its changes so far (undefined with fixed limits). */
  concurrency(): { limit: number; history: readonly LimitChange[]; windows: readonly WindowRecord[] } | undefined;
}

function notFound(id: string): AppError {
  return new AppError('UPLOAD_NOT_FOUND', 'That upload is no longer in the list.', { details: { id } });
}

export class UploadQueue implements UploadEngine {
  /** Every job, in the order it was queued. */
  private readonly jobs = new Map<string, Job>();
  private readonly batches = new Map<string, Batch>();
  private readonly drainWaiters: Array<() => void> = [];
  private readonly limits: ConcurrencyLimits;
  private readonly gate: RequestGate | undefined;
  private readonly clients: TransferClientPool;
  private readonly resumes: ResumeKeeper;
  private readonly outcomes: Outcomes;
  private readonly runner: JobRunner;
  private readonly scheduler: Scheduler<Job>;
  private readonly feed: ProgressFeed;
  private closed = false;
  /** The company sign-in has ended: hold the line until holdForSignIn(false). */
  private waitingForSignIn = false;

  constructor(private readonly deps: UploadServiceDeps) {
    const files = deps.concurrency ?? 4;
    let partsInFlight: (() => number) | undefined;
    if (deps.partConcurrency === undefined) {
      const controller = new ConcurrencyController({ max: deps.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY });
      this.gate = new RequestGate(controller, deps.memoryBudget);
      this.limits = adaptiveLimits(files, controller);
      // One large file may use the whole limit: the gate shares it out between files and within the memory budget.
      partsInFlight = () => controller.limit;
    } else {
      this.limits = fixedLimits(files, deps.partConcurrency);
    }
    this.clients = new TransferClientPool(deps.clients, deps.credentials, this.limits, this.gate?.controller.max);
    this.feed = new ProgressFeed(
      {
        jobs: () => this.jobs.values(),
        batches: () => this.batches.values(),
        running: () => this.scheduler.running(),
        busy: () => this.busy(),
        waitingForSignIn: () => this.waitingForSignIn,
      },
      deps.progressIntervalMs ?? 250,
      deps.maxItemsPerEvent ?? 1000,
    );
    const touch = () => this.feed.touch();
    this.resumes = new ResumeKeeper(path.join(deps.dataDir, 'uploads'), {
      resolveGrant: (name) => deps.resolveGrant(name),
      clientsFor: (grant) => this.clients.for(grant),
      inUse: () => new Set([...this.jobs.values()].map((j) => j.multipart.resumeId).filter((id): id is string => Boolean(id))),
    });
    this.outcomes = new Outcomes(deps.audit, touch);
    this.runner = new JobRunner({
      clients: this.clients,
      resume: this.resumes,
      outcomes: this.outcomes,
      limits: this.limits,
      ...(this.gate ? { gate: this.gate } : {}),
      ...(partsInFlight ? { partsInFlight } : {}),
      retry: { ...DEFAULT_RETRY, ...deps.retry },
      ...(deps.parts ? { parts: deps.parts } : {}),
      touch,
      settled: () => this.checkDrain(),
      waitForSignIn: (job) => {
        if (!deps.holdOnSignInEnded) return false;
        this.waitingForSignIn = true;
        job.item.state = 'queued';
        delete job.item.error;
        touch();
        return true;
      },
      ...(deps.signedInAs ? { signedInAs: deps.signedInAs } : {}),
      ...(deps.wholeFileChecksum !== undefined ? { wholeFileChecksum: deps.wholeFileChecksum } : {}),
    });
    this.scheduler = new Scheduler<Job>(this.limits, {
      isQueued: (job) => job.item.state === 'queued',
      isLarge: (job) => this.runner.isLarge(job),
      run: (job) => this.runner.run(job),
      ended: () => {
        touch();
        this.pump();
        this.checkDrain();
      },
    });
  }

  // ---------- starting ----------

  async start(grantName: string, paths: string[], options: { onConflict?: ConflictChoice; includeHidden?: boolean } = {}): Promise<{ batchId: string }> {
    if (this.closed) throw new AppError('UPLOADS_CLOSED', 'Grantbox is shutting down; uploads cannot start now.');
    const grant = await this.deps.resolveGrant(grantName);
    if (options.onConflict === 'replace' && !grant.allowReplace) {
      throw new AppError('UPLOAD_REPLACE_NOT_ALLOWED', `The grant ${grant.title ?? grant.name} does not allow replacing files that already exist.`, {
        details: { hint: `Choose “keep both” or “skip”${grant.contact ? `, or ask ${grant.contact}` : ''}.`, grant: grant.name },
      });
    }
    const batch = this.newBatch(grant, true, options.onConflict);
    const sink = {
      stopped: () => this.closed || Boolean(batch.cancelled),
      accept: (x: Intake) => this.accept(x, grant, batch),
      hiddenSkipped: () => void batch.hiddenSkipped++,
    };
    void intake(paths, grant, batch.id, sink, { includeHidden: options.includeHidden ?? false }).finally(() => {
      batch.walking = false;
      this.feed.touch();
      this.checkDrain();
    });
    return { batchId: batch.id };
  }

  private newBatch(grant: UploadGrant, walking: boolean, onConflict?: ConflictChoice): Batch {
    const batch: Batch = { id: randomUUID(), grant: grant.name, walking, hiddenSkipped: 0, ...(onConflict ? { onConflict } : {}) };
    this.batches.set(batch.id, batch);
    return batch;
  }

  private addJob(job: Job): Job {
    this.jobs.set(job.item.id, job);
    this.feed.touch();
    return job;
  }

  private accept(x: Intake, grant: UploadGrant, batch: Batch): void {
    const job = this.addJob(newJob(x.item, x.path, x.mtimeMs, grant, batch));
    if (x.outcome === 'skipped') {
      x.item.error = x.error.toJSON();
      this.outcomes.finish(job, 'skipped', x.error);
    } else if (x.outcome === 'refused') {
      this.outcomes.refuse(job, x.error);
    } else {
      this.scheduler.enqueue(job);
      this.pump();
    }
  }

  private pump(): void {
    if (!this.closed && !this.waitingForSignIn) this.scheduler.pump();
    this.feed.ensureTimer();
  }

  /** Holds the line while the company sign-in has ended (true); releases it after sign-in again (false). */
  holdForSignIn(held: boolean): void {
    if (!this.deps.holdOnSignInEnded || this.waitingForSignIn === held) return;
    this.waitingForSignIn = held;
    this.feed.touch();
    if (!held) this.pump();
  }

  private requeue(job: Job, front: boolean): void {
    job.item.state = 'queued';
    delete job.item.conflictChoices;
    if (this.scheduler.runOf(job)) return; // the scheduler requeues it when that run ends
    this.scheduler.enqueue(job, front);
    this.feed.touch();
    queueMicrotask(() => this.pump());
  }

  // ---------- controls ----------

  concurrency(): { limit: number; history: readonly LimitChange[]; windows: readonly WindowRecord[] } | undefined {
    if (!this.gate) return undefined;
    return { limit: this.gate.controller.limit, history: this.gate.controller.history(), windows: this.gate.controller.windows() };
  }

  snapshot(): QueueSnapshot {
    return this.feed.snapshot();
  }

  onProgress(listener: (snapshot: QueueSnapshot) => void): Unsubscribe {
    return this.feed.subscribe(listener);
  }

  async cancel(id: string): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) throw notFound(id);
    await this.cancelJob(job);
  }

  private async cancelJob(job: Job): Promise<void> {
    const { item } = job;
    if (isFinished(item.state)) return;
    job.control.cancelRequested = true;
    if (item.state === 'uploading' && job.control.controller) {
      job.control.controller.abort(new AppError('UPLOAD_CANCELLED', 'The upload was cancelled.'));
      await this.scheduler.runOf(job);
      return;
    }
    // queued or waiting on a conflict: nothing in flight.
    this.scheduler.remove(job);
    await this.runner.cleanupMultipart(job).catch(() => undefined);
    this.outcomes.finish(job, 'cancelled');
    this.checkDrain();
  }

  async cancelAll(): Promise<void> {
    const jobs = [...this.jobs.values()].filter((j) => !isFinished(j.item.state));
    for (const b of this.batches.values()) b.cancelled = true;
    this.scheduler.clearPending();
    await Promise.all(jobs.map((j) => this.cancelJob(j)));
  }

  async retry(id: string): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) throw notFound(id);
    if (job.item.state !== 'failed' && job.item.state !== 'cancelled') return;
    job.control.cancelRequested = false;
    job.item.bytesSent = 0;
    job.progress.doneBytes = job.multipart.uploadId ? partBytes(job) : 0;
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
      j.conflict.choice = choice;
      delete j.item.error;
      this.requeue(j, true);
    }
  }

  clearFinished(): void {
    for (const [id, job] of this.jobs) {
      if (isFinished(job.item.state)) this.jobs.delete(id);
    }
    for (const [id, b] of this.batches) {
      if (!b.walking && ![...this.jobs.values()].some((j) => j.batch === b)) this.batches.delete(id);
    }
    this.feed.touch();
  }

  busy(): boolean {
    return this.scheduler.busy() || [...this.batches.values()].some((b) => b.walking);
  }

  drain(): Promise<void> {
    if (!this.busy()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private checkDrain(): void {
    if (this.busy()) return;
    for (const w of this.drainWaiters.splice(0)) w();
  }

  // ---------- resume ----------

  listResumable(): Promise<ResumableUpload[]> {
    return this.resumes.list();
  }

  async resume(id: string): Promise<void> {
    // Already continued by a new upload of the same file (adoptInterrupted): nothing more to do.
    if ([...this.jobs.values()].some((j) => j.multipart.resumeId === id && !isFinished(j.item.state))) return;
    const { rec, grant, parts } = await this.resumes.load(id);
    const batch = this.newBatch(grant, false);
    const item = { ...newItem(batch.id, grant, rec.relativePath), key: rec.key, size: rec.size };
    const job = this.addJob(newJob(item, rec.path, rec.mtimeMs, grant, batch));
    job.conflict.overwrite = rec.overwrite;
    adoptParts(job, rec, parts);
    this.scheduler.enqueue(job);
    this.pump();
  }

  discard(id: string): Promise<void> {
    return this.resumes.discard(id);
  }

  // ---------- shutdown ----------

  async close(): Promise<void> {
    this.closed = true;
    this.scheduler.stop();
    const running = [...this.scheduler.running()];
    const runs = running.map((j) => this.scheduler.runOf(j));
    for (const j of running) {
      j.control.closing = true;
      j.control.controller?.abort(new AppError('UPLOADS_CLOSED', 'Grantbox is shutting down.'));
    }
    await Promise.all(runs);
    // Every finished file's record reaches the log before the process may exit.
    await this.outcomes.flushed();
    this.feed.stop();
    this.clients.destroy();
    for (const w of this.drainWaiters.splice(0)) w();
  }
}
