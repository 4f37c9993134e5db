// Size limits for what a grants repository may hand this computer, checked from git's own object headers before
// anything is inflated: isomorphic-git inflates every object of a fetched pack while indexing it and every blob it
// reads in full, so a small pack of zeros (a 256 MiB blob is about 1.3 MB packed) would otherwise cost a sync
// hundreds of MiB. Owns: the limits, the scan of a fetched pack before it is indexed, and reading one object's
// size from its pack or loose header. Pure Node (zlib, fs); knows nothing of isomorphic-git.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { AppError } from '../errors';

/** A fetched pack (compressed, as sent by the server). The whole pack is held in memory by isomorphic-git. */
export const MAX_PACK_BYTES = 64 * 1024 * 1024;
/** Any single object (commit, tree, blob) once inflated. Grant files themselves are limited to 1 MiB. */
export const MAX_OBJECT_BYTES = 8 * 1024 * 1024;
/** Tree entries (files and folders) visited in one revision. */
export const MAX_REVISION_ENTRIES = 100_000;

const TYPES: Record<number, string> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag', 6: 'ofs_delta', 7: 'ref_delta' };

export function packTooLarge(bytes: number): AppError {
  return new AppError('GIT_PACK_TOO_LARGE', `The grants repository sent more than ${MAX_PACK_BYTES / 1024 / 1024} MiB in one update, far more than grants need, so it was not used.`, {
    details: { bytes, limit: MAX_PACK_BYTES, hint: 'Tell your admin: the grants repository holds something large (or someone is sending it). Grantbox keeps using the grants it has.' },
  });
}

function objectTooLarge(size: number, type: string): AppError {
  return new AppError('GIT_OBJECT_TOO_LARGE', `The grants repository holds a ${type} of ${size} bytes, over the ${MAX_OBJECT_BYTES / 1024 / 1024} MiB Grantbox reads, so the update was not used.`, {
    details: { bytes: size, limit: MAX_OBJECT_BYTES, hint: 'Tell your admin to keep large files out of the grants repository. Grantbox keeps using the grants it has.' },
  });
}

function packUnreadable(why: string): AppError {
  return new AppError('GIT_PACK_INVALID', `The update from the grants repository could not be read (${why}), so it was not used.`, {
    details: { hint: 'Try again later; if it keeps failing, tell your admin. Grantbox keeps using the grants it has.' },
  });
}

/** Type and size from a pack entry header at `pos`; `next` is where the rest of the entry starts. */
function entryHeader(buf: Uint8Array, pos: number): { type: number; size: number; next: number } {
  let byte = buf[pos++]!;
  const type = (byte >> 4) & 7;
  let size = byte & 15;
  let shift = 4;
  while (byte & 0x80) {
    if (pos >= buf.length || shift > 35) throw packUnreadable('a broken object header');
    byte = buf[pos++]!;
    size += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  }
  return { type, size, next: pos };
}

/** The two sizes at the start of a delta: the base's and the result's. */
function deltaSizes(delta: Uint8Array): { base: number; result: number } | null {
  let pos = 0;
  const read = (): number | null => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (pos >= delta.length || shift > 35) return null;
      const b = delta[pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) return value;
    }
  };
  const base = read();
  const result = read();
  return base === null || result === null ? null : { base, result };
}

/**
 * Walks every entry of a fetched pack before isomorphic-git indexes it: each object's stated size (for deltas, the
 * size of the object the delta produces) must be within MAX_OBJECT_BYTES, and each entry is inflated with that
 * size as a hard output limit, so a header that understates its content cannot slip a bomb through.
 */
export function checkPack(pack: Uint8Array): void {
  if (pack.byteLength > MAX_PACK_BYTES) throw packTooLarge(pack.byteLength);
  const buf = Buffer.from(pack.buffer, pack.byteOffset, pack.byteLength);
  if (buf.length < 32 || buf.toString('latin1', 0, 4) !== 'PACK') throw packUnreadable('not a git pack');
  const count = buf.readUInt32BE(8);
  let pos = 12;
  const end = buf.length - 20;
  for (let i = 0; i < count; i++) {
    if (pos >= end) throw packUnreadable('the pack ends early');
    const { type, size, next } = entryHeader(buf, pos);
    pos = next;
    const name = TYPES[type];
    if (!name) throw packUnreadable('an unknown object type');
    if (size > MAX_OBJECT_BYTES) throw objectTooLarge(size, name.endsWith('delta') ? 'change' : name);
    if (type === 6) {
      while (buf[pos++]! & 0x80) if (pos >= end) throw packUnreadable('the pack ends early');
    } else if (type === 7) pos += 20;
    let inflated: { buffer: Buffer; engine: { bytesWritten: number } };
    try {
      inflated = zlib.inflateSync(buf.subarray(pos, end), { info: true, maxOutputLength: Math.max(size, 1) }) as unknown as typeof inflated;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw objectTooLarge(size + 1, 'object that is larger than its header says');
      throw packUnreadable('an object does not decompress');
    }
    if (inflated.buffer.length !== size) throw packUnreadable('an object is not the size its header says');
    if (type === 6 || type === 7) {
      const sizes = deltaSizes(inflated.buffer);
      if (!sizes) throw packUnreadable('a broken change record');
      if (sizes.result > MAX_OBJECT_BYTES) throw objectTooLarge(sizes.result, 'file');
    }
    pos += inflated.engine.bytesWritten;
  }
}

interface PackIndex {
  pack: string;
  idx: Buffer;
  count: number;
}

/**
 * Reads objects' sizes from their headers: the pack entry header (and, for a delta, the first bytes of the delta)
 * or the start of a loose object. Nothing is inflated beyond a few dozen bytes.
 */
export class ObjectSizes {
  private indexes: PackIndex[] | undefined;

  constructor(private readonly gitdir: string) {}

  /** Packs change after a fetch; the next lookup reads the index files again. */
  reset(): void {
    this.indexes = undefined;
  }

  private async loadIndexes(): Promise<PackIndex[]> {
    if (this.indexes) return this.indexes;
    const dir = path.join(this.gitdir, 'objects', 'pack');
    const names = await fsp.readdir(dir).catch(() => [] as string[]);
    const out: PackIndex[] = [];
    for (const name of names.filter((n) => n.endsWith('.idx'))) {
      const idx = await fsp.readFile(path.join(dir, name));
      if (idx.length < 8 + 1024 || idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) continue;
      out.push({ pack: path.join(dir, name.replace(/\.idx$/, '.pack')), idx, count: idx.readUInt32BE(8 + 255 * 4) });
    }
    this.indexes = out;
    return out;
  }

  private static offsetIn(index: PackIndex, oid: string): number | null {
    const want = Buffer.from(oid, 'hex');
    const first = want[0]!;
    const { idx, count } = index;
    let lo = first === 0 ? 0 : idx.readUInt32BE(8 + (first - 1) * 4);
    let hi = idx.readUInt32BE(8 + first * 4);
    const names = 8 + 1024;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const cmp = idx.compare(want, 0, 20, names + mid * 20, names + mid * 20 + 20) * -1;
      if (cmp === 0) {
        const offset = idx.readUInt32BE(names + count * 24 + mid * 4);
        // Packs over 2 GiB use a second offset table; fetched packs are bounded far below that.
        return offset & 0x80000000 ? null : offset;
      }
      if (cmp < 0) hi = mid;
      else lo = mid + 1;
    }
    return null;
  }

  /** The inflated size of an object, or null when it cannot be found in a form this reader knows. */
  async size(oid: string): Promise<number | null> {
    if (!/^[0-9a-f]{40}$/.test(oid)) return null;
    for (const index of await this.loadIndexes()) {
      const offset = ObjectSizes.offsetIn(index, oid);
      if (offset !== null) return this.packedSize(index.pack, offset);
    }
    return this.looseSize(oid);
  }

  private async packedSize(pack: string, offset: number): Promise<number | null> {
    const fh = await fsp.open(pack, 'r');
    try {
      const head = Buffer.alloc(128);
      const { bytesRead } = await fh.read(head, 0, head.length, offset);
      const buf = head.subarray(0, bytesRead);
      const { type, size, next } = entryHeader(buf, 0);
      if (type >= 1 && type <= 4) return size;
      let pos = next;
      if (type === 6) {
        while (buf[pos++]! & 0x80) if (pos >= buf.length) return null;
      } else if (type === 7) pos += 20;
      else return null;
      // The delta's first bytes say how large the object it produces is: inflate just those.
      const start = zlib.inflateSync(buf.subarray(pos), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      return deltaSizes(start)?.result ?? null;
    } finally {
      await fh.close();
    }
  }

  private async looseSize(oid: string): Promise<number | null> {
    let fh;
    try {
      fh = await fsp.open(path.join(this.gitdir, 'objects', oid.slice(0, 2), oid.slice(2)), 'r');
    } catch {
      return null;
    }
    try {
      const head = Buffer.alloc(64);
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      const start = zlib.inflateSync(head.subarray(0, bytesRead), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      const m = /^[a-z]+ (\d+)\0/.exec(start.toString('latin1', 0, Math.min(start.length, 40)));
      return m ? Number(m[1]) : null;
    } catch {
      return null;
    } finally {
      await fh.close();
    }
  }
}
