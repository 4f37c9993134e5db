// Progress arithmetic, free of timers, streams and S3: a job's bytes sent from its finished parts and open read
// streams, a rate over the last few seconds of samples, and the queue snapshot (per-batch totals, overall
// progress, a bounded window of items). Pure inputs → outputs; progress-feed.ts decides when to call it.
import type { BatchSummary, QueueSnapshot, UploadItem } from '../../../preload/contract';
import { isFinished } from '../../../shared/upload-states';

/** Seconds of history a rate looks back over. */
export const RATE_WINDOW_MS = 5000;

export interface Sample {
  /** ms since the epoch */
  t: number;
  /** bytes sent at that moment */
  b: number;
}

/** A job's progress state: parts already on S3, streams being read now, and its recent samples. */
export interface JobProgress {
  doneBytes: number;
  streams: Map<number, { readonly bytesRead: number }>;
  samples: Sample[];
}

export function newProgress(): JobProgress {
  return { doneBytes: 0, streams: new Map(), samples: [] };
}

/** Adds a sample and drops those older than the window (keeping at least two, so a rate stays defined). */
export function addSample(samples: Sample[], sample: Sample): Sample[] {
  samples.push(sample);
  while (samples.length > 2 && sample.t - samples[0]!.t > RATE_WINDOW_MS) samples.shift();
  return samples;
}

/** Bytes per second between the oldest and newest sample; 0 when undefined or going backwards. */
export function rateOf(samples: readonly Sample[]): number {
  if (samples.length < 2) return 0;
  const a = samples[0]!;
  const z = samples[samples.length - 1]!;
  const dt = (z.t - a.t) / 1000;
  return dt > 0 ? Math.max(0, (z.b - a.b) / dt) : 0;
}

/** Reads the open streams' positions into item.bytesSent; true when the number changed. */
export function sampleBytes(item: UploadItem, progress: JobProgress): boolean {
  let inFlight = 0;
  for (const st of progress.streams.values()) inFlight += st.bytesRead;
  const sent = Math.min(item.size, progress.doneBytes + inFlight);
  const changed = sent !== item.bytesSent;
  item.bytesSent = sent;
  return changed;
}

/** One tick for an uploading item: bytes sent, a new sample, rate and ETA. True when bytesSent changed. */
export function tickItem(item: UploadItem, progress: JobProgress, now: number): boolean {
  const changed = sampleBytes(item, progress);
  addSample(progress.samples, { t: now, b: item.bytesSent });
  const rate = rateOf(progress.samples);
  item.rate = rate;
  if (rate > 0) item.etaSeconds = Math.ceil((item.size - item.bytesSent) / rate);
  else delete item.etaSeconds;
  return changed;
}

export interface SnapshotInput {
  /** Every item, in the order they were queued. */
  items: Iterable<UploadItem>;
  batches: Iterable<{ id: string; grant: string; walking: boolean; hiddenSkipped?: number }>;
  /** Most items in the snapshot: unfinished ones first, then the most recently finished. */
  maxItems: number;
  /** The queue's overall samples; this snapshot's total is added to them. */
  overall: Sample[];
  now: number;
}

export function buildSnapshot(input: SnapshotInput): QueueSnapshot {
  const { maxItems, now } = input;
  const summaries = new Map<string, BatchSummary>();
  for (const b of input.batches) {
    summaries.set(b.id, { batchId: b.id, grant: b.grant, total: 0, done: 0, failed: 0, skipped: 0, cancelled: 0, refused: 0, hiddenSkipped: b.hiddenSkipped ?? 0, bytesTotal: 0, bytesSent: 0, finished: !b.walking });
  }
  let bytesTotal = 0;
  let bytesSent = 0;
  let count = 0;
  const items: UploadItem[] = [];
  const finished: UploadItem[] = [];
  for (const it of input.items) {
    count++;
    const s = summaries.get(it.batchId);
    if (s) {
      s.total++;
      if (it.state === 'done') s.done++;
      else if (it.state === 'failed') s.failed++;
      else if (it.state === 'skipped') s.skipped++;
      else if (it.state === 'cancelled') s.cancelled++;
      else if (it.state === 'refused') s.refused++;
      else s.finished = false;
      if (it.state !== 'refused') {
        s.bytesTotal += it.size;
        s.bytesSent += it.bytesSent;
      }
    }
    if (isFinished(it.state)) finished.push(it);
    else if (items.length < maxItems) items.push({ ...it });
  }
  for (const s of summaries.values()) {
    if (!s.finished) {
      bytesTotal += s.bytesTotal;
      bytesSent += s.bytesSent;
    }
  }
  // Fill the rest of the window with the most recently finished items.
  const room = Math.max(0, maxItems - items.length);
  const shownFinished = room >= finished.length ? finished : finished.slice(finished.length - room);
  const all = [...items, ...shownFinished.map((i) => ({ ...i }))];
  const omitted = count - all.length;
  addSample(input.overall, { t: now, b: bytesSent });
  const rate = rateOf(input.overall);
  return {
    items: all,
    batches: [...summaries.values()],
    bytesTotal,
    bytesSent,
    rate,
    ...(rate > 0 && bytesTotal > bytesSent ? { etaSeconds: Math.ceil((bytesTotal - bytesSent) / rate) } : {}),
    ...(omitted > 0 ? { omittedItems: omitted } : {}),
  };
}
