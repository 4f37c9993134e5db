// Main decides what a drop may read (issue: code in the renderer process could make main upload ~/.aws/credentials).
// Through the REAL registration, guard and services against moto (the e2e harness, no browser needed: the attacker
// is whatever can call uploads:start): a hidden file under home is refused with a plain reason and never reaches
// the bucket; a dropped folder leaves out its hidden entries and says how many; main's own picker uploads a hidden
// file only after an explicit yes in its native dialog.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ObjectPage, QueueSnapshot } from '../../preload/contract';
import { startHarness, type Harness } from '../helpers/e2e-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  expect(await h.invoke('identity:signIn', { accessKeyId: h.world.john.accessKeyId, secretAccessKey: h.world.john.secretAccessKey })).toMatchObject({ ok: true });
  expect(await h.invoke('session:assume', { grant: 'hr-upload' })).toMatchObject({ ok: true });
  // S3 data-path checks with moto's auth off: it refuses signed requests whose key or query holds "/" (ENVIRONMENT.md).
  await h.world.moto.setAuth(false);
});
afterAll(async () => {
  await h?.close();
});

async function keysInBucket(prefix?: string): Promise<string[]> {
  const r = (await h.invoke('objects:list', { grant: 'hr-upload', ...(prefix ? { prefix } : {}) })) as { ok: boolean; value: ObjectPage };
  expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
  return r.value.objects.map((o) => o.key).sort();
}

async function finished(batchId: string): Promise<QueueSnapshot['batches'][number]> {
  const end = Date.now() + 30_000;
  for (;;) {
    const snap = (await h.invoke('uploads:snapshot', undefined)) as { value: QueueSnapshot };
    const batch = snap.value.batches.find((b) => b.batchId === batchId);
    if (batch?.finished && snap.value.items.filter((i) => i.batchId === batchId).every((i) => !['queued', 'uploading'].includes(i.state))) return batch;
    if (Date.now() > end) throw new Error('batch did not finish');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('what main refuses from uploads:start', () => {
  it('~/.aws/credentials and ~/.ssh cannot be uploaded through uploads:start; nothing reaches the bucket', async () => {
    const creds = path.join(h.homeDir, '.aws', 'credentials');
    await fs.mkdir(path.dirname(creds), { recursive: true });
    await fs.writeFile(creds, `[default]\naws_access_key_id = ${h.world.john.accessKeyId}\naws_secret_access_key = ${h.world.john.secretAccessKey}\n`);
    const ssh = path.join(h.homeDir, '.ssh');
    await fs.mkdir(ssh);
    await fs.writeFile(path.join(ssh, 'id_ed25519'), 'private key\n');
    const before = await keysInBucket();

    for (const paths of [[creds], [ssh], [path.join(h.homeDir, 'Documents-ok.txt'), creds]]) {
      const r = await h.invoke('uploads:start', { grant: 'hr-upload', paths });
      expect(r).toMatchObject({
        ok: false,
        error: { code: 'UPLOAD_PATH_PROTECTED', message: expect.stringMatching(/^Grantbox does not upload “(credentials|\.ssh)”.* from a drop: it is in the hidden folder “\.(aws|ssh)” of your home folder/), details: { hint: expect.stringMatching(/Choose files/) } },
      });
    }
    // Its own data folder too (session log, identity, the grants clone).
    const dataFile = path.join(h.services.dataDir, 'logs', 'session.jsonl');
    expect(await h.invoke('uploads:start', { grant: 'hr-upload', paths: [dataFile] })).toMatchObject({ ok: false, error: { code: 'UPLOAD_PATH_PROTECTED', message: expect.stringMatching(/Grantbox’s own data folder/) } });

    await new Promise((r) => setTimeout(r, 300));
    expect(await keysInBucket()).toEqual(before);
    expect((await h.invoke('uploads:snapshot', undefined)) as { value: QueueSnapshot }).toMatchObject({ value: { items: [] } });
  });

  it('a dropped folder uploads its ordinary files and leaves out hidden ones and OS clutter, counting them', async () => {
    const folder = path.join(h.homeDir, 'Documents', 'forms');
    await fs.mkdir(path.join(folder, '.git'), { recursive: true });
    await fs.writeFile(path.join(folder, 'form-a.pdf'), 'a');
    await fs.writeFile(path.join(folder, '.env'), 'TOKEN=x');
    await fs.writeFile(path.join(folder, '.git', 'config'), '[core]');
    await fs.writeFile(path.join(folder, 'Thumbs.db'), 'x');
    const r = (await h.invoke('uploads:start', { grant: 'hr-upload', paths: [folder] })) as { ok: boolean; value: { batchId: string } };
    expect(r.ok).toBe(true);
    const batch = await finished(r.value.batchId);
    expect(batch).toMatchObject({ done: 1, hiddenSkipped: 3, failed: 0, refused: 0 });
    expect(await keysInBucket('forms/')).toEqual(['forms/form-a.pdf']);
  });

  it('main’s own picker uploads a hidden file only after an explicit yes in its native dialog', async () => {
    const hidden = path.join(h.homeDir, '.notes.txt');
    await fs.writeFile(hidden, 'my notes\n');
    h.dialogs.openPaths = [hidden];
    h.dialogs.confirm = false;
    expect(await h.invoke('uploads:pick', { grant: 'hr-upload', folders: false })).toEqual({ ok: true, value: { batchId: null } });
    expect(h.confirms).toHaveLength(1);
    expect(h.confirms[0]).toMatchObject({ title: 'Upload hidden files?', detail: expect.stringContaining(hidden) });
    expect(await keysInBucket()).not.toContain('.notes.txt');

    h.dialogs.confirm = true;
    const r = (await h.invoke('uploads:pick', { grant: 'hr-upload', folders: false })) as { ok: boolean; value: { batchId: string } };
    expect(r.ok).toBe(true);
    expect((await finished(r.value.batchId)).done).toBe(1);
    expect(await keysInBucket()).toContain('.notes.txt');
    expect(h.confirms).toHaveLength(2);
  });
});
