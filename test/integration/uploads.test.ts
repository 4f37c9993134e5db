// The upload engine against a real moto_server: sizes with byte-exact read-back, names, folders, conflicts,
// cancel, resume, listing. Auth is OFF here (moto wrongly refuses signed S3 keys containing "/" or non-ASCII);
// uploads-faults.test.ts covers network cuts and credential refresh.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { startMoto, type MotoServer } from '../../main/services/sandbox/moto';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { createUploadService, type UploadEngine, type UploadServiceDeps } from '../../main/services/uploads';
import { createObjectService, type ObjectLister } from '../../main/services/objects';
import type { UploadGrant } from '../../main/services/uploads/types';
import type { LogRecord } from '../../main/services/audit/types';

const MIB = 1024 * 1024;
const BUCKET = 'company1-hr';
const creds = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

let moto: MotoServer;
let s3: S3Client;
let tmp: string;
let grant: UploadGrant;
const services: UploadEngine[] = [];
const listers: ObjectLister[] = [];

function file(rel: string, bytes: number | Buffer): string {
  const p = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, typeof bytes === 'number' ? randomBytes(bytes) : bytes);
  return p;
}

function sha(buf: Uint8Array | Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

async function objectBytes(key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

function service(overrides: Partial<UploadServiceDeps> & { grant?: Partial<UploadGrant>; log?: LogRecord[] } = {}): UploadEngine {
  const g = { ...grant, ...overrides.grant };
  const log = overrides.log ?? [];
  const svc = createUploadService({
    resolveGrant: () => g,
    credentials: () => async () => creds,
    clients: new AwsClientFactory({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true }),
    audit: { append: async (r) => void log.push(r) },
    dataDir: path.join(tmp, 'data'),
    parts: { multipartThreshold: 5 * MIB, minPartSize: 5 * MIB },
    retry: { baseDelayMs: 20 },
    ...overrides,
  });
  services.push(svc);
  return svc;
}

/** Object listing for the same grant, through the same client factory. */
function lister(overrides: Partial<UploadGrant> = {}): ObjectLister {
  const g = { ...grant, ...overrides };
  const objects = createObjectService({
    resolveGrant: () => g,
    credentials: () => async () => creds,
    clients: new AwsClientFactory({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true }),
  });
  listers.push(objects);
  return objects;
}

/** Unfinished multipart uploads under this test's prefix. */
async function multipartUploadsLeft(): Promise<number> {
  const out = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: grant.prefix }));
  return out.Uploads?.length ?? 0;
}

beforeAll(async () => {
  moto = await startMoto();
  await moto.setAuth(false);
  s3 = new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, credentials: creds });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  for (const l of listers) l.close();
  s3?.destroy();
  await moto?.stop();
});

beforeEach((ctx) => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-up-'));
  // Each test writes under its own prefix so they don't see each other's objects.
  grant = { name: 'hr-upload', title: 'HR upload', region: 'us-east-1', bucket: BUCKET, prefix: `t${ctx.task.id.slice(-6)}/john/`, onConflict: 'ask', allowReplace: true };
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('sizes, byte-exact', () => {
  it('uploads small, 0-byte, just-under/at the threshold and multipart files identically, with one log record each', async () => {
    const log: LogRecord[] = [];
    const svc = service({ log });
    const files = {
      'small.txt': file('in/small.txt', 1000),
      'empty.txt': file('in/empty.txt', 0),
      'under.bin': file('in/under.bin', 5 * MIB - 1),
      'at.bin': file('in/at.bin', 5 * MIB),
      'multi.bin': file('in/multi.bin', 11 * MIB + 123),
    };
    await svc.start('hr-upload', Object.values(files));
    await svc.drain();
    const snap = svc.snapshot();
    expect(snap.items.map((i) => [i.relativePath, i.state]).sort()).toEqual(Object.keys(files).map((n) => [n, 'done']).sort());
    for (const [name, p] of Object.entries(files)) {
      expect(sha(await objectBytes(`${grant.prefix}${name}`)), name).toBe(sha(fs.readFileSync(p)));
    }
    expect(snap.items.find((i) => i.relativePath === 'multi.bin')!.parts).toBe(3);
    expect(snap.items.find((i) => i.relativePath === 'at.bin')!.parts).toBe(1);
    const done = log.filter((r) => r.type === 'upload.done');
    expect(done).toHaveLength(5);
    expect(done.every((r) => typeof r.checksum === 'string' && (r.checksum as string).startsWith('SHA256:'))).toBe(true);
    // Every receipt's SHA-256 is the file's, whatever the path (in memory, streamed, multipart).
    for (const [name, p] of Object.entries(files)) {
      expect(snap.items.find((i) => i.relativePath === name)!.receipt, name).toMatchObject({ sha256: sha(fs.readFileSync(p)), size: fs.statSync(p).size, bucket: BUCKET });
    }
    expect(snap.items.find((i) => i.relativePath === 'multi.bin')!.receipt!.checksum).toMatchObject({ type: 'COMPOSITE' });
    expect(snap.items.find((i) => i.relativePath === 'under.bin')!.receipt!.checksum).toMatchObject({ type: 'FULL_OBJECT' });
    expect(done.find((r) => r.file === 'multi.bin')).toMatchObject({ size: 11 * MIB + 123, parts: 3, result: 'done' });
    expect(await multipartUploadsLeft()).toBe(0);
    // Resume records of finished uploads are gone.
    expect(await svc.listResumable()).toEqual([]);
  });
});

describe('names and folders', () => {
  it('keeps Unicode (NFC) names and prefixes, folder structure, and refuses links leaving the folder', async () => {
    const svc = service({ grant: { prefix: `${grant.prefix}Überweisungen/` } });
    const nfd = 'Cafe\u0301 résumé.txt'; // decomposed é, as macOS writes it
    file(`drop/Projekt ä/${nfd}`, 10);
    file('drop/Projekt ä/sub/deeper/日本語.pdf', 20);
    file('drop/Projekt ä/back\\slash.txt', 5);
    file('outside-secret.txt', 7);
    fs.symlinkSync(path.join(tmp, 'outside-secret.txt'), path.join(tmp, 'drop/Projekt ä/link-out.txt'));
    fs.symlinkSync(path.join(tmp, 'drop/Projekt ä/sub/deeper/日本語.pdf'), path.join(tmp, 'drop/Projekt ä/link-in.pdf'));
    fs.symlinkSync(path.join(tmp, 'drop/Projekt ä'), path.join(tmp, 'drop/Projekt ä/sub/loop'));
    await svc.start('hr-upload', [path.join(tmp, 'drop/Projekt ä')]);
    await svc.drain();
    const byPath = new Map(svc.snapshot().items.map((i) => [i.relativePath, i]));
    const p = `${grant.prefix}Überweisungen/`;
    expect(byPath.get('Projekt ä/Café résumé.txt'.normalize('NFC'))).toMatchObject({ state: 'done', key: `${p}Projekt ä/Café résumé.txt`.normalize('NFC') });
    expect(byPath.get('Projekt ä/sub/deeper/日本語.pdf')).toMatchObject({ state: 'done' });
    expect(byPath.get('Projekt ä/back_slash.txt')).toMatchObject({ state: 'done', note: expect.stringContaining('backslash') });
    expect(byPath.get('Projekt ä/link-out.txt')).toMatchObject({ state: 'refused', error: { code: 'UPLOAD_LINK_OUTSIDE' } });
    expect(byPath.get('Projekt ä/link-in.pdf')).toMatchObject({ state: 'done' });
    // A folder shortcut (here a loop back to the top) is skipped, not followed and not a failure.
    expect(byPath.get('Projekt ä/sub/loop')).toMatchObject({ state: 'skipped', error: { code: 'UPLOAD_LINK_SKIPPED' } });
    expect(byPath.size).toBe(6);
    expect((await objectBytes(`${p}Projekt ä/sub/deeper/日本語.pdf`)).length).toBe(20);
    const listed = await lister({ prefix: p }).list('hr-upload', 'Projekt ä/');
    expect(listed.objects.map((o) => o.key).sort()).toEqual(
      [`${p}Projekt ä/Café résumé.txt`.normalize('NFC'), `${p}Projekt ä/back_slash.txt`, `${p}Projekt ä/link-in.pdf`].sort(),
    );
    expect(listed.prefixes).toEqual([`${p}Projekt ä/sub/`]);
    expect(listed.objects.every((o) => o.size > 0 && !Number.isNaN(Date.parse(o.lastModified)))).toBe(true);
  });

  it('refuses files over maxFileSize before sending, reports unreadable files, and uploads the rest', async () => {
    const log: LogRecord[] = [];
    const svc = service({ grant: { maxFileSizeBytes: 1000 }, log });
    file('d/ok.txt', 1000);
    file('d/big.bin', 1001);
    fs.symlinkSync(path.join(tmp, 'd/nowhere'), path.join(tmp, 'd/dangling.txt'));
    await svc.start('hr-upload', [path.join(tmp, 'd'), path.join(tmp, 'missing.txt')]);
    await svc.drain();
    const byPath = new Map(svc.snapshot().items.map((i) => [i.relativePath, i]));
    expect(byPath.get('d/ok.txt')?.state).toBe('done');
    expect(byPath.get('d/big.bin')).toMatchObject({ state: 'refused', bytesSent: 0, error: { code: 'UPLOAD_TOO_LARGE' } });
    expect(byPath.get('d/dangling.txt')).toMatchObject({ state: 'refused', error: { code: 'UPLOAD_FILE_UNREADABLE' } });
    expect(byPath.get('missing.txt')).toMatchObject({ state: 'refused', error: { code: 'UPLOAD_FILE_UNREADABLE' } });
    await expect(objectBytes(`${grant.prefix}d/big.bin`)).rejects.toMatchObject({ name: 'NoSuchKey' });
    expect(log.filter((r) => r.type === 'upload.refused')).toHaveLength(3);
  });

  // 10,000 files take ~70 s on moto (≈140 PUT/s); the 10,000-file drop is a unit test (mocked S3) — here 1,000 real ones.
  it('uploads a drop of 1,000 small files in folders with throttled, windowed progress events', async () => {
    const svc = service({ concurrency: 16, progressIntervalMs: 100, maxItemsPerEvent: 200 });
    const dir = path.join(tmp, 'many');
    for (let d = 0; d < 10; d++) {
      fs.mkdirSync(path.join(dir, `d${d}`), { recursive: true });
      for (let i = 0; i < 100; i++) fs.writeFileSync(path.join(dir, `d${d}`, `f${i}.txt`), `${d}-${i}`);
    }
    const events: number[] = [];
    let maxItems = 0;
    const off = svc.onProgress((s) => {
      events.push(Date.now());
      maxItems = Math.max(maxItems, s.items.length);
    });
    const t0 = Date.now();
    await svc.start('hr-upload', [dir]);
    await svc.drain();
    off();
    const seconds = (Date.now() - t0) / 1000;
    const snap = svc.snapshot();
    expect(snap.items).toHaveLength(1000);
    expect(snap.items.every((i) => i.state === 'done')).toBe(true);
    expect(snap.batches[0]).toMatchObject({ total: 1000, done: 1000, finished: true });
    expect((await lister().list('hr-upload', 'many/d7/')).objects).toHaveLength(100);
    expect(maxItems).toBeLessThanOrEqual(200);
    // ≤ 10 events a second (+1 for the trailing one).
    expect(events.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
  }, 60_000);
});

describe('conflicts (412 from If-None-Match)', () => {
  async function existing(name: string, body = 'old'): Promise<string> {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${grant.prefix}${name}`, Body: body }));
    return file(`c/${name}`, Buffer.from('new content'));
  }

  it('skip leaves the old object', async () => {
    const p = await existing('a.txt');
    const svc = service({ grant: { onConflict: 'skip' } });
    await svc.start('hr-upload', [p]);
    await svc.drain();
    expect(svc.snapshot().items[0]).toMatchObject({ state: 'skipped', error: { code: 'S3_OBJECT_EXISTS' } });
    expect((await objectBytes(`${grant.prefix}a.txt`)).toString()).toBe('old');
  });

  it('rename keeps both as "name (1).ext", probing the next free number', async () => {
    const p = await existing('report.final.pdf');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${grant.prefix}report.final (1).pdf`, Body: 'taken too' }));
    const svc = service({ grant: { onConflict: 'rename' } });
    await svc.start('hr-upload', [p]);
    await svc.drain();
    const item = svc.snapshot().items[0]!;
    expect(item.error).toBeUndefined();
    expect(item).toMatchObject({ state: 'done', key: `${grant.prefix}report.final (2).pdf`, note: expect.stringContaining('keeping both') });
    expect((await objectBytes(`${grant.prefix}report.final.pdf`)).toString()).toBe('old');
    expect((await objectBytes(`${grant.prefix}report.final (2).pdf`)).toString()).toBe('new content');
  });

  it('replace overwrites only when the grant allows it', async () => {
    const p = await existing('r.txt');
    const svc = service({ grant: { onConflict: 'replace', allowReplace: true } });
    await svc.start('hr-upload', [p]);
    await svc.drain();
    expect(svc.snapshot().items[0]!.state).toBe('done');
    expect((await objectBytes(`${grant.prefix}r.txt`)).toString()).toBe('new content');

    const strict = service({ grant: { onConflict: 'ask', allowReplace: false } });
    await expect(strict.start('hr-upload', [p], { onConflict: 'replace' })).rejects.toMatchObject({ code: 'UPLOAD_REPLACE_NOT_ALLOWED' });
  });

  it('ask waits in `conflict` until the person chooses; applyToAll answers the rest of the batch', async () => {
    const p1 = await existing('x1.txt');
    const p2 = await existing('x2.txt');
    const p3 = await existing('x3.txt');
    const svc = service({ grant: { onConflict: 'ask', allowReplace: false } });
    await svc.start('hr-upload', [p1, p2, p3]);
    await svc.drain();
    let items = svc.snapshot().items;
    expect(items.map((i) => i.state)).toEqual(['conflict', 'conflict', 'conflict']);
    expect(items[0]!.conflictChoices).toEqual(['skip', 'rename']);
    expect(items[0]!.error).toMatchObject({ code: 'S3_OBJECT_EXISTS', message: expect.stringContaining('x1.txt') });
    await expect(svc.resolveConflict(items[0]!.id, 'replace')).rejects.toMatchObject({ code: 'UPLOAD_REPLACE_NOT_ALLOWED' });
    await svc.resolveConflict(items[0]!.id, 'skip');
    await svc.resolveConflict(items[1]!.id, 'rename', true);
    await svc.drain();
    items = svc.snapshot().items;
    expect(items.map((i) => i.state)).toEqual(['skipped', 'done', 'done']);
    expect(items[2]!.key).toBe(`${grant.prefix}x3 (1).txt`);
  });

  it('a multipart file whose name exists is caught before its parts are sent', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${grant.prefix}big.bin`, Body: 'old' }));
    const p = file('c/big.bin', 6 * MIB);
    const svc = service({ grant: { onConflict: 'skip' } });
    await svc.start('hr-upload', [p]);
    await svc.drain();
    expect(svc.snapshot().items[0]).toMatchObject({ state: 'skipped', bytesSent: 0 });
    expect(await multipartUploadsLeft()).toBe(0);
  });
});

describe('cancel and resume', () => {
  it('cancel aborts the multipart upload: nothing left in ListMultipartUploads', async () => {
    const p = file('big.bin', 25 * MIB);
    const svc = service({ partConcurrency: 1 });
    await svc.start('hr-upload', [p]);
    await vi.waitFor(() => expect(svc.snapshot().items[0]?.parts ?? 0).toBeGreaterThanOrEqual(1), { timeout: 20_000, interval: 20 });
    expect(await multipartUploadsLeft()).toBe(1);
    await svc.cancel(svc.snapshot().items[0]!.id);
    await svc.drain();
    expect(svc.snapshot().items[0]!.state).toBe('cancelled');
    expect(await multipartUploadsLeft()).toBe(0);
    expect(await svc.listResumable()).toEqual([]);
  });

  it('cancelAll stops queued and running files', async () => {
    const paths = [file('a.bin', 12 * MIB), file('b.bin', 100), file('c.bin', 12 * MIB)];
    const svc = service({ concurrency: 1, partConcurrency: 1 });
    await svc.start('hr-upload', paths);
    await vi.waitFor(() => expect(svc.snapshot().items.some((i) => i.state === 'uploading')).toBe(true), { timeout: 10_000, interval: 10 });
    await svc.cancelAll();
    await svc.drain();
    expect(svc.busy()).toBe(false);
    expect(svc.snapshot().items.every((i) => i.state === 'cancelled')).toBe(true);
    expect(await multipartUploadsLeft()).toBe(0);
  });

  it('resumes after the app quit mid-upload: a fresh service continues from the persisted parts', async () => {
    const p = file('resume.bin', 16 * MIB + 7);
    const first = service({ partConcurrency: 1 });
    await first.start('hr-upload', [p]);
    await vi.waitFor(() => expect(first.snapshot().items[0]?.parts ?? 0).toBeGreaterThanOrEqual(1), { timeout: 20_000, interval: 10 });
    await first.close(); // quit: leaves the multipart upload and its record
    expect(await multipartUploadsLeft()).toBe(1);

    const log: LogRecord[] = [];
    const second = service({ log });
    const resumable = await second.listResumable();
    expect(resumable).toHaveLength(1);
    expect(resumable[0]).toMatchObject({ relativePath: 'resume.bin', key: `${grant.prefix}resume.bin`, size: 16 * MIB + 7, fileUnchanged: true });
    expect(resumable[0]!.bytesDone).toBeGreaterThanOrEqual(5 * MIB);
    await second.resume(resumable[0]!.id);
    await second.drain();
    expect(second.snapshot().items[0]).toMatchObject({ state: 'done', parts: 4 });
    expect(sha(await objectBytes(`${grant.prefix}resume.bin`))).toBe(sha(fs.readFileSync(p)));
    expect(await second.listResumable()).toEqual([]);
    expect(await multipartUploadsLeft()).toBe(0);
    // Only the parts missing after the quit were sent again.
    expect(log.find((r) => r.type === 'upload.done')).toMatchObject({ parts: 4 });
  });

  it('resumes after the uploading process is killed (SIGKILL) mid-upload', async () => {
    // The bench's runner is the engine in its own process; bundle it next to node_modules so its imports resolve.
    const runner = path.resolve('node_modules/.cache/grantbox-test/upload-runner.cjs');
    await build({ entryPoints: ['scripts/bench/upload-runner.ts'], outfile: runner, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'error' });
    const p = file('crash.bin', 30 * MIB + 5);
    const dataDir = path.join(tmp, 'data');
    const child = spawn(process.execPath, [runner, moto.endpoint, BUCKET, grant.prefix, p], {
      env: { ...process.env, GB_DATA_DIR: dataDir, GB_PART_CONCURRENCY: '1', AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey },
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.once('exit', r));
    const partsOnDisk = () => {
      try {
        return fs.readdirSync(path.join(dataDir, 'uploads')).filter((n) => n.endsWith('.json')).map((n) => JSON.parse(fs.readFileSync(path.join(dataDir, 'uploads', n), 'utf8')).parts.length as number)[0] ?? 0;
      } catch {
        return 0;
      }
    };
    await vi.waitFor(() => expect(partsOnDisk()).toBeGreaterThanOrEqual(1), { timeout: 30_000, interval: 5 });
    child.kill('SIGKILL');
    await exited;
    expect(partsOnDisk()).toBeLessThan(4);

    const second = service();
    const [r] = await second.listResumable();
    expect(r).toMatchObject({ relativePath: 'crash.bin', size: 30 * MIB + 5, fileUnchanged: true });
    await second.resume(r!.id);
    await second.drain();
    expect(second.snapshot().items[0]).toMatchObject({ state: 'done', parts: 4 });
    expect(sha(await objectBytes(`${grant.prefix}crash.bin`))).toBe(sha(fs.readFileSync(p)));
    // The whole-file SHA-256 covers the parts the killed process sent (re-hashed, not re-sent) and the rest.
    expect(second.snapshot().items[0]!.receipt).toMatchObject({ sha256: sha(fs.readFileSync(p)), checksum: { type: 'COMPOSITE' } });
    expect(await multipartUploadsLeft()).toBe(0);
  });

  it('a changed file can only be discarded, which aborts the upload', async () => {
    const p = file('changing.bin', 12 * MIB);
    const first = service({ partConcurrency: 1 });
    await first.start('hr-upload', [p]);
    await vi.waitFor(() => expect(first.snapshot().items[0]?.parts ?? 0).toBeGreaterThanOrEqual(1), { timeout: 20_000, interval: 10 });
    await first.close();
    fs.appendFileSync(p, 'more');
    const second = service();
    const [r] = await second.listResumable();
    expect(r).toMatchObject({ fileUnchanged: false });
    await expect(second.resume(r!.id)).rejects.toMatchObject({ code: 'UPLOAD_RESUME_FILE_CHANGED' });
    await second.discard(r!.id);
    expect(await second.listResumable()).toEqual([]);
    expect(await multipartUploadsLeft()).toBe(0);
  });
});

describe('listing', () => {
  it('pages through ListObjectsV2 under the grant prefix', async () => {
    const objects = lister();
    for (let i = 0; i < 1005; i += 1) {
      if (i % 200 === 0) await Promise.all(Array.from({ length: Math.min(200, 1005 - i) }, (_, j) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${grant.prefix}p/${String(i + j).padStart(4, '0')}`, Body: 'x' }))));
    }
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'elsewhere/not-mine.txt', Body: 'x' }));
    const first = await objects.list('hr-upload', 'p/');
    expect(first.objects).toHaveLength(1000);
    expect(first.nextToken).toBeTruthy();
    const second = await objects.list('hr-upload', 'p/', first.nextToken);
    expect(second.objects).toHaveLength(5);
    expect(second.nextToken).toBeUndefined();
    const root = await objects.list('hr-upload');
    expect(root.prefixes).toEqual([`${grant.prefix}p/`]);
    expect(root.objects).toEqual([]);
  });
});
