// CRC32 of a byte range of a file, read in 1 MiB pieces through Node's native zlib.crc32 (Node ≥ 20.15).
// Grantbox computes each request's checksum before sending and passes it as the x-amz-checksum-crc32 header
// (S3 verifies it) instead of the SDK's default aws-chunked trailer: the header form works with every
// S3-compatible store (s3rver and older MinIO/Ceph store aws-chunked framing as file content), lets a retried
// part carry the same checksum, and costs one extra read of data the page cache already holds.
import { promises as fsp } from 'node:fs';
import zlib from 'node:zlib';

const CHUNK = 1024 * 1024;

/** Base64 of the big-endian CRC32, the form S3 uses. */
export function crc32Base64(value: number): string {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b.toString('base64');
}

/** CRC32 of bytes [start, end) of the file, read through one reused 1 MiB buffer (no garbage per chunk). */
export async function crc32OfRange(file: string, start: number, end: number, signal?: AbortSignal): Promise<string> {
  let crc = 0;
  if (end > start) {
    signal?.throwIfAborted();
    const fh = await fsp.open(file, 'r');
    try {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, end - start));
      for (let pos = start; pos < end; ) {
        signal?.throwIfAborted();
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
        if (bytesRead === 0) throw Object.assign(new Error(`the file is shorter than expected (${pos} of ${end} bytes)`), { code: 'EFILECHANGED', syscall: 'read' });
        crc = zlib.crc32(buf.subarray(0, bytesRead), crc);
        pos += bytesRead;
      }
    } finally {
      await fh.close();
    }
  }
  return crc32Base64(crc);
}
