// CRC32 of a byte range of a file, streamed (64 KiB reads) through Node's native zlib.crc32 (Node ≥ 20.15).
// Grantbox computes each request's checksum before sending and passes it as the x-amz-checksum-crc32 header
// (S3 verifies it) instead of the SDK's default aws-chunked trailer: the header form works with every
// S3-compatible store (s3rver and older MinIO/Ceph store aws-chunked framing as file content), lets a retried
// part carry the same checksum, and costs one extra read of data the page cache already holds.
import { createReadStream } from 'node:fs';
import zlib from 'node:zlib';

/** Base64 of the big-endian CRC32, the form S3 uses. */
export function crc32Base64(value: number): string {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b.toString('base64');
}

/** CRC32 of bytes [start, end) of the file. */
export async function crc32OfRange(file: string, start: number, end: number, signal?: AbortSignal): Promise<string> {
  let crc = 0;
  if (end > start) {
    const stream = createReadStream(file, { start, end: end - 1, highWaterMark: 256 * 1024, ...(signal ? { signal } : {}) });
    for await (const chunk of stream) crc = zlib.crc32(chunk as Buffer, crc);
  }
  return crc32Base64(crc);
}
