// One refresh at a time across processes (the app and the CLI, two CLIs): a lock file in the data folder, created
// with O_EXCL so exactly one process holds it. Why: with refresh-token rotation, two processes presenting the same
// refresh token at once make the provider refuse the second (or, with reuse detection, end the whole sign-in), and
// the person would be told to sign in again for nothing. The holder refreshes and writes the newest refresh token to
// the keychain before it lets go; the others then re-read the keychain instead of using the token they had.
//
// Stale locks: the file names its holder (pid, host, when). A lock whose holder is gone (same host, no such pid) or
// that is older than `staleMs` (a frozen or killed holder on a shared home folder) is taken over. The lock holds no
// secret.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../errors';

export const REFRESH_LOCK_FILE = 'sign-in-refresh.lock';

export interface RefreshLockOptions {
  /** A lock older than this is stale (default 60 s; a refresh takes seconds). */
  staleMs?: number;
  /** Give up waiting after this long (default 90 s): SIGN_IN_BUSY. */
  waitMs?: number;
  /** How often to look again while another process holds it (default 100 ms). */
  pollMs?: number;
  signal?: AbortSignal;
}

interface Holder {
  pid: number;
  host: string;
  at: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: exists but belongs to someone else — alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<Holder | null> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Holder>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.at === 'number') return parsed as Holder;
    return null;
  } catch {
    return null;
  }
}

/** The holder judged stale (null = an unreadable file, old enough to be abandoned), or false when it is not stale. */
async function staleHolder(file: string, staleMs: number): Promise<Holder | null | false> {
  const holder = await readHolder(file);
  if (!holder) {
    // Half-written or unreadable: judge by the file's age, so a holder mid-write is not robbed.
    const stat = await fs.stat(file).catch(() => null);
    return !stat || Date.now() - stat.mtimeMs > Math.min(staleMs, 5_000) ? null : false;
  }
  if (Date.now() - holder.at > staleMs) return holder;
  return holder.host === os.hostname() && !alive(holder.pid) ? holder : false;
}

/** Runs `fn` while holding the data folder's refresh lock; `waited` says whether another process held it first. */
export async function withRefreshLock<T>(dataDir: string, fn: (info: { waited: boolean }) => Promise<T>, options: RefreshLockOptions = {}): Promise<T> {
  const file = path.join(dataDir, REFRESH_LOCK_FILE);
  const staleMs = options.staleMs ?? 60_000;
  const until = Date.now() + (options.waitMs ?? 90_000);
  const pollMs = options.pollMs ?? 100;
  const me: Holder = { pid: process.pid, host: os.hostname(), at: Date.now() };
  let waited = false;
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  for (;;) {
    if (options.signal?.aborted) throw new AppError('SIGN_IN_CANCELLED', 'Signing in was cancelled.', { details: { hint: 'Sign in again when you are ready.' } });
    try {
      const handle = await fs.open(file, 'wx', 0o600);
      try {
        me.at = Date.now();
        await handle.writeFile(JSON.stringify(me));
      } finally {
        await handle.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const stale = await staleHolder(file, staleMs);
    if (stale !== false) {
      // Move it aside atomically, then make sure it was the one judged stale: another process may have taken over
      // the stale lock and created a fresh one in between — that one goes back (link fails if a newer one exists).
      const aside = `${file}.${process.pid}.stale`;
      const moved = await fs.rename(file, aside).then(
        () => true,
        () => false,
      );
      if (moved) {
        const was = await readHolder(aside);
        if (was && (!stale || was.at !== stale.at || was.pid !== stale.pid)) await fs.link(aside, file).catch(() => undefined);
        await fs.rm(aside, { force: true });
      }
      continue;
    }
    waited = true;
    if (Date.now() > until) {
      throw new AppError('SIGN_IN_BUSY', 'Another Grantbox window or command is renewing your sign-in and has not finished.', {
        details: { hint: `Wait a minute and try again. If it keeps happening, close other Grantbox windows and commands, or delete ${file}.` },
      });
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  try {
    return await fn({ waited });
  } finally {
    // Remove it only while it is still ours (a holder that ran past staleMs may have been taken over).
    const holder = await readHolder(file);
    if (holder && holder.pid === me.pid && holder.host === me.host && holder.at === me.at) await fs.rm(file, { force: true });
  }
}
