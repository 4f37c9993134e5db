// Where every upload request (PutObject, UploadPart — each attempt) waits for its turn: at most the controller's
// limit in flight, and the bodies in flight within a memory budget (each request reserves the memory its body
// holds: all of it when read into memory, two read-buffer chunks when streamed — transfer.ts bodyMemory). FIFO, so
// no file starves. Each finished request reports back (bytes and latency, or the error) so the controller can
// adapt; a request waiting here holds no socket and no file handle, and one backing off between retries gives its
// turn away.
import { congestionOf, type ConcurrencyController } from './concurrency-controller';

/** Memory of the bodies in flight at once, bytes (see docs/uploads.md). */
export const DEFAULT_MEMORY_BUDGET = 128 * 1024 * 1024;

export interface Ticket {
  /** The request ended: `error` undefined on success. Call exactly once. */
  done(error?: unknown): void;
}

interface Waiter {
  bytes: number;
  memory: number;
  resolve(t: Ticket): void;
  reject(e: unknown): void;
  signal: AbortSignal;
  onAbort(): void;
}

export class RequestGate {
  private inFlight = 0;
  private reserved = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    readonly controller: ConcurrencyController,
    private readonly memoryBudget = DEFAULT_MEMORY_BUDGET,
    private readonly now: () => number = () => performance.now(),
  ) {}

  usage(): { inFlight: number; reserved: number; waiting: number; limit: number } {
    return { inFlight: this.inFlight, reserved: this.reserved, waiting: this.waiters.length, limit: this.controller.limit };
  }

  /**
   * Waits until a request of `bytes` may be sent, reserving `memory` of the budget (default: all its bytes);
   * rejects with the signal's reason if aborted while waiting. The controller learns from `bytes`.
   */
  acquire(bytes: number, signal: AbortSignal, memory = bytes): Promise<Ticket> {
    signal.throwIfAborted();
    if (!this.waiters.length && this.fits(memory)) return Promise.resolve(this.admit(bytes, memory));
    return new Promise<Ticket>((resolve, reject) => {
      const w: Waiter = {
        bytes,
        memory,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal.reason);
          this.dispatch();
        },
      };
      signal.addEventListener('abort', w.onAbort, { once: true });
      this.waiters.push(w);
    });
  }

  private fits(memory: number): boolean {
    if (this.inFlight >= this.controller.limit) return false;
    // One request always fits, however big, so a body bigger than the budget still goes (alone).
    return this.inFlight === 0 || this.reserved + memory <= this.memoryBudget;
  }

  private admit(bytes: number, memory: number): Ticket {
    this.inFlight++;
    this.reserved += memory;
    const started = this.now();
    let ended = false;
    return {
      done: (error?: unknown) => {
        if (ended) return;
        ended = true;
        const now = this.now();
        const inFlight = this.inFlight;
        this.inFlight--;
        this.reserved -= memory;
        if (error === undefined) this.controller.completed({ now, bytes, latencyMs: now - started, inFlight });
        else {
          const kind = congestionOf(error);
          if (kind) this.controller.congested(now, kind);
        }
        this.dispatch();
      },
    };
  }

  private dispatch(): void {
    // Each turn admits or stops; bounded by the waiters.
    while (this.waiters.length && this.fits(this.waiters[0]!.memory)) {
      const w = this.waiters.shift()!;
      w.signal.removeEventListener('abort', w.onAbort);
      w.resolve(this.admit(w.bytes, w.memory));
    }
  }
}
