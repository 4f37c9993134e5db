// One file's trip to S3: a single streamed PutObject below the multipart threshold, otherwise our own
// CreateMultipartUpload / UploadPart / CompleteMultipartUpload loop (own rather than lib-storage's Upload because
// resume needs the UploadId and part ETags persisted as they finish). Every request carries a SHA-256 checksum that
// S3 verifies, computed in the same single read that feeds the whole-file SHA-256 (see checksum.ts); writes carry
// If-None-Match: * unless the person chose "replace"; the finished object's size and checksum are confirmed with
// HeadObject.
//
// Retries: bodies are file streams, which the SDK cannot replay, so the data client runs with maxAttempts 1 and
// each PutObject/UploadPart is retried here with a fresh stream (full-jitter backoff) on network resets, 5xx,
// throttling and expired credentials (the session's provider refreshes them). Control calls (Create, Complete,
// Head, List, Abort) have no stream and use the SDK's own retries.
//
// One concept over 400 lines: the S3 request sequence of a single file, with the retry and checksum rules every one
// of its requests shares; the queue around it (scheduling, conflicts, resume, progress) lives in its own modules.
import fs, { createReadStream, type ReadStream } from 'node:fs';
import { promisify } from 'node:util';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type PutObjectCommandOutput,
  type S3Client,
  type UploadPartCommandOutput,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { compositeSha256, FileHasher } from './checksum';
import { partRange } from './part-size';
import type { RequestGate } from './request-gate';
import type { ObjectOptions, PersistedPart } from './types';

export interface TransferClients {
  /** maxAttempts 1: PutObject/UploadPart with stream bodies, retried by `withRetry`. Send through `sendData`. */
  data: S3Client;
  /** SDK retries on: everything without a body stream. */
  control: S3Client;
}

export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 15_000 };

const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'ECONNABORTED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_STREAM_PREMATURE_CLOSE']);

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

export function httpStatusOf(e: unknown): number | undefined {
  return (e as SdkLikeError | undefined)?.$metadata?.httpStatusCode;
}

export function requestIdOf(e: unknown): string | undefined {
  return (e as SdkLikeError | undefined)?.$metadata?.requestId;
}

/** Network resets, 5xx, throttling, expired credentials: worth another try with a fresh stream. */
export function isTransient(e: unknown): boolean {
  const err = e as SdkLikeError | undefined;
  if (!err) return false;
  if (err.name === 'AbortError') return false;
  const status = err.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (err.name && TRANSIENT_NAMES.has(err.name)) return true;
  if (err.code && TRANSIENT_CODES.has(err.code)) return true;
  // Node's http client reports a connection cut mid-request as a bare Error.
  if (status === undefined && /socket hang up|ECONNRESET|EPIPE|premature close|other side closed/i.test(err.message ?? '')) return true;
  return false;
}

export function isPreconditionFailed(e: unknown): boolean {
  return httpStatusOf(e) === 412 || (e as SdkLikeError)?.name === 'PreconditionFailed';
}

export function isConditionalConflict(e: unknown): boolean {
  return httpStatusOf(e) === 409 && (e as SdkLikeError)?.name !== 'BucketAlreadyExists';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `fn` until it succeeds, fails with a non-transient error, runs out of attempts, or is aborted. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions, signal: AbortSignal, onRetry: (e: unknown) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (signal.aborted || attempt >= options.maxAttempts || !isTransient(e)) throw e;
      onRetry(e);
      // Full jitter: spreads many parts retrying after one network blip.
      const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.random() * cap, signal);
    }
  }
}

export interface TransferTarget {
  bucket: string;
  key: string;
  /** true = the person chose "replace": no If-None-Match. */
  overwrite: boolean;
  /** Encryption, metadata and tags for the new object (PutObject / CreateMultipartUpload). */
  object?: ObjectOptions;
}

/** What S3 answered for a finished object (PutObject or CompleteMultipartUpload). */
export interface StoredObject {
  /** The object's SHA-256 checksum as S3 returned it (whole-object, or composite "…-N"). */
  checksum?: string;
  etag?: string;
  versionId?: string;
  requestId?: string;
  /** The answer's Date header: S3's clock when it stored the object. */
  serverTime?: string;
}

/** The SDK request fields for a target's encryption, metadata and tags. */
function objectFields(o: ObjectOptions | undefined): Record<string, unknown> {
  if (!o) return {};
  const enc = o.encryption;
  return {
    ...(enc ? { ServerSideEncryption: enc.type } : {}),
    ...(enc?.type === 'aws:kms' ? { SSEKMSKeyId: enc.keyId, ...(enc.bucketKey !== undefined ? { BucketKeyEnabled: enc.bucketKey } : {}) } : {}),
    ...(o.metadata && Object.keys(o.metadata).length ? { Metadata: o.metadata } : {}),
    ...(o.tagging ? { Tagging: o.tagging } : {}),
  };
}

// ---- S3's clock ----
// A receipt records when S3 stored the object; only the answer's Date header says so (the SDK keeps no headers).
const serverDates = new WeakMap<object, string>();

/** Files each answer's Date header under its output, for serverTimeOf(). */
export function recordServerTime(client: S3Client): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const date = (result.response as { headers?: Record<string, string> } | undefined)?.headers?.date;
      if (date && result.output && typeof result.output === 'object') serverDates.set(result.output, date);
      return result;
    },
    { step: 'initialize', name: 'grantboxServerTime' },
  );
}

/** "null" is the version id of an object in a bucket that was never versioned: no version to name. */
function realVersion(v: string | undefined): v is string {
  return Boolean(v) && v !== 'null';
}

export function serverTimeOf(output: object): string | undefined {
  const d = serverDates.get(output);
  const t = d ? Date.parse(d) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

/** Hooks through which the queue follows a transfer (progress, retries, request ids, resume state). */
export interface TransferHooks {
  signal: AbortSignal;
  retry: RetryOptions;
  /** A body stream started (progress reads its bytesRead) or ended (null). */
  onStream(id: number, stream: ReadStream | null): void;
  onPartDone(part: PersistedPart): Promise<void>;
  onRetry(e: unknown): void;
  onRequestId(id: string | undefined): void;
  /** Adaptive concurrency: every attempt of a body request waits here for its turn and reports how it went. */
  gate?: RequestGate;
}

let streamSeq = 0;

// ---- the data client's request path, resolved once ----
// The SDK resolves a command's middleware stack (copy, sort, wire ~30 middlewares) on every send() — about a fifth
// of its CPU per request, measured — unless the client caches the resolved handler (`cacheMiddleware`), which it
// does only for sends without per-request options. PutObject/UploadPart need one, the abort signal, so the data
// client carries it another way: sendData() puts the signal on the command's input under a symbol (middlewares
// that copy the input copy it along; serializers never see symbol keys), a middleware next to the network (last
// in the stack, after signing) files it under the outgoing request, and the client's own HTTP handler takes it
// from there. Abort behaves exactly as with `{ abortSignal }`.
const SIGNAL = Symbol('grantbox.abortSignal');
const requestSignals = new WeakMap<object, AbortSignal>();

interface SignalHandler {
  handle(request: object, options?: { abortSignal?: AbortSignal; requestTimeout?: number }): Promise<unknown>;
}

/** Sets up a data client (before its first request) for `sendData`: cached handler, abort signal per request. */
export function prepareDataClient(client: S3Client): void {
  const handler = client.config.requestHandler as unknown as SignalHandler;
  const handle = handler.handle.bind(handler);
  handler.handle = (request, options = {}) => {
    const abortSignal = requestSignals.get(request);
    return handle(request, abortSignal ? { ...options, abortSignal } : options);
  };
  client.middlewareStack.add(
    (next, _context) => (args) => {
      const signal = (args.input as { [SIGNAL]?: AbortSignal })[SIGNAL];
      if (signal && args.request && typeof args.request === 'object') requestSignals.set(args.request, signal);
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'grantboxAbortSignal' },
  );
  Object.assign(client.config, { cacheMiddleware: true });
}

/** client.send(command, { abortSignal }) on a client set up by prepareDataClient. */
function sendData<O>(client: S3Client, command: { input: object }, abortSignal: AbortSignal): Promise<O> {
  Object.assign(command.input, { [SIGNAL]: abortSignal });
  return (client.send as (c: unknown) => Promise<O>)(command);
}

/**
 * Sends one request whose body is a file stream. A read error (file deleted or unreadable mid-way) aborts the
 * request at once and is rethrown as itself — otherwise the request would wait for the socket timeout.
 */
async function sendWithBody<T>(hooks: TransferHooks, b: ReadStream | Uint8Array, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  // A body in memory cannot fail mid-request: the item's own signal is enough, no per-attempt controller and
  // listener (the common case in a folder of small files).
  if (b instanceof Uint8Array) return send(hooks.signal);
  const attempt = new AbortController();
  const onAbort = () => attempt.abort(hooks.signal.reason);
  if (hooks.signal.aborted) onAbort();
  else hooks.signal.addEventListener('abort', onAbort, { once: true });
  let readError: unknown;
  const id = ++streamSeq;
  hooks.onStream(id, b);
  b.once('error', (e) => {
    readError = e;
    attempt.abort(e);
  });
  try {
    return await send(attempt.signal);
  } catch (e) {
    throw readError ?? e;
  } finally {
    hooks.signal.removeEventListener('abort', onAbort);
    hooks.onStream(id, null);
    b.destroy();
  }
}

/**
 * Sends a request with a fresh body for every attempt (a consumed stream cannot be replayed), retried on
 * transient failures, recording the request id of each answer and failure for helpdesk.
 */
async function sendRetried<T extends { $metadata?: { requestId?: string } }>(
  hooks: TransferHooks,
  bytes: number,
  makeBody: (chunk: number) => ReadStream | Uint8Array,
  send: (b: ReadStream | Uint8Array, abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  return withRetry(
    async () => {
      // The turn is taken per attempt: a request sleeping before its retry leaves its place to others.
      const chunk = streamChunk(hooks.gate?.usage().inFlight ?? 0);
      const ticket = hooks.gate ? await hooks.gate.acquire(bytes, hooks.signal, bodyMemory(bytes, chunk)) : undefined;
      const b = makeBody(chunk);
      try {
        const out = await sendWithBody(hooks, b, (abortSignal) => send(b, abortSignal));
        ticket?.done();
        hooks.onRequestId(out.$metadata?.requestId);
        return out;
      } catch (e) {
        ticket?.done(e);
        hooks.onRequestId(requestIdOf(e));
        throw e;
      }
    },
    hooks.retry,
    hooks.signal,
    hooks.onRetry,
  );
}

/**
 * A streamed body's read size: what one request in flight holds of its file at a time, chosen when the request
 * is admitted. With few requests in flight (a fast or near network) 256 KiB reads: a bare 1 GiB stream read costs
 * 0.31 s of CPU at 256 KiB against 0.82 s at 64 KiB, and a 256 MiB upload on loopback measured 1.08–1.10 s against
 * 1.25–1.29 s. With many in flight (a long round trip, dozens of parts each waiting on a slow connection) Node's
 * default 64 KiB: at 64 parts in flight 256 KiB reads did not lower CPU (3.6–3.7 s vs 3.4–3.6 s per GiB) and held
 * 180–189 MiB peak RSS against 141–152.
 */
export const STREAM_CHUNK = 64 * 1024;
export const STREAM_CHUNK_FEW = 256 * 1024;
/** Requests already in flight up to which a new one reads in STREAM_CHUNK_FEW. */
export const FEW_IN_FLIGHT = 16;

export function streamChunk(inFlight: number): number {
  return inFlight < FEW_IN_FLIGHT ? STREAM_CHUNK_FEW : STREAM_CHUNK;
}

function body(path: string, start: number, end: number, chunk: number): ReadStream | Uint8Array {
  // An empty range cannot be expressed as a ReadStream (end is inclusive); an empty body is the same thing.
  if (end <= start) return new Uint8Array(0);
  return createReadStream(path, { start, end: end - 1, highWaterMark: chunk });
}

/**
 * The memory a request body of `bytes` holds while in flight, which the request gate budgets: a body read into
 * memory (≤ SINGLE_READ_MAX) all of it; a streamed one the chunk in its read buffer plus the one being written to
 * the socket, whatever the part size — so a large file's parts in flight are bounded by the round trip's needs,
 * not by part size × count.
 */
export function bodyMemory(bytes: number, chunk = STREAM_CHUNK): number {
  return bytes <= SINGLE_READ_MAX ? bytes : Math.min(bytes, 2 * chunk);
}

/**
 * Files up to one stream chunk (256 KiB) are read once into memory — the same memory a stream would hold — so a
 * folder of small files costs one open and one read each instead of two passes (checksum, then send).
 */
export const SINGLE_READ_MAX = 256 * 1024;

// Callback fs API: fs.promises' FileHandle costs measurably more main-thread time per file (object setup, close
// bookkeeping), which shows in a folder of thousands of small files.
const openP = promisify(fs.open);
const readP = promisify(fs.read);
const closeP = promisify(fs.close);

async function readSmall(path: string, size: number, signal: AbortSignal): Promise<Buffer> {
  signal.throwIfAborted();
  const fd = await openP(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await readP(fd, buf, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    if (off !== size) throw Object.assign(new Error(`the file changed while reading (${off} of ${size} bytes)`), { code: 'EFILECHANGED', syscall: 'read' });
    return buf;
  } finally {
    await closeP(fd);
  }
}

/**
 * One PutObject of the whole file (streamed, or from memory when small) with its SHA-256 as x-amz-checksum-sha256,
 * which S3 verifies before storing. Returns the file's SHA-256 and what S3 answered.
 */
export async function putWholeFile(clients: TransferClients, path: string, size: number, target: TransferTarget, hooks: TransferHooks): Promise<{ sha256: Buffer; stored: StoredObject }> {
  const small = size <= SINGLE_READ_MAX ? await readSmall(path, size, hooks.signal) : undefined;
  const sha256 = small ? createHash('sha256').update(small).digest() : ((await new FileHasher(path, size, Math.max(1, size)).start(hooks.signal).digest()) as Buffer);
  const checksum = sha256.toString('base64');
  const out = await sendRetried(
    hooks,
    size,
    (chunk) => small ?? body(path, 0, size, chunk),
    (b, abortSignal) =>
      sendData<PutObjectCommandOutput>(
        clients.data,
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          Body: b,
          ContentLength: size,
          ChecksumAlgorithm: 'SHA256',
          ChecksumSHA256: checksum,
          ...objectFields(target.object),
          ...(target.overwrite ? {} : { IfNoneMatch: '*' }),
        }),
        abortSignal,
      ),
  );
  const serverTime = serverTimeOf(out);
  return {
    sha256,
    stored: {
      ...(out.ChecksumSHA256 ? { checksum: out.ChecksumSHA256 } : {}),
      ...(out.ETag ? { etag: out.ETag } : {}),
      ...(realVersion(out.VersionId) ? { versionId: out.VersionId } : {}),
      ...(out.$metadata?.requestId ? { requestId: out.$metadata.requestId } : {}),
      ...(serverTime ? { serverTime } : {}),
    },
  };
}

/**
 * Not abortable on purpose: cancelling while the request is in flight could leave an upload S3 created but whose
 * UploadId we never learned — an orphan nobody aborts. The caller checks for cancellation once it returns.
 */
export async function createMultipart(clients: TransferClients, target: TransferTarget): Promise<{ uploadId: string; requestId?: string }> {
  const out = await clients.control.send(
    new CreateMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, ChecksumAlgorithm: 'SHA256', ChecksumType: 'COMPOSITE', ...objectFields(target.object) }),
  );
  if (!out.UploadId) throw new Error('CreateMultipartUpload returned no UploadId');
  return { uploadId: out.UploadId, ...(out.$metadata?.requestId ? { requestId: out.$metadata?.requestId } : {}) };
}

/**
 * Uploads every part not in `done`, up to `partConcurrency` at a time — a number, or a function read before each
 * part starts (the adaptive limit moves while a large file is sent); stops at the first non-transient failure.
 */
export async function uploadParts(
  clients: TransferClients,
  path: string,
  size: number,
  partSize: number,
  target: TransferTarget,
  uploadId: string,
  done: ReadonlyMap<number, PersistedPart>,
  partConcurrency: number | (() => number),
  hooks: TransferHooks,
  checksums: FileHasher,
): Promise<void> {
  const total = Math.max(1, Math.ceil(size / partSize));
  const todo: number[] = [];
  for (let n = 1; n <= total; n++) if (!done.has(n)) todo.push(n);
  const wanted = typeof partConcurrency === 'number' ? () => partConcurrency : partConcurrency;
  let next = 0;
  let running = 0;
  let failed: unknown;
  await new Promise<void>((resolve) => {
    // Starts parts while there are parts and room; every part that ends calls it again. Resolves once nothing
    // runs and nothing more will start.
    const launch = () => {
      while (next < todo.length && failed === undefined && !hooks.signal.aborted && running < Math.max(1, wanted())) {
        const partNumber = todo[next++]!;
        running++;
        uploadPart(clients, path, size, partSize, target, uploadId, partNumber, hooks, checksums)
          .catch((e: unknown) => {
            failed ??= e;
          })
          .finally(() => {
            running--;
            launch();
          });
      }
      if (running === 0) resolve();
    };
    launch();
  });
  if (failed !== undefined) throw failed;
  if (hooks.signal.aborted) throw hooks.signal.reason;
}

async function uploadPart(
  clients: TransferClients,
  path: string,
  size: number,
  partSize: number,
  target: TransferTarget,
  uploadId: string,
  partNumber: number,
  hooks: TransferHooks,
  checksums: FileHasher,
): Promise<void> {
  const { start, end } = partRange(partNumber, partSize, size);
  const checksum = await checksums.part(partNumber);
  const out = await sendRetried(
    hooks,
    end - start,
    (chunk) => body(path, start, end, chunk),
    (b, abortSignal) =>
      sendData<UploadPartCommandOutput>(
        clients.data,
        new UploadPartCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: b,
          ContentLength: end - start,
          ChecksumAlgorithm: 'SHA256',
          ChecksumSHA256: checksum,
        }),
        abortSignal,
      ),
  );
  if (!out.ETag) throw new Error(`UploadPart ${partNumber} returned no ETag`);
  const etag = out.ETag;
  await hooks.onPartDone({ partNumber, etag, checksumSHA256: checksum, size: end - start });
}

/** Not abortable either: a cancel racing the completion must not leave us unsure whether the object exists. */
export async function completeMultipart(
  clients: TransferClients,
  target: TransferTarget,
  uploadId: string,
  parts: ReadonlyMap<number, PersistedPart>,
): Promise<StoredObject> {
  const sorted = [...parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  const out = await clients.control.send(
    new CompleteMultipartUploadCommand({
      Bucket: target.bucket,
      Key: target.key,
      UploadId: uploadId,
      MultipartUpload: {
        Parts: sorted.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag, ...(p.checksumSHA256 ? { ChecksumSHA256: p.checksumSHA256 } : {}) })),
      },
      ...(target.overwrite ? {} : { IfNoneMatch: '*' }),
    }),
  );
  const serverTime = serverTimeOf(out);
  return {
    ...(out.ChecksumSHA256 ? { checksum: out.ChecksumSHA256 } : {}),
    ...(out.ETag ? { etag: out.ETag } : {}),
    ...(realVersion(out.VersionId) ? { versionId: out.VersionId } : {}),
    ...(out.$metadata?.requestId ? { requestId: out.$metadata.requestId } : {}),
    ...(serverTime ? { serverTime } : {}),
  };
}

/** The composite checksum S3 computes for these parts (undefined when a part's checksum is unknown). */
export function expectedComposite(parts: ReadonlyMap<number, PersistedPart>): string | undefined {
  const sorted = [...parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  if (!sorted.length || sorted.some((p) => !p.checksumSHA256)) return undefined;
  return compositeSha256(sorted.map((p) => p.checksumSHA256!));
}

/** Parts S3 holds for an upload (all pages). Throws NoSuchUpload when the upload is gone. */
export async function listParts(control: S3Client, bucket: string, key: string, uploadId: string): Promise<PersistedPart[]> {
  const parts: PersistedPart[] = [];
  let marker: string | undefined;
  for (;;) {
    const out = await control.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, ...(marker ? { PartNumberMarker: marker } : {}) }));
    for (const p of out.Parts ?? []) {
      if (p.PartNumber === undefined || !p.ETag) continue;
      parts.push({ partNumber: p.PartNumber, etag: p.ETag, size: p.Size ?? 0, ...(p.ChecksumSHA256 ? { checksumSHA256: p.ChecksumSHA256 } : {}) });
    }
    if (!out.IsTruncated || !out.NextPartNumberMarker) break;
    marker = out.NextPartNumberMarker;
  }
  return parts;
}

export async function abortMultipart(control: S3Client, bucket: string, key: string, uploadId: string): Promise<void> {
  try {
    await control.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  } catch (e) {
    // Already gone is what we wanted.
    if ((e as SdkLikeError).name === 'NoSuchUpload' || httpStatusOf(e) === 404) return;
    throw e;
  }
}

/** What HeadObject (with checksum mode) says about a stored object. */
export interface HeadInfo {
  size?: number;
  /** ChecksumSHA256 ("…-N" when composite). */
  checksumSHA256?: string;
  checksumCRC32?: string;
  checksumCRC64NVME?: string;
  checksumType?: string;
  etag?: string;
  versionId?: string;
  lastModified?: string;
  encryption?: string;
  kmsKeyId?: string;
  partsCount?: number;
  requestId?: string;
}

/** HeadObject with ChecksumMode ENABLED; `partNumber` asks about one part (its size, the parts count). */
export async function headObject(control: S3Client, bucket: string, key: string, signal: AbortSignal, partNumber?: number, versionId?: string): Promise<HeadInfo> {
  const out = await control.send(
    new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED', ...(partNumber ? { PartNumber: partNumber } : {}), ...(versionId ? { VersionId: versionId } : {}) }),
    { abortSignal: signal },
  );
  return {
    ...(out.ContentLength !== undefined ? { size: out.ContentLength } : {}),
    ...(out.ChecksumSHA256 ? { checksumSHA256: out.ChecksumSHA256 } : {}),
    ...(out.ChecksumCRC32 ? { checksumCRC32: out.ChecksumCRC32 } : {}),
    ...(out.ChecksumCRC64NVME ? { checksumCRC64NVME: out.ChecksumCRC64NVME } : {}),
    ...(out.ChecksumType ? { checksumType: out.ChecksumType } : {}),
    ...(out.ETag ? { etag: out.ETag } : {}),
    ...(realVersion(out.VersionId) ? { versionId: out.VersionId } : {}),
    ...(out.LastModified ? { lastModified: out.LastModified.toISOString() } : {}),
    ...(out.ServerSideEncryption ? { encryption: out.ServerSideEncryption } : {}),
    ...(out.SSEKMSKeyId ? { kmsKeyId: out.SSEKMSKeyId } : {}),
    ...(out.PartsCount !== undefined ? { partsCount: out.PartsCount } : {}),
    ...(out.$metadata?.requestId ? { requestId: out.$metadata.requestId } : {}),
  };
}

/** HeadObject of the stored object; undefined when the grant may not read it (403) — the upload still counts. */
export async function headStored(control: S3Client, bucket: string, key: string, signal: AbortSignal, versionId?: string): Promise<HeadInfo | undefined> {
  try {
    return await headObject(control, bucket, key, signal, undefined, versionId);
  } catch (e) {
    if (httpStatusOf(e) === 403) return undefined;
    throw e;
  }
}

/** Whether a key is taken: true/false, or undefined when the grant may not look (403). */
export async function keyExists(control: S3Client, bucket: string, key: string, signal: AbortSignal): Promise<boolean | undefined> {
  try {
    await control.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return true;
  } catch (e) {
    const status = httpStatusOf(e);
    if (status === 404 || (e as SdkLikeError).name === 'NotFound') return false;
    if (status === 403) return undefined;
    throw e;
  }
}
