// Resume state for multipart uploads: one JSON file per upload under <dataDir>/uploads/, rewritten atomically
// (temp file + rename) after every finished part, so a crash or quit leaves either the old or the new record,
// never half of one. Holds the UploadId, part ETags/checksums, the file's size and mtime, key and grant —
// never credentials. Writes to one record are serialized; different records write independently.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { PersistedPart } from './types';

/** The resume record of one multipart upload: <dataDir>/uploads/<id>.json. Never holds credentials. */
export interface ResumeRecord {
  /** 2: parts carry SHA-256 (version 1's CRC32 uploads cannot take SHA-256 parts and are not continued). */
  version: 2;
  id: string;
  grant: string;
  bucket: string;
  region: string;
  key: string;
  /** Absolute path of the file on this machine. */
  path: string;
  relativePath: string;
  size: number;
  mtimeMs: number;
  uploadId: string;
  partSize: number;
  /** Whether CompleteMultipartUpload may overwrite (the person chose "replace"). */
  overwrite: boolean;
  parts: PersistedPart[];
  startedAt: string;
}

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export class ResumeStore {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(readonly dir: string) {}

  private file(id: string): string {
    if (!ID_RE.test(id)) throw new Error(`invalid resume id ${id}`);
    return path.join(this.dir, `${id}.json`);
  }

  /** Queues an atomic write of the record; resolves when it (and earlier writes of the same id) are on disk. */
  save(record: ResumeRecord): Promise<void> {
    const target = this.file(record.id); // throws at once on a bad id
    const snapshot = JSON.stringify(record);
    const prev = this.chains.get(record.id) ?? Promise.resolve();
    const next = prev.then(async () => {
      await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
      const tmp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
      await fsp.writeFile(tmp, snapshot, { mode: 0o600 });
      await fsp.rename(tmp, target);
    });
    const settled = next.catch(() => undefined);
    this.chains.set(record.id, settled);
    void settled.then(() => {
      if (this.chains.get(record.id) === settled) this.chains.delete(record.id);
    });
    return next;
  }

  async remove(id: string): Promise<void> {
    await (this.chains.get(id) ?? Promise.resolve());
    await fsp.rm(this.file(id), { force: true });
  }

  async get(id: string): Promise<ResumeRecord | undefined> {
    try {
      return parseRecord(await fsp.readFile(this.file(id), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Every readable record; unreadable or foreign files are ignored (and left alone). */
  async list(): Promise<ResumeRecord[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch {
      return [];
    }
    const out: ResumeRecord[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      try {
        const rec = parseRecord(await fsp.readFile(path.join(this.dir, name), 'utf8'));
        if (rec) out.push(rec);
      } catch {
        // A half-written temp file or someone else's file: not ours to judge.
      }
    }
    return out.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }
}

function parseRecord(text: string): ResumeRecord | undefined {
  const r = JSON.parse(text) as Partial<ResumeRecord>;
  if (r.version !== 2 || typeof r.id !== 'string' || typeof r.uploadId !== 'string' || typeof r.key !== 'string' || typeof r.path !== 'string') return undefined;
  if (!Array.isArray(r.parts) || typeof r.size !== 'number' || typeof r.partSize !== 'number') return undefined;
  return r as ResumeRecord;
}
