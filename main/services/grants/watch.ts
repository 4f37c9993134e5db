// Watches a grants folder and calls back once per burst of changes (editors write a file in several steps, and a
// `git pull` touches many files): fs.watch recursive where the platform has it (macOS, Windows, Linux on Node 20+),
// otherwise — or when the watcher fails, e.g. the folder is on a network share or was replaced — polling a cheap
// fingerprint (names, sizes, mtimes) of the folder's grant files.
import fs from 'node:fs';
import path from 'node:path';

export interface DirectoryWatcher {
  /** 'events' while fs.watch works, 'polling' after falling back. */
  readonly mode: 'events' | 'polling';
  close(): void;
}

export interface WatchOptions {
  /** Quiet time after the last change before onChange runs (default 300 ms). */
  debounceMs?: number;
  /** Polling interval when fs.watch is unavailable (default 2000 ms). */
  pollMs?: number;
  /** Force polling (tests, network folders). */
  poll?: boolean;
}

/** Names, sizes and mtimes of the folder's grant files: changes whenever a grant file is added, removed or edited. */
export async function fingerprint(dir: string): Promise<string> {
  const parts: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(d, { withFileTypes: true });
    } catch {
      parts.push(`missing:${d}`);
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.ya?ml$/i.test(e.name)) {
        try {
          const st = await fs.promises.stat(p);
          parts.push(`${p}:${st.size}:${st.mtimeMs}`);
        } catch {
          // removed between readdir and stat: the next round sees it
        }
      }
    }
  };
  await walk(dir);
  return parts.sort().join('\n');
}

export function watchDirectory(dir: string, onChange: () => void, options: WatchOptions = {}): DirectoryWatcher {
  const debounceMs = options.debounceMs ?? 300;
  const pollMs = options.pollMs ?? 2000;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let watcher: fs.FSWatcher | undefined;
  let poller: NodeJS.Timeout | undefined;
  let mode: 'events' | 'polling' = 'events';

  const trigger = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!closed) onChange();
    }, debounceMs);
  };

  const startPolling = () => {
    mode = 'polling';
    watcher?.close();
    watcher = undefined;
    let last: string | undefined;
    let busy = false;
    const tick = async () => {
      if (busy || closed) return;
      busy = true;
      try {
        const now = await fingerprint(dir);
        if (last !== undefined && now !== last) trigger();
        last = now;
      } finally {
        busy = false;
      }
    };
    void tick();
    poller = setInterval(() => void tick(), pollMs);
    poller.unref?.();
  };

  if (options.poll) startPolling();
  else {
    try {
      watcher = fs.watch(dir, { recursive: true, persistent: false }, (_event, filename) => {
        // Editors' swap files and git's lock files are noise; anything else (including unknown names) may matter.
        if (filename && /(^|[/\\])\.|~$|\.swp$/.test(filename.toString())) return;
        trigger();
      });
      watcher.on('error', () => {
        if (!closed) startPolling();
      });
    } catch {
      startPolling();
    }
  }

  return {
    get mode() {
      return mode;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(poller);
      watcher?.close();
    },
  };
}
