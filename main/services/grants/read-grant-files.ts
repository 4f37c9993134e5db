// Collects grant files from files and folders (recursive *.yaml / *.yml, sorted, hidden folders and files skipped)
// for the loader. Bounded: more than MAX_FILES files or a file over MAX_FILE_BYTES becomes a diagnostic on that
// path instead of a crash or a stalled app, because a grants folder is input we do not control.
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic, SourceFile } from '../../../config/loader';
import { AppError } from '../errors';

export const MAX_FILES = 10_000;
export const MAX_FILE_BYTES = 1024 * 1024;
const READ_CONCURRENCY = 32;

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

async function readOne(file: string): Promise<SourceFile> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return problem(file, 'UNREADABLE_FILE', 'this is not a regular file');
    if (info.size > MAX_FILE_BYTES) {
      return problem(file, 'FILE_TOO_LARGE', `this file is ${info.size} bytes; grant files are limited to ${MAX_FILE_BYTES} bytes (1 MiB), split it up`);
    }
    return { path: file, text: await readFile(file, 'utf8') };
  } catch (e) {
    return problem(file, 'UNREADABLE_FILE', `this file cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

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
  const out: SourceFile[] = new Array(unique.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(READ_CONCURRENCY, unique.length) }, async () => {
    while (next < unique.length) {
      const i = next++;
      out[i] = await readOne(unique[i]!);
    }
  });
  await Promise.all(workers);
  return [...refused, ...out];
}
