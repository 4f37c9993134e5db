// Upload queue DTOs: what the UI and CLI see of uploads. Plain data, serializable over IPC.
import type { SerializedAppError } from '../errors';
import type { OnConflict } from '../../../config/schema';

export type UploadState =
  | 'queued'
  | 'uploading'
  | 'conflict' // waiting for the person to choose skip / keep both / replace
  | 'done'
  | 'skipped'
  | 'failed'
  | 'cancelled'
  | 'refused'; // refused before a byte was sent (too big, unsafe name, unreadable)

export type ConflictChoice = Exclude<OnConflict, 'ask'>;

export interface UploadItem {
  id: string;
  batchId: string;
  grant: string;
  /** What the person dropped, relative to the dropped folder (or the file's base name). */
  relativePath: string;
  /** The S3 key it goes to (grant prefix + relative path, made safe). */
  key: string;
  size: number;
  bytesSent: number;
  state: UploadState;
  /** Bytes per second over the last few seconds, while uploading. */
  rate?: number;
  /** Seconds left, while uploading. */
  etaSeconds?: number;
  /** Plain-language reason for refused/failed/conflict, with code and request id for helpdesk. */
  error?: SerializedAppError;
  /** When a name had to be changed to be safe (e.g. "..", backslashes): what changed, in plain words. */
  note?: string;
  /** Choices offered in the `conflict` state. */
  conflictChoices?: ConflictChoice[];
  startedAt?: string;
  finishedAt?: string;
  parts?: number;
  retries?: number;
}

export interface BatchSummary {
  batchId: string;
  grant: string;
  total: number;
  done: number;
  failed: number;
  skipped: number;
  cancelled: number;
  refused: number;
  bytesTotal: number;
  bytesSent: number;
  finished: boolean;
}

export interface QueueSnapshot {
  items: UploadItem[];
  batches: BatchSummary[];
  /** Overall progress across unfinished batches. */
  bytesTotal: number;
  bytesSent: number;
  rate: number;
  etaSeconds?: number;
  /**
   * Progress events carry at most a window of items (unfinished ones first) so a 10,000-file drop doesn't flood
   * IPC; this counts the items left out of this snapshot (snapshot() itself returns them all).
   */
  omittedItems?: number;
}

export interface ObjectEntry {
  key: string;
  size: number;
  lastModified: string;
}

export interface ObjectPage {
  objects: ObjectEntry[];
  /** Folder-like prefixes when listing with a delimiter. */
  prefixes: string[];
  nextToken?: string;
}

/**
 * What the upload engine needs to know about a grant: the fields of config/policy.ts's ResolvedGrant it uses
 * (structurally compatible, so a ResolvedGrant can be passed as is).
 */
export interface UploadGrant {
  name: string;
  title?: string;
  contact?: string;
  region: string;
  bucket: string;
  /** Key prefix with {user} already filled in; used exactly as written ("" = bucket root). */
  prefix: string;
  maxFileSizeBytes?: number;
  onConflict: OnConflict;
  allowReplace: boolean;
}

/** One finished multipart part, as persisted for resume and sent in CompleteMultipartUpload. */
export interface PersistedPart {
  partNumber: number;
  etag: string;
  checksumCRC32?: string;
  size: number;
}

/** The resume record of one multipart upload: <dataDir>/uploads/<id>.json. Never holds credentials. */
export interface ResumeRecord {
  version: 1;
  id: string;
  grant: string;
  bucket: string;
  region: string;
  key: string;
  /** Absolute path of the file on this machine. */
  path: string;
  relativePath: string;
  size: number;
  mtimeMs: number;
  uploadId: string;
  partSize: number;
  /** Whether CompleteMultipartUpload may overwrite (the person chose "replace"). */
  overwrite: boolean;
  parts: PersistedPart[];
  startedAt: string;
}
