// One run of one job: applies a pending conflict choice, sends the file (one PutObject, or a multipart upload that
// is created, recorded for resume, sent part by part and completed), confirms the stored size, and ends the job.
// Conflicts (412 on If-None-Match) follow the batch's or grant's onConflict; "ask" parks the job in `conflict`.
// A cancel aborts an open multipart upload on S3; a quit (closing) leaves it resumable.
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors';
import { FileHasher } from './checksum';
import { buildReceipt, objectOptions, type SignedInAs, type UploadResult } from './receipt';
import { grantAwsError, type TransferClientPool } from './clients';
import type { Job } from './job';
import type { Outcomes } from './outcome';
import { planParts, type PartPlanOptions } from './part-size';
import type { ResumeKeeper } from './resume';
import type { ConcurrencyLimits } from './scheduler';
import type { RequestGate } from './request-gate';
import {
  abortMultipart,
  completeMultipart,
  createMultipart,
  expectedComposite,
  headStored,
  isConditionalConflict,
  isPreconditionFailed,
  keyExists,
  putWholeFile,
  uploadParts,
  type RetryOptions,
  type TransferClients,
  type TransferHooks,
  type TransferTarget,
} from './transfer';
import { renamedKey } from './naming';
import type { ConflictChoice } from '../../../preload/contract';

export interface RunnerDeps {
  clients: TransferClientPool;
  resume: ResumeKeeper;
  outcomes: Outcomes;
  limits: ConcurrencyLimits;
  /** Adaptive concurrency: every body request takes its turn here (absent = fixed limits). */
  gate?: RequestGate;
  /** Parts of one file in flight at most, read before each part (default: limits.partsPerFile). */
  partsInFlight?: () => number;
  retry: RetryOptions;
  parts?: PartPlanOptions;
  /** Something changed that a progress listener should see. */
  touch(): void;
  /** A job stopped needing anything (parked in `conflict`): the queue may be idle now. */
  settled(): void;
  /**
   * The job could not get access because the company sign-in has ended (SIGN_IN_ENDED): the queue puts it back in
   * line and holds until the person signs in again, instead of failing it.
   */
  waitForSignIn?(job: Job): boolean;
  /** Who is signed in, for receipts (the identity service's answer). */
  signedInAs?(): Promise<SignedInAs | undefined>;
  /** Benchmarks only: false skips the whole-file SHA-256 (parts are still checksummed). */
  wholeFileChecksum?: boolean;
}

export class JobRunner {
  constructor(private readonly deps: RunnerDeps) {}

  /** Sent in parts: an open multipart upload, or big enough to need one. */
  isLarge(job: Job): boolean {
    return Boolean(job.multipart.uploadId) || planParts(job.item.size, this.deps.parts).multipart;
  }

  async run(job: Job): Promise<void> {
    const { item } = job;
    const controller = new AbortController();
    job.control.controller = controller;
    item.state = 'uploading';
    item.startedAt ??= new Date().toISOString();
    job.audit.startedMs ??= Date.now();
    delete item.error;
    this.deps.touch();
    const clients = this.deps.clients.for(job.grant);
    const hooks = this.hooks(job, controller.signal);
    try {
      await this.applyChoice(job, clients);
      if (item.state !== 'uploading') return; // skipped
      const plan = planParts(item.size, this.deps.parts);
      const result = !plan.multipart && !job.multipart.uploadId ? await this.sendWhole(job, clients, hooks) : await this.sendParts(job, clients, hooks, plan.partSize);
      await this.completed(job, result);
    } catch (e) {
      await this.failed(job, clients, controller, e);
    } finally {
      job.progress.streams.clear();
      if (job.control.controller === controller) job.control.controller = undefined;
    }
  }

  /** The one place a finished upload's result lands on the job, before the job ends as done. */
  private async completed(job: Job, result: UploadResult): Promise<void> {
    job.audit.checksum = result.checksum;
    if (result.sha256) {
      const who = await this.deps.signedInAs?.().catch(() => undefined);
      job.item.receipt = buildReceipt(job, result, who);
    }
    this.deps.outcomes.finish(job, 'done');
  }

  private hooks(job: Job, signal: AbortSignal): TransferHooks {
    const { item } = job;
    return {
      signal,
      retry: this.deps.retry,
      ...(this.deps.gate ? { gate: this.deps.gate } : {}),
      onStream: (id, s) => {
        if (s) job.progress.streams.set(id, s);
        else job.progress.streams.delete(id);
      },
      onPartDone: async (part) => {
        job.multipart.parts.set(part.partNumber, part);
        job.progress.doneBytes += part.size;
        item.parts = job.multipart.parts.size;
        this.deps.touch();
        await this.deps.resume.persist(job);
      },
      onRetry: () => {
        job.audit.retries++;
        item.retries = job.audit.retries;
        this.deps.touch();
      },
      onRequestId: (id) => {
        if (id) {
          job.audit.requestIds.push(id);
          if (job.audit.requestIds.length > 8) job.audit.requestIds.shift();
        }
      },
    };
  }

  private target(job: Job): TransferTarget {
    const object = objectOptions(job);
    return { bucket: job.grant.bucket, key: job.item.key, overwrite: job.conflict.overwrite, ...(object ? { object } : {}) };
  }

  private async sendWhole(job: Job, clients: TransferClients, hooks: TransferHooks): Promise<UploadResult> {
    const { item, grant } = job;
    const { sha256, stored } = await this.withConflictRetry(job, () => putWholeFile(clients, job.path, item.size, this.target(job), hooks));
    job.progress.doneBytes = item.size;
    item.parts = 1;
    const local = sha256.toString('base64');
    // S3 verified the header before storing and answers with it; a store that does not must be asked.
    let confirmed = stored.checksum;
    let encryption: UploadResult['encryption'];
    if (!confirmed || grant.encryption) {
      const head = await headStored(clients.control, grant.bucket, item.key, new AbortController().signal, stored.versionId).catch(() => undefined);
      confirmed ??= head?.checksumSHA256;
      if (head?.encryption) encryption = { type: head.encryption, ...(head.kmsKeyId ? { kmsKeyId: head.kmsKeyId } : {}) };
    }
    this.confirm(job, local, confirmed, false);
    return { sha256, checksum: local, type: 'FULL_OBJECT', stored, ...(encryption ? { encryption } : {}) };
  }

  /** The checksum S3 stored must be the one computed from the file; a difference means the stored copy is not the file. */
  private confirm(job: Job, local: string, stored: string | undefined, multipart: boolean): void {
    // Some stores leave the composite's "-N" off; the digest itself must still match.
    if (stored === undefined || stored === local || (!/-\d+$/.test(stored) && stored === local.replace(/-\d+$/, ''))) return;
    const { item } = job;
    throw new AppError('UPLOAD_CHECKSUM_MISMATCH', `“${item.relativePath}” did not arrive intact: the copy in ${job.grant.bucket} does not match your file.`, {
      details: {
        hint: `Upload it again${multipart ? ' (choose replace, so the damaged copy is overwritten)' : ''}. If it happens again, the network between you and AWS may be altering data: tell your helpdesk.`,
        expected: local,
        stored,
      },
    });
  }

  private async sendParts(job: Job, clients: TransferClients, hooks: TransferHooks, plannedPartSize: number): Promise<UploadResult> {
    const { item, grant, multipart: mp } = job;
    const target = this.target(job);
    if (!mp.uploadId && (await this.deps.resume.adoptInterrupted(job, clients))) this.deps.touch();
    if (!mp.uploadId) {
      // A cheap early look saves sending gigabytes only to hit 412 at the end; If-None-Match stays the truth.
      if (!job.conflict.overwrite && (await keyExists(clients.control, grant.bucket, item.key, hooks.signal).catch(() => undefined))) {
        throw Object.assign(new Error('exists'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
      }
      const created = await createMultipart(clients, target);
      hooks.onRequestId(created.requestId);
      mp.uploadId = created.uploadId;
      mp.partSize = plannedPartSize;
      mp.resumeId ??= randomUUID().replaceAll('-', '');
      // Recorded first, so a quit during creation still leaves it resumable; a cancel during creation is
      // noticed here and failed() aborts it.
      await this.deps.resume.persist(job);
      hooks.signal.throwIfAborted();
    }
    // One sequential read hashes every part (the parts S3 already holds too: the whole-file SHA-256 needs them).
    const hasher = new FileHasher(job.path, item.size, mp.partSize!, this.deps.wholeFileChecksum ?? true).start(hooks.signal);
    // A part S3 holds from an earlier run counts only if it is this file's part (resume after a crash).
    for (const p of [...mp.parts.values()]) {
      if (p.checksumSHA256 !== (await hasher.part(p.partNumber))) {
        mp.parts.delete(p.partNumber);
        job.progress.doneBytes -= p.size;
      }
    }
    if (!mp.openAfterConflict) {
      await uploadParts(clients, job.path, item.size, mp.partSize!, target, mp.uploadId, mp.parts, this.deps.partsInFlight ?? this.deps.limits.partsPerFile, hooks, hasher);
    }
    mp.openAfterConflict = false;
    const done = await this.withConflictRetry(job, () => completeMultipart(clients, target, mp.uploadId!, mp.parts), true);
    hooks.onRequestId(done.requestId);
    if (mp.resumeId) await this.deps.resume.forget(mp.resumeId);
    mp.uploadId = undefined;
    const local = expectedComposite(mp.parts)!;
    job.audit.checksum = local;
    // The object exists now: a cancel (Ctrl-C) that arrived during Complete cannot undo it, so these checks must not
    // carry the cancel signal, or the file is reported and logged "cancelled" while S3 holds it.
    const head = await headStored(clients.control, grant.bucket, item.key, new AbortController().signal, done.versionId);
    if (head?.size !== undefined && head.size !== item.size) {
      throw new AppError('UPLOAD_SIZE_MISMATCH', `“${item.relativePath}” arrived with ${head.size} bytes instead of ${item.size}.`, {
        details: { hint: 'Upload it again (choose replace or keep both). If it happens again, tell your administrator.' },
      });
    }
    // What S3 computed from the bytes it assembled (HeadObject), else what Complete said.
    this.confirm(job, local, head?.checksumSHA256 ?? done.checksum, true);
    const sha256 = await hasher.digest();
    return {
      ...(sha256 ? { sha256 } : {}),
      checksum: local,
      type: 'COMPOSITE',
      stored: { ...done, ...(done.etag ? {} : head?.etag ? { etag: head.etag } : {}) },
      ...(head?.encryption ? { encryption: { type: head.encryption, ...(head.kmsKeyId ? { kmsKeyId: head.kmsKeyId } : {}) } } : {}),
    };
  }

  private async failed(job: Job, clients: TransferClients, controller: AbortController, e: unknown): Promise<void> {
    const { item } = job;
    if (job.control.closing) {
      // Quit: leave the multipart upload and its resume record for next time.
      item.state = 'cancelled';
      return;
    }
    if (job.control.cancelRequested || controller.signal.aborted) {
      await this.cleanupMultipart(job, clients);
      this.deps.outcomes.finish(job, 'cancelled');
      return;
    }
    if (isPreconditionFailed(e)) {
      await this.onConflict(job, clients, e);
      return;
    }
    const err = e instanceof AppError ? e : (fileError(e, item.relativePath) ?? grantAwsError(e, job.multipart.uploadId ? 'UploadPart' : 'PutObject', job.grant));
    // Nothing is lost: the job goes back in line (an unfinished multipart upload kept) and continues after sign-in.
    if (err.code === 'SIGN_IN_ENDED' && this.deps.waitForSignIn?.(job)) return;
    item.error = err.toJSON();
    this.deps.outcomes.finish(job, 'failed', err);
  }

  /** 409 ConditionalRequestConflict (a concurrent write raced ours) is retried once, then treated as 412. */
  private async withConflictRetry<T>(job: Job, fn: () => Promise<T>, multipart = false): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (!isConditionalConflict(e)) {
        if (multipart && isPreconditionFailed(e)) job.multipart.openAfterConflict = true;
        throw e;
      }
      job.audit.retries++;
      job.item.retries = job.audit.retries;
      try {
        return await fn();
      } catch (e2) {
        if (multipart && (isPreconditionFailed(e2) || isConditionalConflict(e2))) job.multipart.openAfterConflict = true;
        if (isConditionalConflict(e2)) throw Object.assign(e2 as object, { name: 'PreconditionFailed' });
        throw e2;
      }
    }
  }

  /** Applies a pending conflict choice before (re)sending. */
  private async applyChoice(job: Job, clients: TransferClients): Promise<void> {
    const choice = job.conflict.choice;
    job.conflict.choice = undefined;
    if (!choice) return;
    const { item, grant, conflict } = job;
    if (choice === 'skip') {
      await this.cleanupMultipart(job, clients);
      this.deps.outcomes.finish(job, 'skipped');
      return;
    }
    if (choice === 'replace') {
      conflict.overwrite = true;
      return;
    }
    // rename: the first free "name (n).ext". An open multipart upload is bound to its key, so it starts over.
    await this.cleanupMultipart(job, clients);
    conflict.baseKey ??= item.key;
    const base = conflict.baseKey;
    for (let n = conflict.renameFrom + 1; n < conflict.renameFrom + 1000; n++) {
      const candidate = renamedKey(base, n);
      const exists = await keyExists(clients.control, grant.bucket, candidate, job.control.controller!.signal).catch(() => undefined);
      if (exists === true) continue;
      conflict.renameFrom = n;
      item.key = candidate;
      item.note = `A file with this name already exists, so it was uploaded as “${candidate.slice(candidate.lastIndexOf('/') + 1)}” (keeping both).`;
      return;
    }
    throw new AppError('UPLOAD_NO_FREE_NAME', `Grantbox could not find a free name for “${item.relativePath}”.`, { details: { hint: 'Rename the file and try again.' } });
  }

  private async onConflict(job: Job, clients: TransferClients, e: unknown): Promise<void> {
    const { item, grant, batch } = job;
    const exists = grantAwsError(e, 'PutObject', grant);
    const error = new AppError('S3_OBJECT_EXISTS', `A file named “${item.key}” already exists in ${grant.bucket}.`, {
      cause: e,
      details: { ...exists.details, hint: 'Choose to skip it, keep both (upload under a new name)' + (grant.allowReplace ? ', or replace it.' : '.') },
    });
    let choice: ConflictChoice | 'ask' = batch.applyAll ?? batch.onConflict ?? grant.onConflict;
    if (choice === 'replace' && !grant.allowReplace) choice = 'ask';
    // "replace" already tried and still 412 would loop; a second 412 after choosing means someone raced us: ask.
    if (choice === 'replace' && job.conflict.overwrite) choice = 'ask';
    if (choice === 'ask') {
      item.state = 'conflict';
      item.error = error.toJSON();
      item.conflictChoices = grant.allowReplace ? ['skip', 'rename', 'replace'] : ['skip', 'rename'];
      this.deps.touch();
      this.deps.settled();
      return;
    }
    if (choice === 'skip') {
      await this.cleanupMultipart(job, clients);
      item.error = error.toJSON();
      this.deps.outcomes.finish(job, 'skipped');
      return;
    }
    job.conflict.choice = choice;
    // The scheduler puts it back in the line once this run has fully ended.
    item.state = 'queued';
    delete item.conflictChoices;
  }

  /** Aborts the job's open multipart upload (if S3 agrees) and forgets its parts and resume record. */
  async cleanupMultipart(job: Job, clients: TransferClients = this.deps.clients.for(job.grant)): Promise<void> {
    const mp = job.multipart;
    if (mp.uploadId) {
      try {
        await abortMultipart(clients.control, job.grant.bucket, job.item.key, mp.uploadId);
      } catch {
        // Left for resume/discard to clean up: the record stays.
        return;
      }
      mp.uploadId = undefined;
    }
    mp.parts.clear();
    job.progress.doneBytes = 0;
    mp.openAfterConflict = false;
    if (mp.resumeId) await this.deps.resume.forget(mp.resumeId);
    mp.resumeId = undefined;
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
