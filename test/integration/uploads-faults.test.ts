// Uploads under trouble, against a real moto_server: connections cut mid-part by a loopback TCP proxy, and a
// short-lived refreshing credential provider (auth ON: every request is signature-checked) during a multipart
// upload. Keys here have no "/" or non-ASCII characters (moto's signed-key bug; see ENVIRONMENT.md).
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateBucketCommand, GetObjectCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity } from '@smithy/types';
import { startMoto, type MotoServer } from '../../main/services/sandbox/moto';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { createUploadService, type UploadEngine } from '../../main/services/uploads';
import type { UploadGrant } from '../../main/services/uploads/types';
import type { LogRecord } from '../../main/services/audit/types';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';

const MIB = 1024 * 1024;
const BUCKET = 'faults-bucket';
const adminCreds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

let moto: MotoServer;
let proxy: TcpProxy;
let tmp: string;
const services: UploadEngine[] = [];
const grant: UploadGrant = { name: 'faults', region: 'us-east-1', bucket: BUCKET, prefix: '', onConflict: 'ask', allowReplace: false };

function s3(endpoint = moto.endpoint, credentials: AwsCredentialIdentity = adminCreds): S3Client {
  return new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials });
}

async function readBack(key: string, credentials?: AwsCredentialIdentity): Promise<string> {
  const c = s3(moto.endpoint, credentials);
  const out = await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  const hash = createHash('sha256').update(await out.Body!.transformToByteArray()).digest('hex');
  c.destroy();
  return hash;
}

beforeAll(async () => {
  moto = await startMoto();
  await moto.setAuth(false);
  const admin = s3();
  await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
  admin.destroy();
  proxy = await startTcpProxy(moto.port);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-faults-'));
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  await proxy?.close();
  await moto?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

it('finishes with identical bytes when connections are cut mid-part (multipart and single PUT)', async () => {
  const big = path.join(tmp, 'cut-big.bin');
  const small = path.join(tmp, 'cut-small.bin');
  fs.writeFileSync(big, randomBytes(17 * MIB));
  fs.writeFileSync(small, randomBytes(3 * MIB));
  const log: LogRecord[] = [];
  const svc = createUploadService({
    resolveGrant: () => grant,
    credentials: () => async () => adminCreds,
    clients: new AwsClientFactory({ region: 'us-east-1', endpoint: proxy.endpoint, forcePathStyle: true }),
    audit: { append: async (r) => void log.push(r) },
    dataDir: path.join(tmp, 'data1'),
    partConcurrency: 2,
    parts: { multipartThreshold: 5 * MIB, minPartSize: 5 * MIB },
    retry: { baseDelayMs: 20 },
  });
  services.push(svc);
  // Every new connection is cut after 1 MiB of request bytes, three times.
  proxy.cutNext(3, 1 * MIB);
  await svc.start('faults', [big, small]);
  await svc.drain();
  const items = svc.snapshot().items;
  expect(items.map((i) => [i.relativePath, i.state, i.error?.code])).toEqual([
    ['cut-big.bin', 'done', undefined],
    ['cut-small.bin', 'done', undefined],
  ]);
  expect(proxy.cuts).toBeGreaterThanOrEqual(1);
  const retries = items.reduce((n, i) => n + (i.retries ?? 0), 0);
  expect(retries).toBeGreaterThanOrEqual(proxy.cuts > 0 ? 1 : 0);
  expect(log.filter((r) => r.type === 'upload.done').reduce((n, r) => n + (r.retries as number), 0)).toBe(retries);
  const sha = (p: string) => createHash('sha256').update(fs.readFileSync(p)).digest('hex');
  expect(await readBack('cut-big.bin')).toBe(sha(big));
  expect(await readBack('cut-small.bin')).toBe(sha(small));
  const admin = s3();
  expect((await admin.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).toEqual([]);
  admin.destroy();
});

it('keeps uploading when the session credentials refresh during a multipart upload (auth on)', async () => {
  // Two real IAM users stand in for two successive STS sessions; moto checks every signature.
  const iam = new IAMClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: adminCreds });
  const keys: AwsCredentialIdentity[] = [];
  for (const user of ['session-a', 'session-b', 'session-c']) {
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: user,
        PolicyName: 's3',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }),
      }),
    );
    const k = await iam.send(new CreateAccessKeyCommand({ UserName: user }));
    keys.push({ accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! });
  }
  iam.destroy();
  await moto.setAuth(true);
  try {
    // A provider like the session manager's: credentials that expire within a second, re-fetched when due.
    const used = new Set<string>();
    let calls = 0;
    const provider = async () => {
      const k = keys[Math.min(Math.floor(calls++ / 3), keys.length - 1)]!;
      used.add(k.accessKeyId);
      return { ...k, expiration: new Date(Date.now() + 1000) };
    };
    const file = path.join(tmp, 'refresh.bin');
    fs.writeFileSync(file, randomBytes(21 * MIB));
    const svc = createUploadService({
      resolveGrant: () => grant,
      credentials: () => provider,
      clients: new AwsClientFactory({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true }),
      audit: { append: async () => undefined },
      dataDir: path.join(tmp, 'data2'),
      partConcurrency: 1,
      parts: { multipartThreshold: 5 * MIB, minPartSize: 5 * MIB },
    });
    services.push(svc);
    await svc.start('faults', [file]);
    await svc.drain();
    expect(svc.snapshot().items[0]).toMatchObject({ state: 'done', parts: 5 });
    expect(used.size).toBeGreaterThanOrEqual(2);
    expect(await readBack('refresh.bin', keys[2])).toBe(createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
  } finally {
    await moto.setAuth(false);
  }
});
