// Which queued job starts next. Requests in flight are bounded by files × partsPerFile "slots": a multipart file
// takes partsPerFile of them (and at most `files` such files run), a single-PUT file takes one. So a folder of
// small files runs 16 at a time by default (per-request latency, not bandwidth, limits those), while big files
// still share the line `files` at a time. FIFO: a big file at the head waits for its slots. The limits come from
// one ConcurrencyLimits object, read at every decision, so whoever owns it may change them between pumps.
// Knows nothing of S3: it starts `run(job)` and gives the slots back when that promise settles.

export interface ConcurrencyLimits {
  /** Multipart files at once. */
  readonly files: number;
  /** Parts in flight per multipart file. */
  readonly partsPerFile: number;
}

export function fixedLimits(files = 4, partsPerFile = 4): ConcurrencyLimits {
  return { files, partsPerFile };
}

/**
 * Limits that follow the adaptive controller: `files` × `partsPerFile` slots ≈ its limit plus one per file, so a
 * few more jobs run than requests may fly — each has its next request (a small file already read, a part's checksum
 * done) waiting at the request gate the moment a turn frees up. The gate, not these slots, bounds requests.
 */
export function adaptiveLimits(files: number, controller: { readonly limit: number }): ConcurrencyLimits {
  return {
    files,
    get partsPerFile() {
      return Math.ceil(controller.limit / files) + 1;
    },
  };
}

/** Request slots in all: a multipart file takes partsPerFile, a single PUT one. */
export function totalSlots(limits: ConcurrencyLimits): number {
  return limits.files * limits.partsPerFile;
}

export interface SchedulerHooks<J> {
  /** Still waiting to run (a job cancelled while queued is dropped when it reaches the head). */
  isQueued(job: J): boolean;
  /** Sent in parts (takes partsPerFile slots). */
  isLarge(job: J): boolean;
  run(job: J): Promise<void>;
  /** After a run has given its slots back (and, if queued again, gone back to the head of the line). */
  ended(job: J): void;
}

export class Scheduler<J> {
  private readonly pending: J[] = [];
  private readonly runs = new Map<J, Promise<void>>();
  private slotsUsed = 0;
  private largeRunning = 0;
  private stopped = false;

  constructor(
    private readonly limits: ConcurrencyLimits,
    private readonly hooks: SchedulerHooks<J>,
  ) {}

  enqueue(job: J, front = false): void {
    if (front) this.pending.unshift(job);
    else this.pending.push(job);
  }

  /** Takes a job out of the line (not one that is running). */
  remove(job: J): void {
    const idx = this.pending.indexOf(job);
    if (idx >= 0) this.pending.splice(idx, 1);
  }

  clearPending(): void {
    this.pending.length = 0;
  }

  /** No job starts after this. */
  stop(): void {
    this.stopped = true;
    this.pending.length = 0;
  }

  /** The promise of the job's current run, if it is running. */
  runOf(job: J): Promise<void> | undefined {
    return this.runs.get(job);
  }

  /** Jobs with a run in progress. */
  running(): IterableIterator<J> {
    return this.runs.keys();
  }

  /** Something is queued or running. */
  busy(): boolean {
    return this.runs.size > 0 || this.pending.length > 0;
  }

  usage(): { slotsUsed: number; largeRunning: number; running: number; pending: number } {
    return { slotsUsed: this.slotsUsed, largeRunning: this.largeRunning, running: this.runs.size, pending: this.pending.length };
  }

  /** Starts queued jobs, in order, while their slots are free. */
  pump(): void {
    while (!this.stopped && this.pending.length) {
      const job = this.pending[0]!;
      if (!this.hooks.isQueued(job)) {
        this.pending.shift();
        continue;
      }
      const large = this.hooks.isLarge(job);
      const cost = large ? this.limits.partsPerFile : 1;
      if (this.slotsUsed + cost > totalSlots(this.limits) || (large && this.largeRunning >= this.limits.files)) break;
      this.pending.shift();
      this.slotsUsed += cost;
      if (large) this.largeRunning++;
      const run = this.hooks.run(job).finally(() => {
        this.runs.delete(job);
        this.slotsUsed -= cost;
        if (large) this.largeRunning--;
        // Sent again at once (an automatic conflict choice): ahead of the rest.
        if (this.hooks.isQueued(job)) this.pending.unshift(job);
        this.hooks.ended(job);
      });
      this.runs.set(job, run);
    }
  }
}
