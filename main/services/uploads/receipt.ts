// Receipts and per-object request fields. A receipt is the proof of one upload — what S3 stored (bucket, key, size,
// ETag, VersionId, the checksum S3 verified, its clock, request ids) next to the file's own SHA-256 and who sent it —
// built only after the stored checksum was confirmed equal to the local one. objectOptions() turns the grant's
// encryption, metadata and tag templates into one file's request fields.
import path from 'node:path';
import type { UploadReceipt } from '../../../preload/contract';
import type { Job } from './job';
import type { StoredObject } from './transfer';
import type { ObjectOptions } from './types';

/** What a finished upload produced, checked against the file. */
export interface UploadResult {
  /** The whole file's SHA-256 (undefined only when the benchmark switched it off). */
  sha256?: Buffer;
  /** The checksum S3 stored, equal to the local one. */
  checksum: string;
  type: 'FULL_OBJECT' | 'COMPOSITE';
  stored: StoredObject;
  encryption?: { type: string; kmsKeyId?: string };
}

export interface SignedInAs {
  arn: string;
  userName?: string;
}

export function buildReceipt(job: Job, result: UploadResult, who: SignedInAs | undefined): UploadReceipt {
  const { item, grant, audit } = job;
  const { stored } = result;
  return {
    grant: grant.name,
    bucket: grant.bucket,
    key: item.key,
    file: item.relativePath,
    size: item.size,
    sha256: result.sha256!.toString('hex'),
    checksum: { algorithm: 'SHA256', type: result.type, base64: result.checksum, hex: checksumHex(result.checksum) },
    ...(stored.etag ? { etag: stored.etag } : {}),
    ...(stored.versionId ? { versionId: stored.versionId } : {}),
    serverTime: stored.serverTime ?? new Date().toISOString(),
    serverTimeFromS3: Boolean(stored.serverTime),
    requestIds: [...audit.requestIds],
    ...(who ? { signedInAs: who.arn, ...(who.userName ? { userName: who.userName } : {}) } : {}),
    ...(result.encryption ? { encryption: result.encryption } : {}),
  };
}

/** "BASE64" or "BASE64-N" → the same in hex. */
export function checksumHex(base64: string): string {
  const m = /^(.*?)(-\d+)?$/.exec(base64)!;
  return Buffer.from(m[1]!, 'base64').toString('hex') + (m[2] ?? '');
}

/**
 * x-amz-meta-* values are HTTP header values: only visible ASCII survives every proxy and SDK, so every value is
 * sent percent-encoded as UTF-8 (encodeURIComponent; letters, digits and - _ . ! ~ * ' ( ) stay as they are) and
 * any file name decodes back exactly with decodeURIComponent.
 */
export function encodeMetadataValue(value: string): string {
  return encodeURIComponent(value);
}

/** S3 tag values allow letters, digits, spaces and + - = . _ : / @; anything else becomes "_" (at most 256). */
export function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{N}\p{Zs}+\-=._:/@]/gu, '_').slice(0, 256);
}

function fill(template: string, fileName: string, mtime: string): string {
  return template.replace(/\{(fileName|mtime)\}/g, (_, v: string) => (v === 'fileName' ? fileName : mtime));
}

/** The grant's encryption, metadata and tags for this job's file (undefined when the grant sets none). */
export function objectOptions(job: Job): ObjectOptions | undefined {
  const { grant } = job;
  if (!grant.encryption && !grant.metadata && !grant.tags) return undefined;
  const fileName = path.basename(job.path).normalize('NFC');
  const mtime = new Date(job.mtimeMs || Date.now()).toISOString();
  const metadata = grant.metadata ? Object.fromEntries(Object.entries(grant.metadata).map(([k, v]) => [k, encodeMetadataValue(fill(v, fileName, mtime))])) : undefined;
  const tagging = grant.tags
    ? new URLSearchParams(Object.entries(grant.tags).map(([k, v]) => [tagValue(k), tagValue(fill(v, fileName, mtime))])).toString()
    : undefined;
  return {
    ...(grant.encryption ? { encryption: grant.encryption } : {}),
    ...(metadata ? { metadata } : {}),
    ...(tagging ? { tagging } : {}),
  };
}
