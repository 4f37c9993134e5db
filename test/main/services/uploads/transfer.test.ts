import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { AwsClientFactory } from '../../../../main/services/aws/client-factory';
import {
  expectedComposite,
  DEFAULT_RETRY,
  isConditionalConflict,
  isPreconditionFailed,
  isTransient,
  prepareDataClient,
  putWholeFile,
  withRetry,
  type TransferHooks,
} from '../../../../main/services/uploads/transfer';

function awsError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });
}

describe('isTransient', () => {
  it.each([
    ['5xx', awsError('InternalError', 500), true],
    ['503 SlowDown', awsError('SlowDown', 503), true],
    ['429', awsError('TooManyRequests', 429), true],
    ['RequestTimeout (400)', awsError('RequestTimeout', 400), true],
    ['ExpiredToken (the provider refreshes)', awsError('ExpiredToken', 400), true],
    ['ECONNRESET', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), true],
    ['socket hang up', new Error('socket hang up'), true],
    ['AccessDenied', awsError('AccessDenied', 403), false],
    ['412', awsError('PreconditionFailed', 412), false],
    ['AbortError', Object.assign(new Error('aborted'), { name: 'AbortError' }), false],
    ['a file error', Object.assign(new Error('ENOENT'), { code: 'ENOENT', syscall: 'open' }), false],
  ])('%s → %s', (_label, e, expected) => {
    expect(isTransient(e)).toBe(expected);
  });

  it('tells 412 and 409 apart', () => {
    expect(isPreconditionFailed(awsError('PreconditionFailed', 412))).toBe(true);
    expect(isConditionalConflict(awsError('ConditionalRequestConflict', 409))).toBe(true);
    expect(isConditionalConflict(awsError('BucketAlreadyExists', 409))).toBe(false);
  });
});

describe('withRetry', () => {
  const options = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 };

  it('retries transient failures and returns the first success', async () => {
    let n = 0;
    const retries: unknown[] = [];
    const out = await withRetry(
      async (attempt) => {
        n++;
        if (attempt < 3) throw awsError('InternalError', 500);
        return 'ok';
      },
      options,
      new AbortController().signal,
      (e) => retries.push(e),
    );
    expect(out).toBe('ok');
    expect(n).toBe(3);
    expect(retries).toHaveLength(2);
  });

  it('stops at once on a refusal, and when aborted during the backoff', async () => {
    let n = 0;
    await expect(withRetry(async () => (n++, Promise.reject(awsError('AccessDenied', 403))), options, new AbortController().signal, () => undefined)).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(n).toBe(1);
    const ctl = new AbortController();
    const p = withRetry(async () => Promise.reject(awsError('InternalError', 500)), { maxAttempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 }, ctl.signal, () => ctl.abort(new Error('cancelled')));
    await expect(p).rejects.toThrow('cancelled');
  });
});

describe('expectedComposite', () => {
  it('is the SHA-256 of the parts’ raw SHA-256s, with the part count — S3’s composite multipart checksum', () => {
    const a = createHash('sha256').update('part one').digest();
    const b = createHash('sha256').update('part two').digest();
    const parts = new Map([
      [2, { partNumber: 2, etag: 'b', size: 1, checksumSHA256: b.toString('base64') }],
      [1, { partNumber: 1, etag: 'a', size: 1, checksumSHA256: a.toString('base64') }],
    ]);
    expect(expectedComposite(parts)).toBe(`${createHash('sha256').update(Buffer.concat([a, b])).digest('base64')}-2`);
    expect(expectedComposite(new Map([[1, { partNumber: 1, etag: 'a', size: 1 }]]))).toBeUndefined();
  });
});

describe('the data client (cached request path, abort signal per request)', () => {
  // A plain HTTP server standing in for S3: records what arrives; the key "hang" never gets an answer.
  let server: http.Server;
  let endpoint: string;
  const received: Array<{ url: string; headers: http.IncomingHttpHeaders; body: Buffer }> = [];
  let hungClosed: () => void = () => undefined;
  let tmp: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      if (new URL(req.url ?? '/', 'http://x').pathname.endsWith('/hang')) {
        req.socket.on('close', () => hungClosed());
        return;
      }
      req.on('end', () => {
        received.push({ url: new URL(req.url ?? '/', 'http://x').pathname, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { ETag: '"e"', 'x-amz-request-id': `req-${received.length}` }).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-transfer-'));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function clients() {
    const f = new AwsClientFactory({ region: 'us-east-1', endpoint, forcePathStyle: true });
    const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
    const data = f.s3({ credentials, maxAttempts: 1, maxSockets: 8 });
    prepareDataClient(data);
    return { data, control: f.s3({ credentials }) };
  }

  function hooks(signal: AbortSignal): TransferHooks {
    return { signal, retry: { ...DEFAULT_RETRY, maxAttempts: 1 }, onStream: () => undefined, onPartDone: async () => undefined, onRetry: () => undefined, onRequestId: () => undefined };
  }

  it('sends each concurrent request with its own key, body and checksum', async () => {
    const c = clients();
    received.length = 0;
    const files = Array.from({ length: 24 }, (_, i) => {
      const p = path.join(tmp, `f${i}.txt`);
      fs.writeFileSync(p, `content of file ${i} `.repeat(i + 1));
      return p;
    });
    await Promise.all(files.map((p, i) => putWholeFile(c, p, fs.statSync(p).size, { bucket: 'b', key: `k/${i}`, overwrite: i % 2 === 0 }, hooks(new AbortController().signal))));
    expect(received).toHaveLength(24);
    for (const r of received) {
      const i = Number(r.url.split('/').pop());
      expect(r.url).toBe(`/b/k/${i}`);
      expect(r.body.toString()).toBe(`content of file ${i} `.repeat(i + 1));
      expect(r.headers['x-amz-checksum-sha256']).toBe(createHash('sha256').update(r.body).digest('base64'));
      expect(r.headers['if-none-match']).toBe(i % 2 === 0 ? undefined : '*');
    }
    c.data.destroy();
    c.control.destroy();
  });

  it('aborts a request in flight when its signal fires', async () => {
    const c = clients();
    const p = path.join(tmp, 'hang');
    fs.writeFileSync(p, 'x');
    const controller = new AbortController();
    const closed = new Promise<void>((r) => (hungClosed = r));
    const sending = putWholeFile(c, p, 1, { bucket: 'b', key: 'hang', overwrite: false }, hooks(controller.signal));
    await new Promise((r) => setTimeout(r, 100));
    controller.abort(new Error('cancelled by test'));
    await expect(sending).rejects.toThrow();
    await closed; // the connection was cut, not left waiting for an answer
    // And the client still works for the next request afterwards.
    const q = path.join(tmp, 'after.txt');
    fs.writeFileSync(q, 'after');
    await putWholeFile(c, q, 5, { bucket: 'b', key: 'after', overwrite: false }, hooks(new AbortController().signal));
    expect(received.at(-1)!.url).toBe('/b/after');
    c.data.destroy();
    c.control.destroy();
  });
});
