// Multipart planning: when to use multipart and how big each part is. S3 allows at most 10,000 parts of
// 5 MiB–5 GiB (the last may be smaller) and objects up to 5 TiB; the part size grows with the file so any
// file S3 accepts stays under 10,000 parts.

export const MIB = 1024 * 1024;
export const S3_MIN_PART = 5 * MIB;
export const S3_MAX_PART = 5 * 1024 * MIB;
export const S3_MAX_PARTS = 10_000;

export interface PartPlanOptions {
  /** Files at least this big go multipart (default 16 MiB). */
  multipartThreshold?: number;
  /** Smallest part size (default 8 MiB, like aws s3 cp; never below S3's 5 MiB). */
  minPartSize?: number;
}

export const DEFAULT_MULTIPART_THRESHOLD = 16 * MIB;
export const DEFAULT_MIN_PART_SIZE = 8 * MIB;

export interface PartPlan {
  multipart: boolean;
  partSize: number;
  parts: number;
}

export function planParts(size: number, options: PartPlanOptions = {}): PartPlan {
  const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  if (size < threshold) return { multipart: false, partSize: size, parts: 1 };
  const minPart = Math.max(options.minPartSize ?? DEFAULT_MIN_PART_SIZE, S3_MIN_PART);
  // Round up to whole MiB so part boundaries stay page-aligned and easy to read in logs.
  const needed = Math.ceil(Math.ceil(size / S3_MAX_PARTS) / MIB) * MIB;
  const partSize = Math.min(Math.max(minPart, needed), S3_MAX_PART);
  return { multipart: true, partSize, parts: Math.max(1, Math.ceil(size / partSize)) };
}

/** Byte range [start, end) of a 1-based part. */
export function partRange(partNumber: number, partSize: number, size: number): { start: number; end: number } {
  const start = (partNumber - 1) * partSize;
  return { start, end: Math.min(start + partSize, size) };
}
