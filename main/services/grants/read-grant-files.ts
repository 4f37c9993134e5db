// Collects grant files from files and folders (recursive *.yaml / *.yml, sorted, hidden folders and files skipped)
// for the loader. Bounded: more than MAX_FILES files or a file over MAX_FILE_BYTES becomes a diagnostic on that
// path instead of a crash or a stalled app, because a grants folder is input we do not control. A link found in a
// folder is read only when it points inside that folder (as the upload walk does): a link to a credentials file
// would otherwise put its contents' key names into diagnostics.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
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

/** A grant file found in a folder: `read` is what to open (a link's checked target), `path` what to report. */
interface Found {
  path: string;
  read: string;
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/**
 * Every grant file under `dir`, sorted; stops early once past the limit. Symlinked folders are not followed (no
 * loops); a symlinked file is followed only when its target is inside `root` (the real path of the folder given).
 */
async function collect(dir: string, root: string, out: Found[], refused: SourceFile[], limit: number): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (out.length > limit) return;
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) await collect(full, root, out, refused, limit);
    else if (e.isFile() && isGrantFile(e.name)) out.push({ path: full, read: full });
    else if (e.isSymbolicLink() && isGrantFile(e.name)) {
      let target: string;
      try {
        target = await realpath(full);
      } catch (err) {
        refused.push(problem(full, 'UNREADABLE_FILE', `this link cannot be followed (${(err as NodeJS.ErrnoException).code ?? String(err)})`));
        continue;
      }
      // The target is neither read nor named: where a link points can itself be private.
      if (!isInside(root, target)) refused.push(problem(full, 'LINK_OUTSIDE', 'this file is a link to something outside the grants folder, so it was not read; copy the file into the folder instead'));
      // The checked target is what gets opened, so re-pointing the link afterwards cannot redirect the read.
      else out.push({ path: full, read: target });
    }
  }
}

/**
 * Reads one file synchronously: grant files are small and a folder holds hundreds of them, where the thread-pool
 * round trips of async stat/open/read/close cost ten times the reading itself. The caller yields between batches
 * so the event loop (Electron's main process) never stalls for long.
 */
function readOne(file: string, from: string = file): SourceFile {
  let fd: number | undefined;
  try {
    fd = openSync(from, 'r');
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
  const files: Found[] = [];
  const refused: SourceFile[] = [];
  const linked: SourceFile[] = [];
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
      const found: Found[] = [];
      try {
        await collect(p, await realpath(p), found, linked, maxFiles - files.length);
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
      // A file named by the person (or the settings) is followed wherever it points: they chose it.
      files.push({ path: p, read: p });
    }
  }
  const byPath = new Map<string, Found>();
  for (const f of files) if (!byPath.has(f.path)) byPath.set(f.path, f);
  const unique = [...byPath.keys()].sort();
  const out: SourceFile[] = [];
  for (let i = 0; i < unique.length; i++) {
    if (i > 0 && i % READ_BATCH === 0) await yieldToEventLoop();
    const f = byPath.get(unique[i]!)!;
    out.push(readOne(f.path, f.read));
  }
  const reported = new Set(unique);
  return [...refused, ...linked.filter((l) => !reported.has(l.path)), ...out];
}
