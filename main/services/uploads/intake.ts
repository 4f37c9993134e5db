// From dropped paths to queue items: walks the drop lazily (walk.ts), names each file's key (naming.ts), and
// refuses what must not be sent — unsafe names, files over the grant's size limit, what the walk refused — before a
// byte leaves. Decides only; the queue turns each Intake into a job.
import { randomUUID } from 'node:crypto';
import { AppError, toAppError } from '../errors';
import { makeKey, UnsafeNameError } from './naming';
import { walkDrop, type DropEntry } from './walk';
import type { UploadItem } from '../../../preload/contract';
import type { UploadGrant } from './types';
import { formatBytes } from '../../../shared/format-bytes';

export type Intake = { item: UploadItem; path: string; mtimeMs: number } & (
  | { outcome: 'queue' }
  /** Not sent and not a failure (a link to a folder that is uploaded anyway). */
  | { outcome: 'skipped'; error: AppError }
  | { outcome: 'refused'; error: AppError }
);

export interface IntakeSink {
  /** Stop walking (quit, or the batch was cancelled). */
  stopped(): boolean;
  accept(intake: Intake): void;
  /** A hidden entry or OS clutter the folder walk left out (counted per batch). */
  hiddenSkipped?(): void;
}

export function newItem(batchId: string, grant: UploadGrant, relativePath: string): UploadItem {
  return { id: randomUUID(), batchId, grant: grant.name, relativePath, key: '', size: 0, bytesSent: 0, state: 'queued' };
}

/** What happens to one walked entry. */
export function admit(entry: DropEntry, grant: UploadGrant, batchId: string): Intake {
  const relativePath = entry.segments.join('/');
  const item = newItem(batchId, grant, relativePath);
  if (entry.kind === 'refused') {
    const error = new AppError(entry.code, entry.message, { details: { hint: entry.hint } });
    // A shortcut to a folder that is uploaded anyway under its own name: nothing is lost, so not a failure.
    return { item, path: entry.path, mtimeMs: 0, outcome: entry.code === 'UPLOAD_LINK_SKIPPED' ? 'skipped' : 'refused', error };
  }
  item.size = entry.size;
  const base = { item, path: entry.path, mtimeMs: entry.mtimeMs };
  try {
    const k = makeKey(grant.prefix, entry.segments);
    item.key = k.key;
    item.relativePath = k.relativePath;
    if (k.note) item.note = k.note;
  } catch (e) {
    const msg = e instanceof UnsafeNameError ? e.message : String(e);
    return {
      ...base,
      outcome: 'refused',
      error: new AppError('UPLOAD_UNSAFE_NAME', `“${relativePath}” was not uploaded: ${msg}`, { details: { hint: 'Rename the file (shorter name, fewer folders) and try again.' } }),
    };
  }
  if (grant.maxFileSizeBytes !== undefined && entry.size > grant.maxFileSizeBytes) {
    return {
      ...base,
      outcome: 'refused',
      error: new AppError('UPLOAD_TOO_LARGE', `“${relativePath}” is ${formatBytes(entry.size)}, larger than the ${formatBytes(grant.maxFileSizeBytes)} this grant allows.`, {
        details: { hint: `Nothing was sent. Make the file smaller or ask ${grant.contact ?? 'your administrator'} for a grant that allows bigger files.` },
      }),
    };
  }
  return { ...base, outcome: 'queue' };
}

/** Walks the drop into the sink; a walk that breaks becomes one refused item. */
export async function intake(paths: string[], grant: UploadGrant, batchId: string, sink: IntakeSink, options: { includeHidden?: boolean } = {}): Promise<void> {
  let queued = 0;
  try {
    for await (const entry of walkDrop(paths, { includeHidden: options.includeHidden ?? false, onSkipped: () => sink.hiddenSkipped?.() })) {
      if (sink.stopped()) break;
      const decided = admit(entry, grant, batchId);
      sink.accept(decided);
      // Let uploads start and the event loop breathe while a huge folder is read.
      if (decided.outcome === 'queue' && ++queued % 256 === 0) await new Promise((r) => setImmediate(r));
    }
  } catch (e) {
    sink.accept({ item: newItem(batchId, grant, ''), path: '', mtimeMs: 0, outcome: 'refused', error: toAppError(e, 'UPLOAD_WALK_FAILED') });
  }
}
