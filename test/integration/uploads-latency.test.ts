// Uploads over the latency rig (test/helpers/latency-proxy.ts): a 503 SlowDown storm injected in front of a real
// moto_server makes the adaptive controller back off, and every file still arrives once, byte-exact, with no
// multipart upload left behind; and connection reuse, counted at the rig against s3rver (a keep-alive server —
// moto's server closes every connection after one answer, so there is nothing to reuse there).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createRequire } from 'node:module';
import { startMoto, type MotoServer } from '../../main/services/sandbox/moto';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { createUploadService, type UploadEngine } from '../../main/services/uploads';
import type { UploadGrant } from '../../main/services/uploads/types';
import { startLatencyProxy, type LatencyProxy } from '../helpers/latency-proxy';

// s3rver ships no types; the one constructor and two methods used here.
interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
const S3rver = createRequire(__filename)('s3rver') as new (options: object) => S3rverServer;

const MIB = 1024 * 1024;
const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

let tmp: string;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-latency-'));
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function grant(bucket: string): UploadGrant {
  return { name: 'wan', region: 'us-east-1', bucket, prefix: '', onConflict: 'ask', allowReplace: false };
}

function sha(data: Buffer | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function engine(endpoint: string, bucket: string, dataDir: string, extra: Partial<Parameters<typeof createUploadService>[0]> = {}, credentials = creds): UploadEngine {
  const svc = createUploadService({
    resolveGrant: () => grant(bucket),
    credentials: () => async () => credentials,
    clients: new AwsClientFactory({ region: 'us-east-1', endpoint, forcePathStyle: true }),
    audit: { append: async () => undefined },
    dataDir: path.join(tmp, dataDir),
    parts: { multipartThreshold: 5 * MIB, minPartSize: 5 * MIB },
    ...extra,
  });
  cleanups.push(() => svc.close());
  return svc;
}

it('backs off under a 503 SlowDown storm and still lands every file once, byte-exact, nothing left open', async () => {
  const moto: MotoServer = await startMoto();
  cleanups.push(() => moto.stop());
  await moto.setAuth(false);
  const bucket = 'storm-bucket';
  const admin = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials: creds });
  cleanups.push(async () => admin.destroy());
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  const proxy: LatencyProxy = await startLatencyProxy(moto.port, { delayMs: 10, http: true });
  cleanups.push(() => proxy.close());

  const dir = path.join(tmp, 'storm');
  fs.mkdirSync(dir);
  const hashes = new Map<string, string>();
  for (let i = 0; i < 160; i++) {
    const data = randomBytes(16 * 1024 + i);
    fs.writeFileSync(path.join(dir, `s${String(i).padStart(3, '0')}.bin`), data);
    hashes.set(`storm/s${String(i).padStart(3, '0')}.bin`, sha(data));
  }
  for (const name of ['big-a.bin', 'big-b.bin']) {
    const data = randomBytes(16 * MIB + 12345);
    fs.writeFileSync(path.join(dir, name), data);
    hashes.set(`storm/${name}`, sha(data));
  }

  const svc = engine(proxy.endpoint, bucket, 'storm-data', { retry: { maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 1000 } });
  await svc.start('wan', [dir]);
  // Let the controller find its feet, then storm: 40 % of uploads answered SlowDown for two seconds.
  const until = Date.now() + 30_000;
  while (svc.snapshot().items.filter((i) => i.state === 'done').length < 40 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const before = svc.concurrency()!;
  const changesBefore = before.history.length;
  proxy.storm({ fraction: 0.4, durationMs: 2000 });
  await svc.drain();

  expect(proxy.stats().slowDowns).toBeGreaterThan(0);
  const after = svc.concurrency()!;
  const duringStorm = after.history.slice(changesBefore);
  // The controller heard the storm and cut the limit (multiplicatively: to half of what it was, or the floor).
  expect(duringStorm.some((h) => h.reason === 'slow-down')).toBe(true);
  expect(Math.min(...duringStorm.map((h) => h.limit))).toBeLessThanOrEqual(Math.max(2, Math.floor(before.limit / 2)));

  const items = svc.snapshot().items;
  expect(items).toHaveLength(hashes.size);
  expect(items.filter((i) => i.state !== 'done').map((i) => [i.relativePath, i.state, i.error?.code])).toEqual([]);
  expect(items.reduce((n, i) => n + (i.retries ?? 0), 0)).toBeGreaterThan(0);

  // Nothing lost, nothing extra: exactly the expected keys, each byte-exact.
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  expect(keys.sort()).toEqual([...hashes.keys()].sort());
  for (const [key, hash] of hashes) {
    const out = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(sha(await out.Body!.transformToByteArray()), key).toBe(hash);
  }
  // Nothing duplicated on the multipart side either: no upload left open.
  expect((await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);
});

it('reuses keep-alive connections: a folder of small files goes over a handful of TCP connections', async () => {
  const dir = path.join(tmp, 's3rver-data');
  fs.mkdirSync(dir);
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'keepalive', configs: [] }] });
  const { port } = await server.run();
  cleanups.push(() => server.close());
  const proxy = await startLatencyProxy(port, { delayMs: 5, http: true });
  cleanups.push(() => proxy.close());
  const files = path.join(tmp, 'many');
  fs.mkdirSync(files);
  for (let i = 0; i < 150; i++) fs.writeFileSync(path.join(files, `k${i}.bin`), randomBytes(4096));

  // s3rver knows one key pair, its own.
  const svc = engine(proxy.endpoint, 'keepalive', 'ka-data', { maxConcurrency: 8 }, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
  await svc.start('wan', [files]);
  await svc.drain();
  expect(svc.snapshot().items.filter((i) => i.state !== 'done').map((i) => [i.state, i.error?.code, i.error?.message]).slice(0, 3)).toEqual([]);
  const { connections, requests } = proxy.stats();
  expect(requests).toBeGreaterThanOrEqual(150);
  // At most one socket per request in flight (8) plus the control client's few — not one per file.
  expect(connections).toBeLessThanOrEqual(8 + 2 + 6);
  expect(connections).toBeGreaterThanOrEqual(1);
});
