// The cross-process refresh lock: one holder at a time, stale locks (dead holder, too old) taken over, a bounded wait.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REFRESH_LOCK_FILE, withRefreshLock } from '../../../../main/services/identity/refresh-lock';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-lock-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

describe('withRefreshLock', () => {
  it('lets one holder in at a time; the second waits and is told it waited', async () => {
    const order: string[] = [];
    let releaseFirst!: () => void;
    const first = withRefreshLock(dir, async ({ waited }) => {
      order.push(`first in (waited=${waited})`);
      await new Promise<void>((r) => (releaseFirst = r));
      order.push('first out');
    });
    await vi.waitFor(() => expect(order).toEqual(['first in (waited=false)']));
    const second = withRefreshLock(dir, async ({ waited }) => void order.push(`second in (waited=${waited})`), { pollMs: 10 });
    await new Promise((r) => setTimeout(r, 100));
    expect(order).toEqual(['first in (waited=false)']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in (waited=false)', 'first out', 'second in (waited=true)']);
    await expect(fs.stat(path.join(dir, REFRESH_LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('releases the lock when the holder throws', async () => {
    await expect(withRefreshLock(dir, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(withRefreshLock(dir, async () => 'again')).resolves.toBe('again');
  });

  it('takes over a lock whose holder process is gone', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    await fs.writeFile(path.join(dir, REFRESH_LOCK_FILE), JSON.stringify({ pid, host: os.hostname(), at: Date.now() }));
    const started = Date.now();
    await expect(withRefreshLock(dir, async ({ waited }) => waited, { waitMs: 5_000 })).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('takes over a lock older than staleMs even when its holder looks alive (frozen, another host)', async () => {
    await fs.writeFile(path.join(dir, REFRESH_LOCK_FILE), JSON.stringify({ pid: process.pid, host: 'other-host', at: Date.now() - 120_000 }));
    await expect(withRefreshLock(dir, async () => 'mine', { staleMs: 60_000, waitMs: 1_000 })).resolves.toBe('mine');
  });

  it('gives up after waitMs with SIGN_IN_BUSY while a live holder keeps it', async () => {
    await fs.writeFile(path.join(dir, REFRESH_LOCK_FILE), JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now() }));
    await expect(withRefreshLock(dir, async () => 'never', { waitMs: 300, pollMs: 20 })).rejects.toMatchObject({ code: 'SIGN_IN_BUSY' });
    // Not ours: left in place.
    await expect(fs.stat(path.join(dir, REFRESH_LOCK_FILE))).resolves.toBeTruthy();
  });

  it('stops waiting when cancelled', async () => {
    await fs.writeFile(path.join(dir, REFRESH_LOCK_FILE), JSON.stringify({ pid: process.pid, host: os.hostname(), at: Date.now() }));
    const ac = new AbortController();
    const p = withRefreshLock(dir, async () => 'never', { pollMs: 20, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toMatchObject({ code: 'SIGN_IN_CANCELLED' });
  });
});
