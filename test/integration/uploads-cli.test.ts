// `grantbox upload` and `grantbox ls` end to end on the tutorial's world (moto, auth ON: john assumes
// JohnUploadRole with the hr-upload grant's session policy): steps 2 and 6 of the tutorial from the terminal.
// Keys are top-level ASCII names here because of moto's signed-key bug (see ENVIRONMENT.md and authOff below).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runCli } from '../helpers/run-cli';
import type { CliDeps } from '../../main/cli/support';
import { createServices } from '../../main/services/container';
import { MemorySecretStore } from '../../main/services/identity/secret-store';
import { startTutorialWorld, type TestWorld } from '../helpers/world';

let world: TestWorld;
let tmp: string;
let settingsPath: string;
let deps: Partial<CliDeps>;

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCli(['--settings', settingsPath, ...args], { deps });
  return { code: r.code, stdout: r.out, stderr: r.err };
}

/** Reads an object from outside Grantbox (auth briefly off, as the seeding admin would). */
async function readObject(key: string): Promise<string> {
  await world.moto.setAuth(false);
  const s3 = new S3Client({ region: 'us-east-1', endpoint: world.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: 'company1-hr', Key: key }));
    return await out.Body!.transformToString();
  } finally {
    s3.destroy();
    await world.moto.setAuth(true);
  }
}

beforeAll(async () => {
  world = await startTutorialWorld({ auth: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-cli-'));
  settingsPath = path.join(tmp, 'settings.yaml');
  fs.writeFileSync(
    settingsPath,
    [
      'apiVersion: grantbox.dev/v1',
      'kind: Settings',
      'grants:',
      '  source: directory',
      `  path: ${JSON.stringify(path.resolve('config/grants'))}`,
      '  watch: false',
      'aws:',
      '  region: us-east-1',
      `  endpoint: ${world.endpoint}`,
      '  forcePathStyle: true',
      '',
    ].join('\n'),
  );
  const secretStore = new MemorySecretStore();
  const env = { ...process.env, GRANTBOX_HOME: path.join(tmp, 'home') };
  // Sign john in once (what `grantbox login` does); every command then opens services on the same keychain.
  const first = await createServices({ settingsPath, env, secretStore, liveGrants: false });
  await first.identity.signIn(world.john.accessKeyId, world.john.secretAccessKey);
  await first.close();
  deps = { createServices: (p) => createServices({ settingsPath: p ?? settingsPath, env, secretStore, liveGrants: false }), isTTY: () => false };
});

afterAll(async () => {
  await world?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** moto (auth on) wrongly refuses signed S3 requests whose query or key has "/", spaces or "()": ListObjectsV2's
 * delimiter=%2F and "name (1).txt" included. Those steps run with auth off; the upload itself runs with auth on. */
async function authOff<T>(fn: () => Promise<T>): Promise<T> {
  await world.moto.setAuth(false);
  try {
    return await fn();
  } finally {
    await world.moto.setAuth(true);
  }
}

it('ls lists the bucket through the grant (tutorial step 2)', async () => {
  const r = await authOff(() => run('ls', 'hr-upload'));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +7 Test\.txt$/m);
  const json = await authOff(() => run('ls', 'hr-upload', '--json'));
  expect(JSON.parse(json.stdout)).toMatchObject({ grant: 'hr-upload', objects: [{ key: 'Test.txt', size: 7 }], prefixes: [] });
});

it('upload sends the file and prints a summary; a second upload of the same name is skipped (ask → skip), rename keeps both', async () => {
  const file = path.join(tmp, 'new-file.txt');
  fs.writeFileSync(file, 'signed form\n');
  const r = await run('upload', 'hr-upload', file);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('uploaded  new-file.txt');
  expect(r.stdout).toMatch(/1 uploaded, 0 skipped, 0 failed/);
  expect(await readObject('new-file.txt')).toBe('signed form\n');

  const again = await run('upload', 'hr-upload', file, '--json');
  expect(again.code).toBe(0);
  expect(again.stderr).toBe(''); // no SDK console noise for an expected 412
  const parsed = JSON.parse(again.stdout);
  expect(parsed.items[0]).toMatchObject({ state: 'skipped', error: { code: 'S3_OBJECT_EXISTS' } });

  const renamed = await authOff(() => run('upload', 'hr-upload', file, '--on-conflict', 'rename', '--json'));
  expect(renamed.code).toBe(0);
  expect(JSON.parse(renamed.stdout).items[0]).toMatchObject({ state: 'done', key: 'new-file (1).txt' });
  const listed = JSON.parse((await authOff(() => run('ls', 'hr-upload', '--json'))).stdout);
  expect(listed.objects.map((o: { key: string }) => o.key).sort()).toEqual(['Test.txt', 'new-file (1).txt', 'new-file.txt']);
});

it('exits 1 and explains when a file is refused; replace is refused when the grant does not allow it', async () => {
  const r = await run('upload', 'hr-upload', path.join(tmp, 'does-not-exist.pdf'));
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('does-not-exist.pdf');
  expect(r.stdout).toMatch(/0 uploaded, 0 skipped, 1 failed/);
  const replace = await run('upload', 'hr-upload', path.join(tmp, 'new-file.txt'), '--on-conflict', 'replace');
  expect(replace.code).toBe(1);
  expect(replace.stderr).toContain('UPLOAD_REPLACE_NOT_ALLOWED');
});

it('refuses an unknown grant in plain words', async () => {
  const r = await run('upload', 'no-such-grant', path.join(tmp, 'new-file.txt'));
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^grantbox: [A-Z_]+ /);
});

it('a folder upload leaves out hidden files and OS clutter and says how many; --include-hidden sends them', async () => {
  const folder = path.join(tmp, 'project');
  fs.mkdirSync(path.join(folder, '.git'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'plan.txt'), 'plan\n');
  fs.writeFileSync(path.join(folder, '.env'), 'TOKEN=x\n');
  fs.writeFileSync(path.join(folder, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  fs.writeFileSync(path.join(folder, '.DS_Store'), 'x');
  const r = await authOff(() => run('upload', 'hr-upload', folder));
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/1 uploaded, 0 skipped, 0 failed/);
  expect(r.stdout).toContain('3 hidden or system files left out (--include-hidden uploads them)');
  const all = JSON.parse((await authOff(() => run('upload', 'hr-upload', folder, '--include-hidden', '--json'))).stdout);
  expect(all.summary).toMatchObject({ hiddenSkipped: 0 });
  expect(all.items.map((i: { key: string; state: string }) => `${i.key} ${i.state}`).sort()).toEqual([
    'project/.DS_Store done',
    'project/.env done',
    'project/.git/HEAD done',
    'project/plan.txt skipped',
  ]);
});

it('upload --json prints a receipt per file; verify finds it identical, then reports a replaced and a missing file', async () => {
  const file = path.join(tmp, 'receipt-form.txt');
  fs.writeFileSync(file, 'I sent my signed form on the 3rd\n');
  const sha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  const r = await run('upload', 'hr-upload', file, '--json');
  expect(r.code).toBe(0);
  const { receipts } = JSON.parse(r.stdout);
  expect(receipts).toEqual([
    expect.objectContaining({ grant: 'hr-upload', bucket: 'company1-hr', key: 'receipt-form.txt', size: 33, sha256, signedInAs: world.john.arn, userName: 'john', serverTimeFromS3: true }),
  ]);
  expect(receipts[0].checksum).toEqual({ algorithm: 'SHA256', type: 'FULL_OBJECT', base64: Buffer.from(sha256, 'hex').toString('base64'), hex: sha256 });
  expect(receipts[0].etag).toMatch(/^"[0-9a-f]{32}"$/);

  const ok = await run('verify', 'hr-upload', file);
  expect(ok.code).toBe(0);
  expect(ok.stdout).toContain('identical receipt-form.txt');
  expect(ok.stdout).toContain('1 identical, 0 differ, 0 missing');

  // Another client replaces the object with other bytes of the same size.
  await world.moto.setAuth(false);
  const other = new S3Client({ region: 'us-east-1', endpoint: world.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
  await other.send(new PutObjectCommand({ Bucket: 'company1-hr', Key: 'receipt-form.txt', Body: 'I sent my signed form on the 4th\n', ChecksumAlgorithm: 'SHA256' }));
  other.destroy();
  await world.moto.setAuth(true);
  const missing = path.join(tmp, 'never-uploaded.txt');
  fs.writeFileSync(missing, 'x');
  const bad = await run('verify', 'hr-upload', file, missing, '--json');
  expect(bad.code).toBe(1);
  expect(JSON.parse(bad.stdout).entries).toEqual([
    expect.objectContaining({ file: 'receipt-form.txt', status: 'differ', sha256, reason: 'same size, different content (checksums differ)' }),
    expect.objectContaining({ file: 'never-uploaded.txt', status: 'missing' }),
  ]);
  const text = await run('verify', 'hr-upload', file, missing);
  expect(text.code).toBe(1);
  expect(text.stderr).toContain('DIFFERS   receipt-form.txt');
  expect(text.stderr).toContain('MISSING   never-uploaded.txt');
  expect(text.stdout).toContain('0 identical, 1 differ, 1 missing');
});
