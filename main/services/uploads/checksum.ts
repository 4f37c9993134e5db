// Checksums of files being uploaded. Grantbox computes each request's checksum before sending and passes it as the
// x-amz-checksum-sha256 header (S3 verifies it) instead of the SDK's default aws-chunked trailer: the header form
// works with every S3-compatible store (s3rver and older MinIO/Ceph store aws-chunked framing as file content) and
// lets a retried part carry the same checksum.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';

const CHUNK = 1024 * 1024;

/**
 * SHA-256 of a whole file and of each of its parts, in ONE sequential read: the whole-file digest (the receipt's
 * `sha256`, what `sha256sum` prints) and each part's digest (sent as the part's x-amz-checksum-sha256, which S3
 * verifies) are fed the same chunks. This read replaces the per-part checksum read the upload already needed, so
 * the whole-file hash costs CPU only, never a second read of the file. It runs ahead of the senders: part N's
 * checksum resolves as soon as the read passes its end, so sending starts while later parts are still being hashed.
 * On resume the parts S3 already holds are read and hashed again (never sent), which keeps the whole-file digest
 * right without storing hash state.
 */
export class FileHasher {
  private readonly parts: Array<Deferred<string>>;
  private readonly whole = deferred<Buffer | undefined>();

  /** `partSize` = size (or 0 for an empty file) for a single PUT; `wholeFile: false` skips the whole-file digest. */
  constructor(
    private readonly file: string,
    private readonly size: number,
    private readonly partSize: number,
    private readonly wholeFile = true,
  ) {
    const count = size === 0 ? 1 : Math.ceil(size / partSize);
    this.parts = Array.from({ length: count }, () => deferred<string>());
  }

  /** Starts the read; failures reach every promise not yet settled. */
  start(signal: AbortSignal): this {
    void this.run(signal).catch((e: unknown) => {
      for (const p of this.parts) p.reject(e);
      this.whole.reject(e);
    });
    return this;
  }

  /** Base64 SHA-256 of part `n` (1-based). */
  part(n: number): Promise<string> {
    return this.parts[n - 1]!.promise;
  }

  /** Raw SHA-256 of the whole file (undefined when not asked for). */
  digest(): Promise<Buffer | undefined> {
    return this.whole.promise;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const all = this.wholeFile ? createHash('sha256') : undefined;
    const fh = this.size > 0 ? await fsp.open(this.file, 'r') : undefined;
    try {
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, this.size)));
      let pos = 0;
      for (let i = 0; i < this.parts.length; i++) {
        const end = Math.min(this.size, pos + this.partSize);
        const h = createHash('sha256');
        while (pos < end) {
          signal.throwIfAborted();
          const { bytesRead } = await fh!.read(buf, 0, Math.min(buf.length, end - pos), pos);
          if (bytesRead === 0) throw Object.assign(new Error(`the file is shorter than expected (${pos} of ${this.size} bytes)`), { code: 'EFILECHANGED', syscall: 'read' });
          const chunk = buf.subarray(0, bytesRead);
          h.update(chunk);
          all?.update(chunk);
          pos += bytesRead;
        }
        this.parts[i]!.resolve(h.digest('base64'));
      }
      this.whole.resolve(all?.digest());
    } finally {
      await fh?.close();
    }
  }
}

/** S3's composite checksum of a multipart object: SHA-256 of the parts' raw SHA-256s, base64, "-N". */
export function compositeSha256(partChecksums: string[]): string {
  const h = createHash('sha256');
  for (const c of partChecksums) h.update(Buffer.from(c, 'base64'));
  return `${h.digest('base64')}-${partChecksums.length}`;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Parts nobody waits for any more (a failed or cancelled upload) must not become unhandled rejections.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
