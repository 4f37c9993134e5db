// How many upload requests may be in flight, decided from what the requests themselves report. Pure logic: it is
// fed completions (bytes, latency, how many were in flight) and congestion signals with the time they happened,
// and owns no timer, socket or file — so it is tested with synthetic series.
//
// The policy, per measuring window (at least windowMs and enough completions to mean something):
// - start modest (8) and grow while it pays: per window at first (slow start) ×2 while requests take no longer than
//   at the start, ×1.5 on a throughput rise alone; +1/8 after the first plateau or back-off;
// - grow when throughput rose ≥ 10 % since the last window, OR when requests take no longer than 1.5 × the
//   fastest window seen: then the round trip, not the bandwidth, is the limit, so more requests in flight (more
//   parts of a large file, more small files) multiply throughput;
// - hold when throughput is flat and latency has risen, or whenever requests take over twice the fastest window's
//   time (the link or the server is full: more in flight only queues);
//   step back to the previous limit if a raise cost ≥ 40 % of throughput while latency rose;
// - back off multiplicatively (× 0.5) on 503 SlowDown, RequestTimeout and connection resets, at most once per
//   window (one storm is one signal, not one per failed request), then hold for two windows;
// - "the fastest window" is kept per request size (sizeClass): small files and large parts are never compared;
// - learn nothing from a window in which demand never reached the limit (too few files left to fill it), nor from
//   requests sent before the last change;
// - stay within [min, max]; max comes from the `uploads.maxConcurrency` setting. Memory is capped where requests
//   are admitted (request-gate.ts), which knows each request's size.

export type Congestion = 'slow-down' | 'timeout' | 'reset';

export interface ControllerOptions {
  initial?: number;
  min?: number;
  max: number;
  windowMs?: number;
}

export interface Completion {
  /** When it finished (ms, any monotonic clock). */
  now: number;
  bytes: number;
  latencyMs: number;
  /** Requests in flight when it finished, itself included. */
  inFlight: number;
}

export interface LimitChange {
  /** ms since the controller was created. */
  t: number;
  limit: number;
  reason: 'start' | 'grow' | 'latency-bound' | 'revert' | Congestion;
}

/** One closed measuring window, as the controller saw it (for the benchmark's trace and for tests). */
export interface WindowRecord {
  /** ms since the controller was created, when the window closed. */
  t: number;
  limit: number;
  /** Bytes per ms (= KB/s) over the window. */
  throughput: number;
  latencyMs: number;
  maxInFlight: number;
}

export const DEFAULT_INITIAL_CONCURRENCY = 8;
export const DEFAULT_MAX_CONCURRENCY = 64;
const MAX_HISTORY = 2000;

export class ConcurrencyController {
  readonly min: number;
  readonly max: number;
  private readonly windowMs: number;
  private current: number;
  private slowStart = true;
  private origin: number | undefined;
  // the open window
  private winStart: number | undefined;
  private winBytes = 0;
  private winCount = 0;
  private winLatency = 0;
  private winMaxInFlight = 0;
  // what earlier windows saw
  private lastTput: number | undefined;
  /** Fastest window's mean request time, per request-size class (see sizeClass). */
  private readonly minLatency = new Map<number, number>();
  private previousLimit: number | undefined;
  private tputBeforeRaise: number | undefined;
  private holdUntil = -Infinity;
  private changedAt = -Infinity;
  private lastCut = -Infinity;
  private readonly changes: LimitChange[] = [];
  private readonly windowLog: WindowRecord[] = [];

  constructor(options: ControllerOptions) {
    this.max = Math.max(1, Math.floor(options.max));
    this.min = Math.min(this.max, Math.max(1, Math.floor(options.min ?? 2)));
    this.windowMs = options.windowMs ?? 500;
    this.current = clamp(options.initial ?? DEFAULT_INITIAL_CONCURRENCY, this.min, this.max);
  }

  /** Requests that may be in flight now. */
  get limit(): number {
    return this.current;
  }

  /** Every change of the limit (bounded), for the benchmark's "concurrency over time" and for tests. */
  history(): readonly LimitChange[] {
    return this.changes;
  }

  /** Every closed measuring window (bounded): throughput, latency and demand behind each decision. */
  windows(): readonly WindowRecord[] {
    return this.windowLog;
  }

  /** Lowest limit since `since` (ms on the controller's clock, as in history()). */
  lowestSince(since: number): number {
    let low = Infinity;
    let before = this.changes.length ? this.changes[0]!.limit : this.current;
    for (const c of this.changes) {
      if (c.t < since) before = c.limit;
      else low = Math.min(low, c.limit);
    }
    return Math.min(low, before);
  }

  completed(c: Completion): void {
    this.startClock(c.now);
    // Only requests sent under the current limit say anything about it.
    if (c.now - c.latencyMs < this.changedAt) return;
    if (this.winStart === undefined) this.winStart = c.now - c.latencyMs;
    this.winBytes += c.bytes;
    this.winCount++;
    this.winLatency += c.latencyMs;
    this.winMaxInFlight = Math.max(this.winMaxInFlight, c.inFlight);
    const elapsed = c.now - this.winStart;
    // A quarter of the limit: large parts complete seldom (seconds each on a slow link), and waiting for half of
    // them would stretch each window over several round trips of a part.
    const enough = this.winCount >= Math.max(3, Math.ceil(this.current / 4));
    if ((elapsed >= this.windowMs && enough) || elapsed >= this.windowMs * 10) this.closeWindow(c.now, elapsed);
  }

  /** A request failed in a way that says "too much": 503 SlowDown, RequestTimeout, a connection reset. */
  congested(now: number, kind: Congestion): void {
    this.startClock(now);
    // One cut per window: a storm fails many requests at once, and they all say the same thing.
    if (now - this.lastCut < this.windowMs) return;
    this.lastCut = now;
    this.slowStart = false;
    this.previousLimit = undefined;
    this.set(now, Math.floor(this.current / 2), kind);
    this.holdUntil = now + 2 * this.windowMs;
    this.resetWindow();
    // Throughput measured before the cut is no yardstick for after it.
    this.lastTput = undefined;
  }

  private closeWindow(now: number, elapsed: number): void {
    const tput = this.winBytes / Math.max(1, elapsed);
    const latency = this.winLatency / this.winCount;
    const size = sizeClass(this.winBytes / this.winCount);
    const saturated = this.winMaxInFlight >= Math.max(1, Math.floor(this.current * 0.9));
    this.windowLog.push({ t: now - (this.origin ?? now), limit: this.current, throughput: tput, latencyMs: latency, maxInFlight: this.winMaxInFlight });
    if (this.windowLog.length > MAX_HISTORY) this.windowLog.splice(0, this.windowLog.length - MAX_HISTORY);
    this.resetWindow();
    // A 20 KiB PUT and an 8 MiB part take very different times for the same reason (the round trip): each is
    // judged against the fastest window of requests its size, so a batch that moves from small files to a large
    // one does not read the large parts' longer requests as queueing.
    // The very first window is its own yardstick (as slow start has always assumed); a later first window of a new
    // size says nothing yet about its latency: neither "latency-bound" nor "queueing".
    const known = this.minLatency.get(size) ?? (this.minLatency.size === 0 ? latency : undefined);
    const minLatency = Math.min(known ?? Infinity, latency);
    this.minLatency.set(size, minLatency);
    if (now < this.holdUntil || !saturated) {
      if (saturated) this.lastTput = tput;
      return;
    }
    const last = this.lastTput;
    this.lastTput = tput;
    // A raise is judged by the one window after it.
    const back = this.previousLimit;
    this.previousLimit = undefined;
    if (back !== undefined && this.tputBeforeRaise !== undefined && tput < this.tputBeforeRaise * 0.6 && latency > minLatency * 1.5) {
      // The last raise hurt — throughput fell by 40 % while requests queued (a dip alone is noise on a shared
      // machine or link): go back and stop probing upward for a while.
      this.slowStart = false;
      this.set(now, back, 'revert');
      this.holdUntil = now + 4 * this.windowMs;
      return;
    }
    const rising = last !== undefined && tput >= last * 1.1;
    const latencyBound = known !== undefined && latency <= minLatency * 1.5;
    // Requests taking over twice the fastest window's time are mostly queueing at a full server or link: a
    // throughput "rise" then is noise, and more in flight would only lengthen the queue (and hold more memory).
    const queueing = known !== undefined && latency > minLatency * 2;
    if (queueing || (!rising && !latencyBound)) {
      this.slowStart = false;
      return;
    }
    if (this.current >= this.max) return;
    // Slow start doubles while requests take no longer than at the start (as TCP's does per round trip): the round
    // trip is then clearly the limit; a throughput rise alone grows ×1.5.
    const next = this.slowStart ? Math.ceil(this.current * (latencyBound ? 2 : 1.5)) : this.current + Math.max(1, Math.ceil(this.current / 8));
    this.previousLimit = this.current;
    this.tputBeforeRaise = tput;
    this.set(now, next, rising ? 'grow' : 'latency-bound');
  }

  private set(now: number, limit: number, reason: LimitChange['reason']): void {
    const next = clamp(limit, this.min, this.max);
    if (next === this.current) return;
    this.current = next;
    this.changedAt = now;
    this.resetWindow();
    this.changes.push({ t: now - (this.origin ?? now), limit: next, reason });
    if (this.changes.length > MAX_HISTORY) this.changes.splice(1, this.changes.length - MAX_HISTORY);
  }

  private startClock(now: number): void {
    if (this.origin !== undefined) return;
    this.origin = now;
    this.changes.push({ t: 0, limit: this.current, reason: 'start' });
  }

  private resetWindow(): void {
    this.winStart = undefined;
    this.winBytes = 0;
    this.winCount = 0;
    this.winLatency = 0;
    this.winMaxInFlight = 0;
  }
}

/**
 * Request sizes in classes a factor of 16 apart: coarse enough that one kind of request stays in one class (20 KiB
 * files and the odd 12 KiB one), fine enough to part small files (class 3) from 8 MiB parts (class 5).
 */
function sizeClass(bytes: number): number {
  return Math.floor(Math.log2(Math.max(1, bytes)) / 4);
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(n)));
}

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Whether a failed request says "slow down" (and how), as opposed to a plain failure. */
export function congestionOf(e: unknown): Congestion | undefined {
  const err = e as ErrorLike | undefined;
  if (!err || err.name === 'AbortError') return undefined;
  const status = err.$metadata?.httpStatusCode;
  if (err.name === 'SlowDown' || err.name === 'Throttling' || err.name === 'ThrottlingException' || status === 503 || status === 429) return 'slow-down';
  if (err.name === 'RequestTimeout' || err.name === 'RequestTimeoutException' || err.name === 'TimeoutError' || err.code === 'ETIMEDOUT') return 'timeout';
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || (status === undefined && /socket hang up|ECONNRESET|EPIPE|other side closed/i.test(err.message ?? ''))) return 'reset';
  return undefined;
}
