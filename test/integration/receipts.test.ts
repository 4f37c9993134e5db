// Receipts, verified checksums, encryption, metadata and tags against a real moto_server (auth off: see
// ENVIRONMENT.md's signed-key bug). moto computes a multipart object's composite SHA-256 from the bytes it stored,
// so a part damaged on the way (flipped by the TCP proxy) shows as a mismatch; it does not verify a single PUT's
// header (real S3 refuses that request with BadDigest → UPLOAD_CORRUPTED, tested in errors.test.ts).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectTaggingCommand, HeadObjectCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { startMoto, type MotoServer } from '../../main/services/sandbox/moto';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { createUploadService, type UploadEngine, type UploadServiceDeps } from '../../main/services/uploads';
import type { UploadGrant } from '../../main/services/uploads/types';
import type { LogRecord } from '../../main/services/audit/types';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';

const MIB = 1024 * 1024;
const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

let moto: MotoServer;
let proxy: TcpProxy;
let s3: S3Client;
let tmp: string;
let keyArn: string;
const services: UploadEngine[] = [];
const base: UploadGrant = { name: 'hr-upload', region: 'us-east-1', bucket: 'receipts-plain', prefix: 'in/', onConflict: 'ask', allowReplace: true };

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function file(name: string, bytes: number): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, randomBytes(bytes));
  return p;
}

function service(grant: Partial<UploadGrant>, log: LogRecord[] = [], overrides: Partial<UploadServiceDeps> = {}): UploadEngine {
  const g = { ...base, ...grant };
  const svc = createUploadService({
    resolveGrant: () => g,
    credentials: () => async () => creds,
    clients: new AwsClientFactory({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true }),
    audit: { append: async (r) => void log.push(r) },
    dataDir: path.join(tmp, 'data'),
    parts: { multipartThreshold: 5 * MIB, minPartSize: 5 * MIB },
    retry: { baseDelayMs: 20 },
    signedInAs: async () => ({ arn: 'arn:aws:iam::123456789012:user/anna', userName: 'anna' }),
    ...overrides,
  });
  services.push(svc);
  return svc;
}

beforeAll(async () => {
  moto = await startMoto();
  await moto.setAuth(false);
  s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials: creds });
  for (const b of ['receipts-plain', 'receipts-kms', 'receipts-versioned']) await s3.send(new CreateBucketCommand({ Bucket: b }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: 'receipts-versioned', VersioningConfiguration: { Status: 'Enabled' } }));
  // A real KMS key in moto (boto3 ships with moto on the machine image; Grantbox itself has no KMS client).
  keyArn = execFileSync('python3', [
    '-c',
    `import boto3; print(boto3.client('kms', endpoint_url='${moto.endpoint}', region_name='us-east-1', aws_access_key_id='${creds.accessKeyId}', aws_secret_access_key='x').create_key(Description='hr')['KeyMetadata']['Arn'])`,
  ])
    .toString()
    .trim();
  proxy = await startTcpProxy(moto.port);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-receipts-'));
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  s3?.destroy();
  await proxy?.close();
  await moto?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

it('uploads with the grant’s KMS key, single PUT and multipart, and the receipt says so', async () => {
  expect(keyArn).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\//);
  const log: LogRecord[] = [];
  const svc = service({ bucket: 'receipts-kms', encryption: { type: 'aws:kms', keyId: keyArn, bucketKey: true } }, log);
  const small = file('kms-small.pdf', 300 * 1024);
  const big = file('kms-big.bin', 12 * MIB + 1);
  await svc.start('hr-upload', [small, big]);
  await svc.drain();
  for (const [p, key] of [
    [small, 'in/kms-small.pdf'],
    [big, 'in/kms-big.bin'],
  ] as const) {
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'receipts-kms', Key: key }));
    expect(head.ServerSideEncryption, key).toBe('aws:kms');
    expect(head.SSEKMSKeyId, key).toBe(keyArn);
    const item = svc.snapshot().items.find((i) => i.key === key)!;
    expect(item.state).toBe('done');
    expect(item.receipt).toMatchObject({
      bucket: 'receipts-kms',
      key,
      size: fs.statSync(p).size,
      sha256: sha(fs.readFileSync(p)),
      grant: 'hr-upload',
      signedInAs: 'arn:aws:iam::123456789012:user/anna',
      encryption: { type: 'aws:kms', kmsKeyId: keyArn },
      serverTimeFromS3: true,
    });
    expect(item.receipt!.etag).toBe(head.ETag);
    expect(Math.abs(Date.parse(item.receipt!.serverTime) - Date.now())).toBeLessThan(60_000);
    expect(item.receipt!.requestIds.length).toBeGreaterThan(0);
  }
  // The session log keeps the receipts (checksum in hex).
  const receipts = log.filter((r) => r.type === 'upload.done').map((r) => r.receipt as { sha256: string; checksum: { hex: string; base64?: string } });
  expect(receipts.map((r) => r.sha256).sort()).toEqual([sha(fs.readFileSync(small)), sha(fs.readFileSync(big))].sort());
  expect(receipts.every((r) => r.checksum.base64 === undefined && r.checksum.hex.length >= 64)).toBe(true);
});

it('puts the VersionId of a versioned bucket in the receipt', async () => {
  const svc = service({ bucket: 'receipts-versioned' });
  const p = file('versioned.txt', 1234);
  const big = file('versioned-big.bin', 6 * MIB);
  await svc.start('hr-upload', [p, big]);
  await svc.drain();
  for (const key of ['in/versioned.txt', 'in/versioned-big.bin']) {
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'receipts-versioned', Key: key }));
    expect(head.VersionId).toBeTruthy();
    expect(svc.snapshot().items.find((i) => i.key === key)!.receipt!.versionId).toBe(head.VersionId);
  }
  // An unversioned bucket has no version to name.
  const plain = service({});
  await plain.start('hr-upload', [file('plain.txt', 10)]);
  await plain.drain();
  expect(plain.snapshot().items[0]!.receipt).toBeDefined();
  expect(plain.snapshot().items[0]!.receipt!.versionId).toBeUndefined();
});

it('sends metadata whose file name round-trips, and the grant’s tags', async () => {
  const name = 'Lohn Übersicht (März) 100% & co — 給与.pdf';
  const p = path.join(tmp, name);
  fs.writeFileSync(p, 'payslip');
  const mtime = new Date('2026-11-03T09:15:00.000Z');
  fs.utimesSync(p, mtime, mtime);
  const svc = service({ metadata: { 'original-name': '{fileName}', 'file-mtime': '{mtime}', 'uploaded-by': 'anna' }, tags: { grant: 'hr-upload', file: '{fileName}' } });
  await svc.start('hr-upload', [p]);
  await svc.drain();
  const item = svc.snapshot().items[0]!;
  expect(item.state).toBe('done');
  const head = await s3.send(new HeadObjectCommand({ Bucket: 'receipts-plain', Key: item.key }));
  expect(decodeURIComponent(head.Metadata!['original-name']!)).toBe(name);
  expect(decodeURIComponent(head.Metadata!['file-mtime']!)).toBe(mtime.toISOString());
  expect(head.Metadata!['uploaded-by']).toBe('anna');
  const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: 'receipts-plain', Key: item.key }));
  expect(Object.fromEntries(tags.TagSet!.map((t) => [t.Key, t.Value]))).toEqual({ grant: 'hr-upload', file: 'Lohn Übersicht _März_ 100_ _ co _ 給与.pdf' });
});

it('catches a part damaged on the way: the file fails, no receipt, nothing logged as uploaded', async () => {
  const log: LogRecord[] = [];
  const svc = createUploadService({
    resolveGrant: () => base,
    credentials: () => async () => creds,
    clients: new AwsClientFactory({ region: 'us-east-1', endpoint: proxy.endpoint, forcePathStyle: true }),
    audit: { append: async (r) => void log.push(r) },
    dataDir: path.join(tmp, 'data-corrupt'),
    parts: { multipartThreshold: 5 * MIB, minPartSize: 5 * MIB },
    partConcurrency: 1,
  });
  services.push(svc);
  const p = file('damaged.bin', 11 * MIB);
  // Every connection gets one byte flipped 2 MiB in: inside the first part body it carries.
  proxy.corruptNext(20, 2 * MIB);
  await svc.start('hr-upload', [p]);
  await svc.drain();
  expect(proxy.corruptions).toBeGreaterThanOrEqual(1);
  const item = svc.snapshot().items[0]!;
  expect(item.state).toBe('failed');
  expect(item.error?.code).toBe('UPLOAD_CHECKSUM_MISMATCH');
  expect(item.error?.message).toContain('did not arrive intact');
  expect(item.receipt).toBeUndefined();
  expect(log.map((r) => r.type)).toEqual(['upload.failed']);
  expect(log[0]).not.toHaveProperty('receipt');
  proxy.corruptNext(0, Infinity);
});

it('a whole-file checksum costs no extra request: one PutObject and no HeadObject for a small unencrypted file', async () => {
  const svc = service({});
  const p = file('one-request.txt', 100);
  await svc.start('hr-upload', [p]);
  await svc.drain();
  const r = svc.snapshot().items[0]!.receipt!;
  expect(r.requestIds).toHaveLength(1);
  expect(r.checksum.base64).toBe(createHash('sha256').update(fs.readFileSync(p)).digest('base64'));
});
