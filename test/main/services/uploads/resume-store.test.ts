import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ResumeStore, type ResumeRecord } from '../../../../main/services/uploads/resume-store';

function record(id: string, parts = 0): ResumeRecord {
  return {
    version: 2,
    id,
    grant: 'hr-upload',
    bucket: 'company1-hr',
    region: 'us-east-1',
    key: 'a/b.bin',
    path: '/tmp/b.bin',
    relativePath: 'b.bin',
    size: 100,
    mtimeMs: 1,
    uploadId: 'up-1',
    partSize: 50,
    overwrite: false,
    parts: Array.from({ length: parts }, (_, i) => ({ partNumber: i + 1, etag: `"e${i}"`, size: 50 })),
    startedAt: `2026-01-0${id.length}T00:00:00.000Z`,
  };
}

describe('ResumeStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-resume-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps the last of many concurrent saves, leaves no temp files, and is private to the user', async () => {
    const store = new ResumeStore(path.join(dir, 'uploads'));
    await Promise.all([0, 1, 2].map((n) => store.save(record('abc', n))));
    expect((await store.get('abc'))?.parts).toHaveLength(2);
    expect(fs.readdirSync(path.join(dir, 'uploads'))).toEqual(['abc.json']);
    expect(fs.statSync(path.join(dir, 'uploads', 'abc.json')).mode & 0o777).toBe(0o600);
  });

  it('lists valid records oldest first, ignores foreign and broken files, and removes', async () => {
    const store = new ResumeStore(dir);
    await store.save(record('bb'));
    await store.save(record('a'));
    fs.writeFileSync(path.join(dir, 'junk.json'), '{not json');
    fs.writeFileSync(path.join(dir, 'other.json'), JSON.stringify({ version: 3 }));
    expect((await store.list()).map((r) => r.id)).toEqual(['a', 'bb']);
    await store.remove('a');
    expect((await store.list()).map((r) => r.id)).toEqual(['bb']);
    expect(await store.get('a')).toBeUndefined();
  });

  it('refuses ids that could escape its folder', () => {
    const store = new ResumeStore(dir);
    expect(() => store.save(record('../evil'))).toThrow(/invalid resume id/);
  });
});
