// Multipart uploads that outlive a run: records each open upload (resume-store.ts) after every finished part,
// lists the unfinished ones (checked against S3 and the file on disk), adopts a recorded upload's parts into a job
// (resume(), or the same file dropped again after a crash), and forgets or aborts them.
import { promises as fsp } from 'node:fs';
import { AppError } from '../errors';
import type { ResumableUpload } from '../../../preload/contract';
import { grantAwsError } from './clients';
import type { Job } from './job';
import { ResumeStore, type ResumeRecord } from './resume-store';
import { abortMultipart, listParts, type TransferClients } from './transfer';
import type { PersistedPart, UploadGrant } from './types';

export interface ResumeDeps {
  resolveGrant(name: string): Promise<UploadGrant> | UploadGrant;
  clientsFor(grant: UploadGrant): TransferClients;
  /** Resume ids of the jobs the queue holds now (those are not offered or adopted twice). */
  inUse(): Set<string>;
}

/** Finished, aborted or expired on S3: nothing left to resume. */
function isGone(e: unknown): boolean {
  return (e as { name?: string }).name === 'NoSuchUpload' || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
}

export async function fileUnchanged(rec: ResumeRecord): Promise<boolean> {
  try {
    const st = await fsp.stat(rec.path);
    return st.size === rec.size && Math.abs(st.mtimeMs - rec.mtimeMs) < 1;
  } catch {
    return false;
  }
}

export class ResumeKeeper {
  readonly store: ResumeStore;

  constructor(
    dir: string,
    private readonly deps: ResumeDeps,
  ) {
    this.store = new ResumeStore(dir);
  }

  /** Writes the job's open multipart upload to its record (no-op without one). */
  async persist(job: Job): Promise<void> {
    const mp = job.multipart;
    if (!mp.uploadId || !mp.resumeId) return;
    const rec: ResumeRecord = {
      version: 2,
      id: mp.resumeId,
      grant: job.grant.name,
      bucket: job.grant.bucket,
      region: job.grant.region,
      key: job.item.key,
      path: job.path,
      relativePath: job.item.relativePath,
      size: job.item.size,
      mtimeMs: job.mtimeMs,
      uploadId: mp.uploadId,
      partSize: mp.partSize!,
      overwrite: job.conflict.overwrite,
      parts: [...mp.parts.values()].sort((a, b) => a.partNumber - b.partNumber),
      startedAt: job.item.startedAt ?? new Date().toISOString(),
    };
    await this.store.save(rec);
  }

  async forget(resumeId: string): Promise<void> {
    await this.store.remove(resumeId);
  }

  async list(): Promise<ResumableUpload[]> {
    const inUse = this.deps.inUse();
    const out: ResumableUpload[] = [];
    for (const rec of await this.store.list()) {
      if (inUse.has(rec.id)) continue;
      let parts: PersistedPart[] = rec.parts;
      try {
        const grant = await this.deps.resolveGrant(rec.grant);
        parts = await listParts(this.deps.clientsFor(grant).control, rec.bucket, rec.key, rec.uploadId);
      } catch (e) {
        if (isGone(e)) {
          await this.store.remove(rec.id);
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
   * True when the job took one over.
   */
  async adoptInterrupted(job: Job, clients: TransferClients): Promise<boolean> {
    const { item, grant } = job;
    const inUse = this.deps.inUse();
    const rec = (await this.store.list()).find(
      (r) =>
        !inUse.has(r.id) &&
        r.grant === grant.name &&
        r.bucket === grant.bucket &&
        r.key === item.key &&
        r.path === job.path &&
        r.size === item.size &&
        Math.abs(r.mtimeMs - job.mtimeMs) < 1 &&
        r.overwrite === job.conflict.overwrite,
    );
    if (!rec) return false;
    let parts: PersistedPart[];
    try {
      parts = await listParts(clients.control, rec.bucket, rec.key, rec.uploadId);
    } catch (e) {
      // Gone on S3 (finished, aborted, expired): forget it. Otherwise start afresh; the record stays for later.
      if (isGone(e)) await this.store.remove(rec.id);
      return false;
    }
    adoptParts(job, rec, parts);
    const n = job.multipart.parts.size;
    item.note = `Continued an interrupted upload (${n === 1 ? '1 part was' : `${n} parts were`} already sent).`;
    return true;
  }

  /** resume(id): the record, its grant and the parts S3 holds, after checking the file has not changed. */
  async load(id: string): Promise<{ rec: ResumeRecord; grant: UploadGrant; parts: PersistedPart[] }> {
    const rec = await this.store.get(id);
    if (!rec) throw new AppError('UPLOAD_RESUME_NOT_FOUND', 'That unfinished upload is no longer there.', { details: { hint: 'Upload the file again.' } });
    if (!(await fileUnchanged(rec))) {
      throw new AppError('UPLOAD_RESUME_FILE_CHANGED', `“${rec.relativePath}” has changed since its upload started, so it cannot be continued.`, {
        details: { hint: 'Discard the unfinished upload and upload the file again.' },
      });
    }
    const grant = await this.deps.resolveGrant(rec.grant);
    try {
      return { rec, grant, parts: await listParts(this.deps.clientsFor(grant).control, rec.bucket, rec.key, rec.uploadId) };
    } catch (e) {
      if ((e as { name?: string }).name === 'NoSuchUpload') await this.store.remove(rec.id);
      throw grantAwsError(e, 'ListParts', grant);
    }
  }

  /** Aborts the recorded upload on S3, then forgets it. */
  async discard(id: string): Promise<void> {
    const rec = await this.store.get(id);
    if (!rec) return;
    const grant = await this.deps.resolveGrant(rec.grant);
    try {
      await abortMultipart(this.deps.clientsFor(grant).control, rec.bucket, rec.key, rec.uploadId);
    } catch (e) {
      throw grantAwsError(e, 'AbortMultipartUpload', grant);
    }
    await this.store.remove(id);
  }
}

/** Takes over a recorded multipart upload: only parts whose size matches the plan are trusted; the rest are sent again. */
export function adoptParts(job: Job, rec: ResumeRecord, parts: PersistedPart[]): void {
  const mp = job.multipart;
  mp.uploadId = rec.uploadId;
  mp.partSize = rec.partSize;
  mp.resumeId = rec.id;
  for (const p of parts) {
    const expected = Math.min(rec.partSize, rec.size - (p.partNumber - 1) * rec.partSize);
    if (p.size !== expected) continue;
    const known = rec.parts.find((r) => r.partNumber === p.partNumber);
    mp.parts.set(p.partNumber, { ...p, ...(p.checksumSHA256 ? {} : known?.checksumSHA256 ? { checksumSHA256: known.checksumSHA256 } : {}) });
    job.progress.doneBytes += p.size;
  }
  job.item.parts = mp.parts.size;
}
