// What the UI and CLI see of uploads and bucket listings. Plain data, serializable over IPC. Types only.
import type { OnConflict } from '../../config/schema';
import type { FinishedState } from '../../shared/upload-states';
import type { SerializedAppError } from './errors';

export type { FinishedState };

export type UploadState =
  | 'queued'
  | 'uploading'
  | 'conflict' // waiting for the person to choose skip / keep both / replace
  | FinishedState; // done, skipped, failed, cancelled, or refused before a byte was sent (too big, unsafe name, unreadable)

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
  /** Proof of a finished upload (state `done`). */
  receipt?: UploadReceipt;
}

/**
 * Proof of one upload: what S3 stored, checked against the file. `sha256` is the whole file's SHA-256 in hex (what
 * `sha256sum` and `Get-FileHash` print); `checksum` is the value S3 itself verified and stored — the same SHA-256
 * (base64) for a single PUT, or for a multipart upload the composite SHA-256 of its parts ("…-N").
 */
export interface UploadReceipt {
  grant: string;
  bucket: string;
  key: string;
  /** The dropped file's name relative to what was dropped. */
  file: string;
  size: number;
  sha256: string;
  /**
   * `base64` as S3 and `aws s3api head-object --checksum-mode ENABLED` show it; `hex` the same bytes in hex (the
   * session log keeps only this one: its secret guard masks long base64 runs). Both end in "-N" when composite.
   */
  checksum: { algorithm: 'SHA256'; type: 'FULL_OBJECT' | 'COMPOSITE'; base64: string; hex: string };
  etag?: string;
  versionId?: string;
  /** S3's clock when it stored the object (ISO 8601), else the local clock (`serverTimeFromS3: false`). */
  serverTime: string;
  serverTimeFromS3: boolean;
  requestIds: string[];
  /** Who was signed in (IAM ARN), and the name people see. */
  signedInAs?: string;
  userName?: string;
  encryption?: { type: string; kmsKeyId?: string };
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
  /** Hidden files and folders and OS clutter (.DS_Store, Thumbs.db, desktop.ini) the folder walk left out. */
  hiddenSkipped: number;
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
  /**
   * The company sign-in has ended: nothing new starts, and uploads that needed fresh access went back in line.
   * They continue by themselves once the person has signed in again.
   */
  waitingForSignIn?: boolean;
}

/** A multipart upload left unfinished (quit, crash) that can be resumed or cleaned up. */
export interface ResumableUpload {
  id: string;
  grant: string;
  relativePath: string;
  key: string;
  size: number;
  bytesDone: number;
  /** false when the file changed (size/mtime) since the upload started: it can only be cleaned up. */
  fileUnchanged: boolean;
  startedAt: string;
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

/** `grantbox verify`: one local file compared with the object an upload of it would have made. */
export interface VerifyEntry {
  /** Relative to what was given, as an upload names it. */
  file: string;
  key: string;
  status: 'identical' | 'differ' | 'missing' | 'unchecked';
  size?: number;
  storedSize?: number;
  /** The local file's SHA-256 (hex), when it was read. */
  sha256?: string;
  lastModified?: string;
  /** Why it differs or could not be checked, in plain words. */
  reason?: string;
}
