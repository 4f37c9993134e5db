// Checksums of files being uploaded. Grantbox computes each request's checksum before sending and passes it as the
// x-amz-checksum-sha256 header (S3 verifies it) instead of the SDK's default aws-chunked trailer: the header form
// works with every S3-compatible store (s3rver and older MinIO/Ceph store aws-chunked framing as file content) and
// lets a retried part carry the same checksum.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { HASH_WORKER_SOURCE } from './hash-worker-source';

const CHUNK = 1024 * 1024;

/**
 * SHA-256 of a whole file and of each of its parts, in ONE sequential read: the whole-file digest (the receipt's
 * `sha256`, what `sha256sum` prints) and each part's digest (sent as the part's x-amz-checksum-sha256, which S3
 * verifies) are fed the same chunks. This read replaces the per-part checksum read the upload already needed, so
 * the whole-file hash costs CPU only, never a second read of the file. It runs ahead of the senders: part N's
 * checksum resolves as soon as the read passes its end, so sending starts while later parts are still being hashed.
 * On resume the parts S3 already holds are read and hashed again (never sent), which keeps the whole-file digest
 * right without storing hash state.
 *
 * The read and the hashing run on a worker thread shared by every file (see HashWorker below), so the process's
 * main thread — the app's IPC, the senders — never spends its time in SHA-256 (≈1 s per GiB). Where a worker
 * cannot be started, the same loop runs here on the main thread.
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
    // An empty file needs no read at all, so it never costs a message round trip.
    const worker = this.size > 0 ? sharedWorker() : undefined;
    if (worker) {
      worker.submit({ file: this.file, size: this.size, partSize: this.partSize, wholeFile: this.wholeFile }, signal, {
        part: (n, sha256) => this.parts[n - 1]?.resolve(sha256),
        done: (digest) => this.whole.resolve(digest),
        fail: (e) => this.fail(e),
        // The worker died mid-file: this file is read again from the start here, on the main thread (parts already
        // delivered keep their digest), rather than on another worker that might die the same way.
        lost: () => void this.run(signal).catch((e: unknown) => this.fail(e)),
      });
    } else {
      void this.run(signal).catch((e: unknown) => this.fail(e));
    }
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

  private fail(e: unknown): void {
    for (const p of this.parts) p.reject(e);
    this.whole.reject(e);
  }

  /** The same loop as the worker's (hash-worker-source.ts), on this thread: where no worker can be started, or one died mid-file. */
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

interface HashJob {
  file: string;
  size: number;
  partSize: number;
  wholeFile: boolean;
}

interface HashSink {
  part(n: number, sha256: string): void;
  done(digest: Buffer | undefined): void;
  fail(e: unknown): void;
  /** The worker thread stopped before this job ended. */
  lost(): void;
}

type WorkerMessage =
  | { id: number; part: number; sha256: string }
  | { id: number; done: true; digest?: Uint8Array }
  | { id: number; aborted: true }
  | { id: number; error: { message: string; name?: string; code?: string; syscall?: string; errno?: number; path?: string } };

/**
 * The one checksum worker thread of this process, started on first use. It hashes many files at once (their reads
 * interleave on its own event loop); each job has an id, and only digests come back. It is referenced only while a
 * job is running, so an idle worker never keeps the CLI alive and a running one keeps it alive until its digests
 * arrive. If the thread dies, every job still running finishes on the main thread and the next job starts a fresh
 * worker.
 */
class HashWorker {
  readonly worker: Worker;
  private readonly jobs = new Map<number, { sink: HashSink; signal: AbortSignal; onAbort: () => void }>();
  private nextId = 1;
  private stopped = false;

  constructor() {
    this.worker = new Worker(HASH_WORKER_SOURCE, { eval: true, name: 'grantbox-sha256' });
    this.worker.on('message', (m: WorkerMessage) => this.receive(m));
    this.worker.on('error', () => this.stop());
    this.worker.on('messageerror', () => this.stop());
    this.worker.on('exit', () => this.stop());
    // After the listeners: adding a 'message' listener references the worker again.
    this.worker.unref();
  }

  get alive(): boolean {
    return !this.stopped;
  }

  submit(job: HashJob, signal: AbortSignal, sink: HashSink): void {
    if (signal.aborted) return sink.fail(signal.reason);
    const id = this.nextId++;
    const onAbort = () => this.worker.postMessage({ type: 'cancel', id });
    signal.addEventListener('abort', onAbort, { once: true });
    if (this.jobs.size === 0) this.worker.ref();
    this.jobs.set(id, { sink, signal, onAbort });
    this.worker.postMessage({ type: 'hash', id, ...job });
  }

  private receive(m: WorkerMessage): void {
    const job = this.jobs.get(m.id);
    if (!job) return;
    if ('part' in m) return job.sink.part(m.part, m.sha256);
    this.end(m.id);
    if ('done' in m) job.sink.done(m.digest && Buffer.from(m.digest.buffer, m.digest.byteOffset, m.digest.byteLength));
    // The worker has closed the file by now; the caller sees its own abort reason, as with the in-thread loop.
    else if ('aborted' in m) job.sink.fail(job.signal.reason);
    else job.sink.fail(rebuildError(m.error));
  }

  private end(id: number): void {
    const job = this.jobs.get(id);
    if (!job) return;
    job.signal.removeEventListener('abort', job.onAbort);
    this.jobs.delete(id);
    if (this.jobs.size === 0 && !this.stopped) this.worker.unref();
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (shared === this) shared = undefined;
    for (const [id, job] of [...this.jobs]) {
      this.end(id);
      job.sink.lost();
    }
    void this.worker.terminate();
  }
}

let shared: HashWorker | undefined;

/** The process's checksum worker, started on first use; undefined where worker threads are unavailable. */
function sharedWorker(): HashWorker | undefined {
  if (shared?.alive) return shared;
  try {
    shared = new HashWorker();
  } catch {
    shared = undefined;
  }
  return shared;
}

/** Test hook: kills the checksum worker as a crash would (resolves once it has exited; no-op when none runs). */
export async function terminateHashWorkerForTests(): Promise<void> {
  await shared?.worker.terminate();
}

function rebuildError(e: Extract<WorkerMessage, { error: unknown }>['error']): Error {
  const err = new Error(e.message) as NodeJS.ErrnoException;
  if (e.name && e.name !== 'Error') err.name = e.name;
  if (e.code !== undefined) err.code = e.code;
  if (e.syscall !== undefined) err.syscall = e.syscall;
  if (e.errno !== undefined) err.errno = e.errno;
  if (e.path !== undefined) err.path = e.path;
  return err;
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
