// The folder watcher: one debounced call per burst of changes, with fs.watch and with the polling fallback.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fingerprint, watchDirectory, type DirectoryWatcher } from '../../../../main/services/grants/watch';

let dir: string;
let watcher: DirectoryWatcher | undefined;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grantbox-watch-'));
  await fs.mkdir(path.join(dir, 'team'));
  await fs.writeFile(path.join(dir, 'a.yaml'), 'a: 1\n');
});
afterEach(() => watcher?.close());

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

describe('watchDirectory', () => {
  it.each([false, true])('calls back once for a burst of edits (poll=%s), including in sub-folders', async (poll) => {
    let calls = 0;
    watcher = watchDirectory(dir, () => (calls += 1), { debounceMs: 150, pollMs: 50, poll });
    expect(watcher.mode).toBe(poll ? 'polling' : 'events');
    await new Promise((r) => setTimeout(r, 120)); // let the poller take its first fingerprint
    for (let i = 0; i < 5; i += 1) await fs.writeFile(path.join(dir, 'a.yaml'), `a: ${i + 2}\n`);
    await fs.writeFile(path.join(dir, 'team', 'b.yml'), 'b: 1\n');
    await until(() => calls > 0);
    await new Promise((r) => setTimeout(r, 400));
    expect(calls).toBe(1);
  });

  it('stops calling back after close', async () => {
    let calls = 0;
    watcher = watchDirectory(dir, () => (calls += 1), { debounceMs: 50 });
    watcher.close();
    await fs.writeFile(path.join(dir, 'a.yaml'), 'a: 9\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(0);
  });
});

describe('fingerprint', () => {
  it('changes when a grant file changes and ignores other files and dot-folders', async () => {
    const before = await fingerprint(dir);
    await fs.writeFile(path.join(dir, 'notes.txt'), 'x');
    await fs.mkdir(path.join(dir, '.git'));
    await fs.writeFile(path.join(dir, '.git', 'x.yaml'), 'x');
    expect(await fingerprint(dir)).toBe(before);
    await fs.writeFile(path.join(dir, 'team', 'c.yaml'), 'c: 1\n');
    expect(await fingerprint(dir)).not.toBe(before);
  });
});
