// `grantbox verify`: compares local files with what the grant's bucket holds under the keys an upload of them
// would use — size first, then the SHA-256 S3 stored (HeadObject with ChecksumMode ENABLED), recomputed from the
// file by streaming it once: the whole-file SHA-256 for a single-PUT object, the composite of the part SHA-256s
// ("…-N", part sizes from HeadObject PartNumber=1) for a multipart one. Needs the grant's `read` permission.
import type { S3Client } from '@aws-sdk/client-s3';
import { AppError } from '../errors';
import type { VerifyEntry } from '../../../preload/contract';
import { compositeSha256, FileHasher } from '../uploads/checksum';
import { grantAwsError } from '../uploads/clients';
import { makeKey, UnsafeNameError } from '../uploads/naming';
import { headObject, httpStatusOf, type HeadInfo } from '../uploads/transfer';
import type { UploadGrant } from '../uploads/types';
import { walkDrop } from '../uploads/walk';

function isNotFound(e: unknown): boolean {
  return httpStatusOf(e) === 404 || (e as { name?: string }).name === 'NotFound' || (e as { name?: string }).name === 'NoSuchKey';
}

/** Each file under `paths`, compared with its object; `onEntry` sees each result as it is known. */
export async function verifyFiles(client: S3Client, grant: UploadGrant, paths: string[], onEntry: (e: VerifyEntry) => void): Promise<VerifyEntry[]> {
  const out: VerifyEntry[] = [];
  const signal = new AbortController().signal;
  const push = (e: VerifyEntry) => {
    out.push(e);
    onEntry(e);
  };
  for await (const entry of walkDrop(paths)) {
    const file = entry.segments.join('/');
    if (entry.kind === 'refused') {
      if (entry.code !== 'UPLOAD_LINK_SKIPPED') push({ file, key: '', status: 'unchecked', reason: entry.message });
      continue;
    }
    let key: string;
    try {
      key = makeKey(grant.prefix, entry.segments).key;
    } catch (e) {
      push({ file, key: '', status: 'unchecked', reason: e instanceof UnsafeNameError ? e.message : String(e) });
      continue;
    }
    let head: HeadInfo;
    try {
      head = await headObject(client, grant.bucket, key, signal);
    } catch (e) {
      if (isNotFound(e)) {
        push({ file, key, status: 'missing', size: entry.size });
        continue;
      }
      throw grantAwsError(e, 'HeadObject', grant);
    }
    const base = { file, key, size: entry.size, ...(head.size !== undefined ? { storedSize: head.size } : {}), ...(head.lastModified ? { lastModified: head.lastModified } : {}) };
    if (head.size !== entry.size) {
      push({ ...base, status: 'differ', reason: `the bucket holds ${head.size ?? '?'} bytes, the file has ${entry.size}` });
      continue;
    }
    const stored = head.checksumSHA256;
    if (!stored) {
      push({ ...base, status: 'unchecked', reason: 'the object has no SHA-256 checksum (it was not uploaded by Grantbox, or by an older version); only the size matches' });
      continue;
    }
    const composite = /-(\d+)$/.exec(stored);
    let partSize = Math.max(1, entry.size);
    if (composite) {
      const part1 = await headObject(client, grant.bucket, key, signal, 1).catch((e: unknown) => {
        throw grantAwsError(e, 'HeadObject', grant);
      });
      const parts = Number(composite[1]);
      partSize = part1.size ?? 0;
      if (partSize <= 0 || Math.ceil(entry.size / partSize) !== parts) {
        push({ ...base, status: 'unchecked', reason: 'the object was uploaded in parts of different sizes; its checksum cannot be recomputed here' });
        continue;
      }
    }
    const hasher = new FileHasher(entry.path, entry.size, partSize).start(signal);
    let local: string;
    try {
      if (composite) {
        const parts: string[] = [];
        for (let n = 1; n <= Number(composite[1]); n++) parts.push(await hasher.part(n));
        local = compositeSha256(parts);
      } else local = await hasher.part(1);
      const sha256 = (await hasher.digest())!.toString('hex');
      push({ ...base, sha256, status: local === stored ? 'identical' : 'differ', ...(local === stored ? {} : { reason: 'same size, different content (checksums differ)' }) });
    } catch (e) {
      throw new AppError('UPLOAD_FILE_UNREADABLE', `“${file}” could not be read (${(e as NodeJS.ErrnoException).code ?? 'error'}).`, { cause: e, details: { hint: 'Check that the file still exists and that you can open it.' } });
    }
  }
  return out;
}
