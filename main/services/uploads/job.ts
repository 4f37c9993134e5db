// One file's state inside the queue, grouped by who reads it: the scheduler and the job runner (control), conflict
// handling, the open multipart upload (what resume records), progress sampling, and the session-log record (audit).
// Also the batch (one drop) a job belongs to.
import { newProgress, type JobProgress } from './progress';
import type { ConflictChoice, UploadItem } from '../../../preload/contract';
import type { PersistedPart, UploadGrant } from './types';

export interface Batch {
  id: string;
  grant: string;
  onConflict?: ConflictChoice;
  /** A choice the person applied to all conflicts of this batch. */
  applyAll?: ConflictChoice;
  walking: boolean;
  /** Hidden entries and OS clutter the folder walk left out. */
  hiddenSkipped: number;
  /** cancelAll(): stop walking the drop. */
  cancelled?: boolean;
}

export interface Job {
  /** What the UI and CLI see (snapshots copy it). */
  item: UploadItem;
  /** Absolute path of the local file. */
  path: string;
  mtimeMs: number;
  grant: UploadGrant;
  batch: Batch;
  control: {
    /** Aborts the current run. */
    controller?: AbortController;
    cancelRequested?: boolean;
    /** Quit: leave the multipart upload resumable instead of aborting it. */
    closing?: boolean;
  };
  conflict: {
    /** Writes may replace an existing object (the person chose "replace"). */
    overwrite: boolean;
    /** Set by resolveConflict (or applied automatically) for the next run. */
    choice?: ConflictChoice;
    /** The last n tried for "name (n).ext". */
    renameFrom: number;
    /** The key before "keep both" renamed it. */
    baseKey?: string;
  };
  multipart: {
    uploadId?: string;
    partSize?: number;
    parts: Map<number, PersistedPart>;
    /** The resume record's id (resume-store.ts). */
    resumeId?: string;
    /** Complete hit 412: the upload is kept open, all parts sent, while the person decides. */
    openAfterConflict?: boolean;
  };
  progress: JobProgress;
  audit: {
    /** The last few S3 request ids, for the helpdesk. */
    requestIds: string[];
    retries: number;
    startedMs?: number;
    /** The whole object's checksum as S3 confirmed it (SHA-256, base64; composite "…-N" for multipart). */
    checksum?: string;
  };
}

export function newJob(item: UploadItem, filePath: string, mtimeMs: number, grant: UploadGrant, batch: Batch): Job {
  return {
    item,
    path: filePath,
    mtimeMs,
    grant,
    batch,
    control: {},
    conflict: { overwrite: false, renameFrom: 0 },
    multipart: { parts: new Map() },
    progress: newProgress(),
    audit: { requestIds: [], retries: 0 },
  };
}

/** Bytes of the parts already on S3. */
export function partBytes(job: Job): number {
  let n = 0;
  for (const p of job.multipart.parts.values()) n += p.size;
  return n;
}
