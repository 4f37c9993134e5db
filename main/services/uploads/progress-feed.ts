// When progress reaches listeners. Sampled, not pushed: while anyone listens, a tick (250 ms by default) reads the running
// jobs' stream positions (progress.ts) and, if anything changed, sends one snapshot — so progress costs nothing
// per chunk and listeners get at most 4 snapshots a second however many files move. The timer stops when idle.
import type { Unsubscribe } from '../services';
import type { Batch, Job } from './job';
import { buildSnapshot, sampleBytes, tickItem, type Sample } from './progress';
import type { QueueSnapshot } from '../../../preload/contract';

export interface FeedSource {
  /** Every job, in queue order. */
  jobs(): Iterable<Job>;
  batches(): Iterable<Batch>;
  /** Jobs with a run in progress. */
  running(): Iterable<Job>;
  busy(): boolean;
  /** The queue holds until the person signs in again. */
  waitingForSignIn?(): boolean;
}

function* itemsOf(jobs: Iterable<Job>) {
  for (const j of jobs) yield j.item;
}

export class ProgressFeed {
  private readonly listeners = new Set<(s: QueueSnapshot) => void>();
  private readonly overall: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;

  constructor(
    private readonly source: FeedSource,
    private readonly intervalMs = 250,
    private readonly maxItemsPerEvent = 1000,
  ) {}

  /** Something changed that listeners should see. */
  touch(): void {
    this.dirty = true;
    this.ensureTimer();
  }

  subscribe(listener: (snapshot: QueueSnapshot) => void): Unsubscribe {
    this.listeners.add(listener);
    this.ensureTimer();
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Every item, sampled now. */
  snapshot(): QueueSnapshot {
    for (const job of this.source.running()) if (job.item.state === 'uploading' && sampleBytes(job.item, job.progress)) this.dirty = true;
    return this.build(Infinity, Date.now());
  }

  ensureTimer(): void {
    if (this.timer || this.listeners.size === 0) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private build(maxItems: number, now: number): QueueSnapshot {
    const snapshot = buildSnapshot({ items: itemsOf(this.source.jobs()), batches: this.source.batches(), maxItems, overall: this.overall, now });
    return this.source.waitingForSignIn?.() ? { ...snapshot, waitingForSignIn: true } : snapshot;
  }

  private tick(): void {
    const now = Date.now();
    let moving = false;
    for (const job of this.source.running()) {
      if (job.item.state !== 'uploading') continue;
      moving = true;
      if (tickItem(job.item, job.progress, now)) this.dirty = true;
    }
    if (this.dirty && this.listeners.size) {
      this.dirty = false;
      const snap = this.build(this.maxItemsPerEvent, now);
      for (const l of this.listeners) {
        try {
          l(snap);
        } catch {
          // A listener's failure is its own.
        }
      }
    }
    if (!moving && !this.dirty && !this.source.busy() && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
