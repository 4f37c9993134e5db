// Collects grant files from files and folders (recursive *.yaml / *.yml, sorted, hidden folders and files skipped)
// for the loader. Bounded: more than MAX_FILES files or a file over MAX_FILE_BYTES becomes a diagnostic on that
// path instead of a crash or a stalled app, because a grants folder is input we do not control.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic, SourceFile } from '../../../config/loader';
import { AppError } from '../errors';

export const MAX_FILES = 10_000;
export const MAX_FILE_BYTES = 1024 * 1024;

const isGrantFile = (name: string) => /\.ya?ml$/i.test(name) && !name.startsWith('.');

function problem(file: string, code: string, message: string): SourceFile {
  const d: Diagnostic = { file, line: 1, col: 1, path: [], code, severity: 'error', message };
  return { path: file, text: '', problem: d };
}

/** Every grant file under `dir`, sorted; stops early once past the limit. Symlinked folders are not followed (no loops). */
async function collect(dir: string, out: string[], limit: number): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (out.length > limit) return;
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) await collect(full, out, limit);
    else if ((e.isFile() || e.isSymbolicLink()) && isGrantFile(e.name)) out.push(full);
  }
}

/**
 * Reads one file synchronously: grant files are small and a folder holds hundreds of them, where the thread-pool
 * round trips of async stat/open/read/close cost ten times the reading itself. The caller yields between batches
 * so the event loop (Electron's main process) never stalls for long.
 */
function readOne(file: string): SourceFile {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const info = fstatSync(fd);
    if (!info.isFile()) return problem(file, 'UNREADABLE_FILE', 'this is not a regular file');
    if (info.size > MAX_FILE_BYTES) {
      return problem(file, 'FILE_TOO_LARGE', `this file is ${info.size} bytes; grant files are limited to ${MAX_FILE_BYTES} bytes (1 MiB), split it up`);
    }
    // Read at most the limit even if the file grew after fstat.
    const buf = Buffer.allocUnsafe(Math.min(info.size, MAX_FILE_BYTES) + 1);
    let length = 0;
    for (let n; length < buf.length && (n = readSync(fd, buf, length, buf.length - length, null)) > 0; ) length += n;
    if (length > MAX_FILE_BYTES) return problem(file, 'FILE_TOO_LARGE', `this file is over ${MAX_FILE_BYTES} bytes (1 MiB); split it up`);
    return { path: file, text: buf.toString('utf8', 0, length) };
  } catch (e) {
    return problem(file, 'UNREADABLE_FILE', `this file cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const READ_BATCH = 64;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Reads the given files and folders. A path that does not exist or cannot be listed is the caller's mistake and
 * throws AppError GRANTS_PATH_UNREADABLE (the CLI turns it into exit code 2); problems with individual files
 * come back as SourceFile.problem for the loader to report.
 */
export async function readGrantFiles(paths: string[], limits: { maxFiles?: number } = {}): Promise<SourceFile[]> {
  const maxFiles = limits.maxFiles ?? MAX_FILES;
  const files: string[] = [];
  const refused: SourceFile[] = [];
  for (const p of paths) {
    let info;
    try {
      info = await lstat(p);
      if (info.isSymbolicLink()) info = await stat(p);
    } catch (e) {
      throw new AppError('GRANTS_PATH_UNREADABLE', `Grantbox cannot find or open ${p}.`, {
        cause: e,
        details: { hint: 'Check the path: it should be a grant file (.yaml) or a folder of grant files.', path: p },
      });
    }
    if (info.isDirectory()) {
      const found: string[] = [];
      try {
        await collect(p, found, maxFiles - files.length);
      } catch (e) {
        throw new AppError('GRANTS_PATH_UNREADABLE', `Grantbox cannot list the folder ${p}.`, {
          cause: e,
          details: { hint: 'Check that the folder exists and that your account may read it.', path: p },
        });
      }
      if (files.length + found.length > maxFiles) {
        refused.push(problem(p, 'TOO_MANY_FILES', `more than ${maxFiles} grant files under this folder; Grantbox reads at most ${maxFiles}: point it at the grants folder itself`));
        continue;
      }
      files.push(...found);
    } else {
      files.push(p);
    }
  }
  const unique = [...new Set(files)].sort();
  const out: SourceFile[] = [];
  for (let i = 0; i < unique.length; i++) {
    if (i > 0 && i % READ_BATCH === 0) await yieldToEventLoop();
    out.push(readOne(unique[i]!));
  }
  return [...refused, ...out];
}
