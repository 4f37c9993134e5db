import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { walkDrop, type DropEntry } from '../../../../main/services/uploads/walk';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-walk-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function all(paths: string[]): Promise<DropEntry[]> {
  const out: DropEntry[] = [];
  for await (const e of walkDrop(paths)) out.push(e);
  return out;
}

function touch(rel: string, content = 'x'): string {
  const p = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

describe('walkDrop', () => {
  it('yields files with segments relative to the drop (folder name first), sizes and mtimes; empty folders yield nothing', async () => {
    touch('drop/a.txt', 'abc');
    touch('drop/sub/b.txt');
    fs.mkdirSync(path.join(tmp, 'drop/empty'));
    const single = touch('single.pdf', '12345');
    const entries = await all([path.join(tmp, 'drop'), single]);
    const files = entries.filter((e) => e.kind === 'file');
    expect(files.map((e) => e.segments.join('/')).sort()).toEqual(['drop/a.txt', 'drop/sub/b.txt', 'single.pdf']);
    expect(files.find((e) => e.segments.join('/') === 'drop/a.txt')).toMatchObject({ size: 3, mtimeMs: expect.any(Number) });
    expect(entries).toHaveLength(3);
  });

  it('follows a dropped shortcut (the person chose it) but refuses FIFOs and devices inside folders', async () => {
    const target = touch('real/file.txt', 'hello');
    fs.symlinkSync(target, path.join(tmp, 'shortcut.txt'));
    fs.mkdirSync(path.join(tmp, 'drop'));
    expect(spawnSync('mkfifo', [path.join(tmp, 'drop/pipe')]).status).toBe(0);
    const entries = await all([path.join(tmp, 'shortcut.txt'), path.join(tmp, 'drop')]);
    expect(entries[0]).toMatchObject({ kind: 'file', segments: ['shortcut.txt'], size: 5 });
    expect(entries[1]).toMatchObject({ kind: 'refused', code: 'UPLOAD_NOT_A_FILE', segments: ['drop', 'pipe'] });
  });

  it('hands over the checked target of a link inside the folder, so re-pointing the link later cannot lead outside', async () => {
    touch('drop/inner.txt', 'inside');
    const secret = touch('private/id_rsa', 'SECRET');
    const link = path.join(tmp, 'drop', 'link.txt');
    fs.symlinkSync(path.join(tmp, 'drop', 'inner.txt'), link);
    const files = (await all([path.join(tmp, 'drop')])).filter((e) => e.kind === 'file');
    const viaLink = files.find((e) => e.segments.join('/') === 'drop/link.txt');
    expect(viaLink).toMatchObject({ kind: 'file', size: 6 });
    // Between the walk and the upload the link is swapped for one to a file outside the drop.
    fs.rmSync(link);
    fs.symlinkSync(secret, link);
    expect(fs.readFileSync(viaLink!.path, 'utf8')).toBe('inside');
  });

  it('treats a link to a file whose name starts with ".." as inside the folder (only ".." itself climbs out)', async () => {
    touch('drop/..notes.txt', 'n');
    fs.symlinkSync(path.join(tmp, 'drop', '..notes.txt'), path.join(tmp, 'drop', 'notes-link.txt'));
    const entries = await all([path.join(tmp, 'drop')]);
    expect(entries.find((e) => e.segments.join('/') === 'drop/notes-link.txt')).toMatchObject({ kind: 'file', size: 1 });
    expect(entries.filter((e) => e.kind === 'refused')).toEqual([]);
  });

  it('is lazy: the first file arrives before a big folder has been read', async () => {
    for (let d = 0; d < 50; d++) for (let i = 0; i < 20; i++) touch(`big/d${d}/f${i}`);
    const it = walkDrop([path.join(tmp, 'big')])[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value).toMatchObject({ kind: 'file' });
    // Stop early: the generator closes its directory handle.
    await it.return?.(undefined);
  });

  it('skips hidden entries and OS clutter inside folders and counts them; a hidden folder is not descended; --include-hidden takes all', async () => {
    touch('drop/report.pdf');
    touch('drop/.env', 'SECRET=1');
    touch('drop/.git/config');
    touch('drop/.git/objects/aa');
    touch('drop/sub/.DS_Store');
    touch('drop/sub/Thumbs.db');
    touch('drop/sub/DESKTOP.INI');
    touch('drop/sub/notes.txt');
    const skipped: string[] = [];
    const out: DropEntry[] = [];
    for await (const e of walkDrop([path.join(tmp, 'drop')], { onSkipped: (_p, segs) => skipped.push(segs.join('/')) })) out.push(e);
    expect(out.map((e) => e.segments.join('/')).sort()).toEqual(['drop/report.pdf', 'drop/sub/notes.txt']);
    expect(skipped.sort()).toEqual(['drop/.env', 'drop/.git', 'drop/sub/.DS_Store', 'drop/sub/DESKTOP.INI', 'drop/sub/Thumbs.db']);

    const everything: string[] = [];
    for await (const e of walkDrop([path.join(tmp, 'drop')], { includeHidden: true })) everything.push(e.segments.join('/'));
    expect(everything.sort()).toEqual(['drop/.env', 'drop/.git/config', 'drop/.git/objects/aa', 'drop/report.pdf', 'drop/sub/.DS_Store', 'drop/sub/DESKTOP.INI', 'drop/sub/Thumbs.db', 'drop/sub/notes.txt']);
    // A hidden file dropped on its own is the person's (or main's policy's) call, not the walk's.
    expect((await all([path.join(tmp, 'drop', '.env')])).map((e) => e.kind)).toEqual(['file']);
  });
});
