// Turns what someone dropped (files and folders, absolute paths) into the files to upload, lazily: folders are
// read one directory handle at a time (fs.opendir) and entries are yielded as found, so a 10,000-file drop never
// holds more than the directories still to visit. Symbolic links are followed only when they point inside the
// dropped folder (and only to files: folder links are skipped so a loop can't happen); a link pointing outside
// is refused, so dropping a folder can never upload ~/.ssh through a shortcut. Hidden entries (names starting with
// ".") and OS clutter (.DS_Store, Thumbs.db, desktop.ini) inside a folder are skipped and counted — what staff expect,
// and a dropped project folder then carries no .git, .env or .aws — unless the caller asks to include them.
import { promises as fsp, type Dirent } from 'node:fs';
import path from 'node:path';

export interface DropFile {
  kind: 'file';
  path: string;
  /** Relative path segments as the file system gave them (first is the dropped folder's name). */
  segments: string[];
  size: number;
  mtimeMs: number;
}

export interface DropRefused {
  kind: 'refused';
  path: string;
  segments: string[];
  code: string;
  message: string;
  hint: string;
}

export type DropEntry = DropFile | DropRefused;

function refused(p: string, segments: string[], code: string, message: string, hint: string): DropRefused {
  return { kind: 'refused', path: p, segments, code, message, hint };
}

function unreadable(p: string, segments: string[], e: unknown): DropRefused {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'it no longer exists' : code === 'EACCES' || code === 'EPERM' ? 'you do not have permission to read it' : `the computer reported ${code ?? 'an error'}`;
  return refused(p, segments, 'UPLOAD_FILE_UNREADABLE', `“${segments.join('/') || p}” could not be read: ${why}.`, 'Check that the file exists and that you can open it, then try again.');
}

function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  // "..notes.txt" is a name inside the folder; only ".." itself or "../…" climbs out.
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** OS clutter that no one means to upload; matched without case (Windows and macOS names are case-insensitive). */
const CLUTTER = new Set(['.ds_store', 'thumbs.db', 'desktop.ini']);

/** True for entries a folder walk skips unless told otherwise: hidden names and OS clutter. */
export function isHiddenOrClutter(name: string): boolean {
  return name.startsWith('.') || CLUTTER.has(name.toLowerCase());
}

export interface WalkOptions {
  /** Also walk hidden entries and OS clutter (the CLI's --include-hidden). */
  includeHidden?: boolean;
  /** Told about each hidden entry or clutter skipped inside a folder (a hidden folder counts once). */
  onSkipped?: (path: string, segments: string[]) => void;
}

export async function* walkDrop(paths: string[], options: WalkOptions = {}): AsyncGenerator<DropEntry> {
  for (const dropped of paths) {
    const name = path.basename(dropped);
    let st;
    try {
      // The dropped item itself is what the person chose: a shortcut they dropped is followed.
      st = await fsp.stat(dropped);
    } catch (e) {
      yield unreadable(dropped, [name], e);
      continue;
    }
    if (st.isFile()) {
      yield { kind: 'file', path: dropped, segments: [name], size: st.size, mtimeMs: st.mtimeMs };
      continue;
    }
    if (!st.isDirectory()) {
      yield refused(dropped, [name], 'UPLOAD_NOT_A_FILE', `“${name}” is not a regular file or folder.`, 'Only files and folders can be uploaded.');
      continue;
    }
    let root: string;
    try {
      root = await fsp.realpath(dropped);
    } catch (e) {
      yield unreadable(dropped, [name], e);
      continue;
    }
    // Depth-first with an explicit stack (no recursion): deep trees can't overflow the call stack.
    const stack: Array<{ dir: string; segments: string[] }> = [{ dir: dropped, segments: [name] }];
    while (stack.length) {
      const { dir, segments } = stack.pop()!;
      let handle;
      try {
        handle = await fsp.opendir(dir);
      } catch (e) {
        yield unreadable(dir, segments, e);
        continue;
      }
      const subdirs: Array<{ dir: string; segments: string[] }> = [];
      try {
        for await (const entry of handle as AsyncIterable<Dirent>) {
          const full = path.join(dir, entry.name);
          const segs = [...segments, entry.name];
          if (!options.includeHidden && isHiddenOrClutter(entry.name)) {
            options.onSkipped?.(full, segs);
            continue;
          }
          if (entry.isDirectory()) {
            subdirs.push({ dir: full, segments: segs });
            continue;
          }
          if (entry.isSymbolicLink()) {
            let target: string;
            let tst;
            try {
              target = await fsp.realpath(full);
              tst = await fsp.stat(target);
            } catch (e) {
              yield unreadable(full, segs, e);
              continue;
            }
            if (!isInside(root, target) && !(target === root && tst.isDirectory())) {
              yield refused(full, segs, 'UPLOAD_LINK_OUTSIDE', `“${segs.join('/')}” is a shortcut to something outside the folder you dropped, so it was not uploaded.`, 'Drop the file itself if you mean to upload it.');
              continue;
            }
            if (tst.isDirectory()) {
              yield refused(full, segs, 'UPLOAD_LINK_SKIPPED', `“${segs.join('/')}” is a shortcut to another folder inside the one you dropped; that folder is uploaded once, under its own name.`, 'Nothing to do.');
              continue;
            }
            if (!tst.isFile()) {
              yield refused(full, segs, 'UPLOAD_NOT_A_FILE', `“${segs.join('/')}” is not a regular file.`, 'Only files and folders can be uploaded.');
              continue;
            }
            // The checked target, not the link: the file is opened later, and a link re-pointed in between (someone
            // else writing in a shared folder) must not turn the upload into a read of ~/.ssh.
            yield { kind: 'file', path: target, segments: segs, size: tst.size, mtimeMs: tst.mtimeMs };
            continue;
          }
          if (!entry.isFile()) {
            yield refused(full, segs, 'UPLOAD_NOT_A_FILE', `“${segs.join('/')}” is not a regular file.`, 'Only files and folders can be uploaded.');
            continue;
          }
          try {
            const fst = await fsp.stat(full);
            yield { kind: 'file', path: full, segments: segs, size: fst.size, mtimeMs: fst.mtimeMs };
          } catch (e) {
            yield unreadable(full, segs, e);
          }
        }
      } catch (e) {
        yield unreadable(dir, segments, e);
      }
      // Reverse so the walk visits sub-folders in directory order.
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
    }
  }
}
