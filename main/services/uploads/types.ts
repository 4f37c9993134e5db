// The upload engine's private types: its view of a grant and the on-disk resume record. What the UI and CLI see of
// uploads (UploadItem, QueueSnapshot, …) is bridge data and lives in preload/dto/uploads.ts.
import type { Encryption, OnConflict } from '../../../config/schema';

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
  encryption?: Encryption;
  /** x-amz-meta-* templates ({user}/{grant} filled; {fileName}, {mtime} per file). */
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
}

/** Per-object request fields: encryption, x-amz-meta-* (encoded) and the x-amz-tagging query string. */
export interface ObjectOptions {
  encryption?: Encryption;
  metadata?: Record<string, string>;
  tagging?: string;
}

/** One finished multipart part, as persisted for resume and sent in CompleteMultipartUpload. */
export interface PersistedPart {
  partNumber: number;
  etag: string;
  /** Base64 SHA-256 of the part, which S3 verified. */
  checksumSHA256?: string;
  size: number;
}
