import { createHash } from 'node:crypto';
// The queue's decisions with a mocked S3 (aws-sdk-client-mock): conflict handling, retries with fresh streams,
// request slots, progress throttling, and a 10,000-file drop. Real S3 behaviour is in test/integration/uploads*.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { AwsClientFactory } from '../../../../main/services/aws/client-factory';
import { AppError } from '../../../../main/services/errors';
import { createUploadService, type UploadEngine, type UploadServiceDeps } from '../../../../main/services/uploads';
import type { UploadGrant } from '../../../../main/services/uploads/types';
import type { LogRecord } from '../../../../main/services/audit/types';
import { ResumeStore } from '../../../../main/services/uploads/resume-store';

const s3 = mockClient(S3Client);
let tmp: string;
const engines: UploadEngine[] = [];
const grant: UploadGrant = { name: 'g', title: 'Grant G', contact: 'it@example.com', region: 'us-east-1', bucket: 'bkt', prefix: 'in/', onConflict: 'ask', allowReplace: true };

function awsError(name: string, status: number, requestId = `req-${status}`): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status, requestId }, message: name });
}

function engine(overrides: Partial<UploadServiceDeps> & { grant?: Partial<UploadGrant>; log?: LogRecord[] } = {}): UploadEngine {
  const g = { ...grant, ...overrides.grant };
  const e = createUploadService({
    resolveGrant: () => g,
    credentials: () => async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
    clients: new AwsClientFactory({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true }),
    audit: { append: async (r) => void overrides.log?.push(r) },
    dataDir: path.join(tmp, 'data'),
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...overrides,
  });
  engines.push(e);
  return e;
}

function file(name: string, content = 'hello'): string {
  const p = path.join(tmp, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

function puts(): PutObjectCommandInput[] {
  return s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
}

beforeEach(() => {
  s3.reset();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-queue-'));
});

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('writes', () => {
  it('streams a small file in one PutObject with If-None-Match, its SHA-256 checksum and its length, and keeps a receipt', async () => {
    s3.on(PutObjectCommand).resolves({ $metadata: { requestId: 'r1' } });
    const log: LogRecord[] = [];
    const e = engine({ log });
    await e.start('g', [file('a.txt', '123456789')]);
    await e.drain();
    expect(puts()).toHaveLength(1);
    expect(puts()[0]).toMatchObject({ Bucket: 'bkt', Key: 'in/a.txt', IfNoneMatch: '*', ContentLength: 9, ChecksumAlgorithm: 'SHA256', ChecksumSHA256: 'FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=' });
    expect(Buffer.from(puts()[0]!.Body as Uint8Array).toString()).toBe('123456789');
    expect(e.snapshot().items[0]).toMatchObject({ state: 'done', bytesSent: 9, parts: 1 });
    // sha256sum of "123456789"
    const sha256 = '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225';
    expect(e.snapshot().items[0]!.receipt).toMatchObject({ grant: 'g', bucket: 'bkt', key: 'in/a.txt', size: 9, sha256, checksum: { type: 'FULL_OBJECT', hex: sha256 }, requestIds: ['r1'] });
    expect(log[0]!.receipt).toMatchObject({ sha256, checksum: { hex: sha256 } });
    expect(log).toEqual([
      expect.objectContaining({ type: 'upload.done', grant: 'g', bucket: 'bkt', key: 'in/a.txt', size: 9, parts: 1, retries: 0, checksum: 'SHA256:15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225', result: 'done', requestIds: ['r1'] }),
    ]);
    // Never a secret in the log.
    expect(JSON.stringify(log)).not.toContain('secret');
  });

  it('close() waits until every finished file\'s session-log record is written', async () => {
    s3.on(PutObjectCommand).resolves({ $metadata: { requestId: 'r1' } });
    const written: string[] = [];
    // A slow disk: each record lands 30 ms after it was handed over.
    const e = engine({ audit: { append: (r) => new Promise<void>((resolve) => setTimeout(() => resolve(void written.push(String(r.key))), 30)) } });
    await e.start('g', [file('a.txt'), file('b.txt')]);
    await e.drain();
    await e.close();
    expect(written.sort()).toEqual(['in/a.txt', 'in/b.txt']);
  });

  it('retries throttling, 5xx and connection resets with a fresh stream each time', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    s3.on(PutObjectCommand).rejectsOnce(awsError('SlowDown', 503)).rejectsOnce(reset).rejectsOnce(awsError('InternalError', 500)).resolves({});
    const e = engine();
    // Above 256 KiB the body is a file stream, which cannot be replayed: each attempt must open a new one.
    await e.start('g', [file('a.bin', 'x'.repeat(300 * 1024))]);
    await e.drain();
    expect(e.snapshot().items[0]).toMatchObject({ state: 'done', retries: 3 });
    const bodies = puts().map((p) => p.Body);
    expect(bodies).toHaveLength(4);
    expect(bodies.every((b) => b instanceof fs.ReadStream)).toBe(true);
    expect(new Set(bodies).size).toBe(4);
  });

  it('does not retry a refusal, and keeps the request id for helpdesk', async () => {
    s3.on(PutObjectCommand).rejects(awsError('AccessDenied', 403, 'REQ-DENIED'));
    const e = engine();
    await e.start('g', [file('a.txt')]);
    await e.drain();
    const item = e.snapshot().items[0]!;
    expect(puts()).toHaveLength(1);
    expect(item).toMatchObject({ state: 'failed', error: { details: { requestId: 'REQ-DENIED', httpStatus: 403 } } });
    expect(item.error!.code).not.toBe('UPLOAD_FAILED');
  });

  it('gives up after the configured attempts', async () => {
    s3.on(PutObjectCommand).rejects(awsError('InternalError', 500));
    const e = engine({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    await e.start('g', [file('a.txt')]);
    await e.drain();
    expect(puts()).toHaveLength(3);
    expect(e.snapshot().items[0]).toMatchObject({ state: 'failed', retries: 2 });
  });
});

describe('conflicts', () => {
  it('retries a 409 ConditionalRequestConflict once', async () => {
    s3.on(PutObjectCommand).rejectsOnce(awsError('ConditionalRequestConflict', 409)).resolves({});
    const e = engine();
    await e.start('g', [file('a.txt')]);
    await e.drain();
    expect(puts()).toHaveLength(2);
    expect(e.snapshot().items[0]).toMatchObject({ state: 'done', retries: 1 });
  });

  it('two 409s in a row become a conflict (nothing overwritten)', async () => {
    s3.on(PutObjectCommand).rejects(awsError('ConditionalRequestConflict', 409));
    const e = engine();
    await e.start('g', [file('a.txt')]);
    await e.drain();
    expect(puts()).toHaveLength(2);
    expect(e.snapshot().items[0]).toMatchObject({ state: 'conflict', conflictChoices: ['skip', 'rename', 'replace'] });
  });

  it('412 + replace (chosen at start) sends again without If-None-Match', async () => {
    s3.on(PutObjectCommand).rejectsOnce(awsError('PreconditionFailed', 412)).resolves({});
    const e = engine();
    await e.start('g', [file('a.txt')], { onConflict: 'replace' });
    await e.drain();
    expect(puts().map((p) => p.IfNoneMatch)).toEqual(['*', undefined]);
    expect(e.snapshot().items[0]!.state).toBe('done');
  });

  it('412 + rename probes names with HeadObject and keeps If-None-Match on the new name', async () => {
    s3.on(PutObjectCommand).rejectsOnce(awsError('PreconditionFailed', 412)).resolves({});
    s3.on(HeadObjectCommand, { Key: 'in/a (1).txt' }).resolves({ ContentLength: 1 });
    s3.on(HeadObjectCommand, { Key: 'in/a (2).txt' }).rejects(awsError('NotFound', 404));
    const e = engine({ grant: { onConflict: 'rename' } });
    await e.start('g', [file('a.txt')]);
    await e.drain();
    expect(puts().map((p) => [p.Key, p.IfNoneMatch])).toEqual([
      ['in/a.txt', '*'],
      ['in/a (2).txt', '*'],
    ]);
    expect(e.snapshot().items[0]).toMatchObject({ state: 'done', key: 'in/a (2).txt' });
  });

  it('a grant that forbids replacing turns onConflict "replace" into a question', async () => {
    s3.on(PutObjectCommand).rejects(awsError('PreconditionFailed', 412));
    const e = engine({ grant: { onConflict: 'replace', allowReplace: false } });
    await e.start('g', [file('a.txt')]);
    await e.drain();
    expect(e.snapshot().items[0]).toMatchObject({ state: 'conflict', conflictChoices: ['skip', 'rename'] });
    expect(puts().every((p) => p.IfNoneMatch === '*')).toBe(true);
  });
});

describe('scheduling and progress', () => {
  it('runs at most concurrency × partConcurrency small files at once', async () => {
    let inFlight = 0;
    let peak = 0;
    s3.on(PutObjectCommand).callsFake(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return {};
    });
    const dir = path.join(tmp, 'many');
    for (let i = 0; i < 40; i++) file(`many/f${i}.txt`);
    const e = engine({ concurrency: 2, partConcurrency: 3 });
    await e.start('g', [dir]);
    await e.drain();
    expect(peak).toBe(6);
    expect(e.snapshot().items.every((i) => i.state === 'done')).toBe(true);
  });

  it('handles a 10,000-file drop: every file once, ≤ 4 progress events a second (the default throttle), windowed items', async () => {
    s3.on(PutObjectCommand).resolves({});
    const dir = path.join(tmp, 'drop');
    for (let d = 0; d < 10; d++) {
      fs.mkdirSync(path.join(dir, `d${d}`), { recursive: true });
      for (let i = 0; i < 1000; i++) fs.writeFileSync(path.join(dir, `d${d}`, `${i}.txt`), 'x');
    }
    const e = engine({ maxItemsPerEvent: 300 });
    let events = 0;
    let largest = 0;
    let omitted = 0;
    e.onProgress((s) => {
      events++;
      largest = Math.max(largest, s.items.length);
      omitted = Math.max(omitted, s.omittedItems ?? 0);
    });
    const t0 = Date.now();
    await e.start('g', [dir]);
    await e.drain();
    const seconds = (Date.now() - t0) / 1000;
    expect(puts()).toHaveLength(10_000);
    expect(new Set(puts().map((p) => p.Key)).size).toBe(10_000);
    expect(e.snapshot().items).toHaveLength(10_000);
    expect(e.snapshot().batches[0]).toMatchObject({ total: 10_000, done: 10_000, finished: true });
    expect(largest).toBeLessThanOrEqual(300);
    expect(omitted).toBeGreaterThan(0);
    expect(events).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 2);
  }, 60_000);

  it('reports bytes, rate and ETA per file and overall while a file streams', async () => {
    // The fake S3 reads the body slowly, like a slow network: 1 MiB every 60 ms.
    s3.on(PutObjectCommand).callsFake(async (input: PutObjectCommandInput) => {
      for await (const _chunk of input.Body as fs.ReadStream) await new Promise((r) => setTimeout(r, 60));
      return {};
    });
    const e = engine({ progressIntervalMs: 50 });
    const seen: Array<{ sent: number; rate: number; eta?: number; total: number; overall: number; overallEta?: number }> = [];
    e.onProgress((s) => {
      const it = s.items[0];
      if (it?.state === 'uploading') seen.push({ sent: it.bytesSent, rate: it.rate ?? 0, eta: it.etaSeconds, total: s.bytesTotal, overall: s.bytesSent, overallEta: s.etaSeconds });
    });
    const size = 8 * 1024 * 1024;
    await e.start('g', [file('slow.bin', 'y'.repeat(size))]);
    await e.drain();
    expect(e.snapshot().items[0]).toMatchObject({ state: 'done', bytesSent: size });
    const mid = seen.filter((x) => x.sent > 0 && x.sent < size);
    expect(mid.length).toBeGreaterThan(2);
    expect(mid.every((x, i) => i === 0 || x.sent >= mid[i - 1]!.sent)).toBe(true);
    const late = mid[mid.length - 1]!;
    expect(late.rate).toBeGreaterThan(1024 * 1024); // ≈ 16 MiB/s here
    expect(late.eta).toBeGreaterThanOrEqual(0);
    expect(late.total).toBe(size);
    expect(late.overall).toBe(late.sent);
  });

  it('clearFinished drops finished items and busy() follows the queue', async () => {
    s3.on(PutObjectCommand).resolves({});
    const e = engine();
    expect(e.busy()).toBe(false);
    await e.start('g', [file('a.txt'), path.join(tmp, 'missing.txt')]);
    expect(e.busy()).toBe(true);
    await e.drain();
    expect(e.busy()).toBe(false);
    expect(e.snapshot().items.map((i) => i.state).sort()).toEqual(['done', 'refused']);
    e.clearFinished();
    expect(e.snapshot()).toMatchObject({ items: [], batches: [] });
  });
});

describe('multipart', () => {
  it('a 412 at CompleteMultipartUpload keeps the parts; "replace" completes the same upload without re-sending', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'U1' });
    s3.on(UploadPartCommand).callsFake(async (input: { PartNumber: number }) => ({ ETag: `"e${input.PartNumber}"` }));
    s3.on(CompleteMultipartUploadCommand).rejectsOnce(awsError('PreconditionFailed', 412)).resolves({});
    s3.on(HeadObjectCommand, { Key: 'in/big.bin' }).rejectsOnce(awsError('NotFound', 404)).resolves({ ContentLength: 11 * 1024 * 1024 });
    const e = engine({ parts: { multipartThreshold: 5 * 1024 * 1024, minPartSize: 5 * 1024 * 1024 } });
    await e.start('g', [file('big.bin', 'z'.repeat(11 * 1024 * 1024))]);
    await e.drain();
    const item = e.snapshot().items[0]!;
    expect(item).toMatchObject({ state: 'conflict', parts: 3 });
    expect(await e.listResumable()).toHaveLength(0); // its own, still open in this queue: not offered for resume
    await e.resolveConflict(item.id, 'replace');
    await e.drain();
    expect(e.snapshot().items[0]).toMatchObject({ state: 'done', parts: 3 });
    expect(s3.commandCalls(UploadPartCommand)).toHaveLength(3);
    const completes = s3.commandCalls(CompleteMultipartUploadCommand).map((c) => c.args[0].input);
    expect(completes.map((c) => c.IfNoneMatch)).toEqual(['*', undefined]);
    expect(completes[1]!.MultipartUpload!.Parts!.map((p) => [p.PartNumber, p.ETag, typeof p.ChecksumSHA256])).toEqual([
      [1, '"e1"', 'string'],
      [2, '"e2"', 'string'],
      [3, '"e3"', 'string'],
    ]);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  it('a cancel that arrives while CompleteMultipartUpload is in flight reports the stored file as uploaded', async () => {
    // Ctrl-C during the last request: S3 already holds the object, so "cancelled" (and an abort) would be a lie.
    let release!: () => void;
    const completing = new Promise<void>((r) => (release = r));
    let completeSent!: () => void;
    const sent = new Promise<void>((r) => (completeSent = r));
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'U3' });
    s3.on(UploadPartCommand).callsFake(async (input: { PartNumber: number }) => ({ ETag: `"e${input.PartNumber}"` }));
    s3.on(CompleteMultipartUploadCommand).callsFake(async () => {
      completeSent();
      await completing;
      return { $metadata: { requestId: 'rc' } };
    });
    s3.on(HeadObjectCommand).rejectsOnce(awsError('NotFound', 404)).resolves({ ContentLength: 6 * 1024 * 1024 });
    s3.on(AbortMultipartUploadCommand).resolves({});
    const log: LogRecord[] = [];
    const e = engine({ log, parts: { multipartThreshold: 5 * 1024 * 1024, minPartSize: 5 * 1024 * 1024 } });
    await e.start('g', [file('big.bin', 'z'.repeat(6 * 1024 * 1024))]);
    await sent;
    const cancelled = e.cancelAll();
    release();
    await cancelled;
    await e.drain();
    expect(e.snapshot().items[0]).toMatchObject({ state: 'done' });
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
    // The mock ignores abort signals; the real SDK throws at once on an aborted one, so the size check after
    // Complete must not carry the cancelled upload's signal.
    const heads = s3.commandCalls(HeadObjectCommand);
    expect(heads).toHaveLength(2);
    expect(((heads[1]!.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal?.aborted ?? false).toBe(false);
    await e.close();
    expect(log.map((r) => r.type)).toEqual(['upload.done']);
    expect(fs.readdirSync(path.join(tmp, 'data', 'uploads'))).toEqual([]);
  });

  it('sending a file again after a crash continues its interrupted upload instead of starting a second one', async () => {
    // A killed CLI leaves the multipart upload and its record; `grantbox upload` again must not orphan them.
    const MiB = 1024 * 1024;
    const p = file('big.bin', 'z'.repeat(11 * MiB));
    const st = fs.statSync(p);
    await new ResumeStore(path.join(tmp, 'data', 'uploads')).save({
      version: 2, id: 'r1', grant: 'g', bucket: 'bkt', region: 'us-east-1', key: 'in/big.bin', path: p, relativePath: 'big.bin',
      size: st.size, mtimeMs: st.mtimeMs, uploadId: 'OLD', partSize: 5 * MiB, overwrite: false,
      parts: [{ partNumber: 1, etag: '"e1"', size: 5 * MiB, checksumSHA256: createHash('sha256').update('z'.repeat(5 * MiB)).digest('base64') }], startedAt: new Date().toISOString(),
    });
    s3.on(HeadObjectCommand).resolves({ ContentLength: 11 * MiB });
    s3.on(ListPartsCommand).resolves({ Parts: [{ PartNumber: 1, ETag: '"e1"', Size: 5 * MiB }] });
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'NEW' });
    s3.on(UploadPartCommand).callsFake(async (input: { PartNumber: number }) => ({ ETag: `"e${input.PartNumber}"` }));
    s3.on(CompleteMultipartUploadCommand).resolves({});
    const e = engine({ parts: { multipartThreshold: 5 * MiB, minPartSize: 5 * MiB } });
    await e.start('g', [p]);
    await e.drain();
    expect(e.snapshot().items[0]).toMatchObject({ state: 'done', parts: 3, note: expect.stringMatching(/interrupted upload/) });
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
    expect(s3.commandCalls(UploadPartCommand).map((c) => [c.args[0].input.UploadId, c.args[0].input.PartNumber]).sort()).toEqual([['OLD', 2], ['OLD', 3]]);
    expect(s3.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input).toMatchObject({ UploadId: 'OLD', IfNoneMatch: '*' });
    expect(fs.readdirSync(path.join(tmp, 'data', 'uploads'))).toEqual([]);
  });

  it('a 412 at Complete + skip aborts the multipart upload', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'U2' });
    s3.on(UploadPartCommand).resolves({ ETag: '"e"' });
    s3.on(CompleteMultipartUploadCommand).rejects(awsError('PreconditionFailed', 412));
    s3.on(AbortMultipartUploadCommand).resolves({});
    const e = engine({ grant: { onConflict: 'skip' }, parts: { multipartThreshold: 5 * 1024 * 1024, minPartSize: 5 * 1024 * 1024 } });
    await e.start('g', [file('big.bin', 'z'.repeat(6 * 1024 * 1024))]);
    await e.drain();
    expect(e.snapshot().items[0]!.state).toBe('skipped');
    expect(s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'bkt', Key: 'in/big.bin', UploadId: 'U2' }]);
    expect(fs.readdirSync(path.join(tmp, 'data', 'uploads'))).toEqual([]);
  });
});

describe('company sign-in ended', () => {
  // The S3 client's send() rejects with what the session's credential provider threw (aws-sdk-client-mock skips
  // the provider itself, so the rejection stands in for it here; the e2e test runs the real chain).
  const ended = () => new AppError('SIGN_IN_ENDED', 'Your company sign-in has ended — sign in again.');

  it('holds the line: the upload goes back to queued (not failed), and continues after sign-in again', async () => {
    s3.on(PutObjectCommand).rejectsOnce(ended()).resolves({ $metadata: { requestId: 'r1' } });
    const e = engine({ holdOnSignInEnded: true });
    await e.start('g', [file('a.txt', 'abc')]);
    await vi.waitFor(() => expect(e.snapshot().waitingForSignIn).toBe(true));
    e.holdForSignIn(true);
    expect(e.snapshot().items[0]).toMatchObject({ state: 'queued', bytesSent: 0 });
    expect(e.snapshot().items[0]!.error).toBeUndefined();
    // A new drop while the sign-in has ended waits too.
    await e.start('g', [file('b.txt', 'defg')]);
    // start() returns before the intake has queued the file: wait for it, then give a held queue time to misbehave.
    await vi.waitFor(() => expect(e.snapshot().items).toHaveLength(2));
    await new Promise((r) => setTimeout(r, 50));
    expect(e.snapshot().items.map((i) => i.state)).toEqual(['queued', 'queued']);
    expect(puts()).toHaveLength(1);

    e.holdForSignIn(false);
    await e.drain();
    expect(e.snapshot().items.map((i) => i.state)).toEqual(['done', 'done']);
    expect(e.snapshot().waitingForSignIn).toBeUndefined();
    // The refused first try, then both files once; after the release they run side by side, in either order.
    const keys = puts().map((p) => p.Key);
    expect(keys[0]).toBe('in/a.txt');
    expect(keys.slice(1).sort()).toEqual(['in/a.txt', 'in/b.txt']);
  });

  it('without holding (one-shot CLI commands) the upload fails with SIGN_IN_ENDED', async () => {
    s3.on(PutObjectCommand).rejects(ended());
    const e = engine();
    e.holdForSignIn(true);
    await e.start('g', [file('a.txt', 'abc')]);
    await e.drain();
    expect(e.snapshot().items[0]).toMatchObject({ state: 'failed', error: { code: 'SIGN_IN_ENDED' } });
  });
});
