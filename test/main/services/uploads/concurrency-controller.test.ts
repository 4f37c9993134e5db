// The adaptive concurrency controller against synthetic links: a model says what throughput and latency a given
// number of requests in flight gets, and the controller is fed the completions that model produces.
import { ConcurrencyController, congestionOf } from '../../../../main/services/uploads/concurrency-controller';

const KIB = 1024;

interface Link {
  /** bytes per ms and latency (ms) with `inFlight` requests in flight. */
  (inFlight: number): { bytesPerMs: number; latencyMs: number };
}

/** Round trip `rttMs`, each request `bytes`: latency-bound until `capacity` bytes/ms, then requests queue. */
function link(rttMs: number, bytes: number, capacityBytesPerMs: number): Link {
  return (n) => {
    const unlimited = (n * bytes) / rttMs;
    if (unlimited <= capacityBytesPerMs) return { bytesPerMs: unlimited, latencyMs: rttMs };
    // Beyond the knee, throughput is flat and every extra request only waits (Little's law).
    return { bytesPerMs: capacityBytesPerMs, latencyMs: (n * bytes) / capacityBytesPerMs };
  };
}

/** Feeds `periods` periods of `periodMs` of completions; `demand` caps how many requests the engine has. */
function run(
  c: ConcurrencyController,
  model: Link,
  opts: { periods: number; periodMs?: number; start?: number; demand?: number; bytes?: number; wobble?: (period: number) => number },
): number[] {
  const periodMs = opts.periodMs ?? 600;
  const bytes = opts.bytes ?? 20 * KIB;
  let now = opts.start ?? 0;
  const limits: number[] = [];
  for (let p = 0; p < opts.periods; p++) {
    const count = Math.max(4, Math.round((model(Math.min(c.limit, opts.demand ?? Infinity)).bytesPerMs * periodMs) / bytes));
    for (let i = 1; i <= count; i++) {
      // The link answers with what is in flight right now (the limit may have moved within the period).
      const inFlight = Math.min(c.limit, opts.demand ?? Infinity);
      const { bytesPerMs, latencyMs } = model(inFlight);
      // Measurement noise: this period's throughput off by a factor.
      const noise = opts.wobble?.(p) ?? 1;
      c.completed({ now: now + (periodMs * i) / count, bytes: (bytesPerMs * noise * periodMs) / count, latencyMs, inFlight });
    }
    now += periodMs;
    limits.push(c.limit);
  }
  return limits;
}

it('starts modest', () => {
  expect(new ConcurrencyController({ max: 64 }).limit).toBe(8);
  expect(new ConcurrencyController({ max: 4 }).limit).toBe(4);
});

it('grows to the ceiling when latency, not bandwidth, is the limit (80 ms round trips, plenty of bandwidth)', () => {
  const c = new ConcurrencyController({ max: 64 });
  const limits = run(c, link(80, 20 * KIB, 1e9), { periods: 30 });
  expect(limits.at(-1)).toBe(64);
  // Grew step by step, never jumped past the ceiling, never shrank.
  for (let i = 1; i < limits.length; i++) expect(limits[i]).toBeGreaterThanOrEqual(limits[i - 1]!);
  expect(c.history().some((h) => h.reason === 'latency-bound')).toBe(true);
});

it('stops growing near the knee when the link is full (more in flight would only queue)', () => {
  // 20 KiB requests at 80 ms: the knee is at 16 in flight (4 KiB/ms capacity).
  const c = new ConcurrencyController({ max: 128 });
  const limits = run(c, link(80, 20 * KIB, 4 * KIB), { periods: 60 });
  const final = limits.at(-1)!;
  expect(final).toBeGreaterThanOrEqual(16);
  expect(final).toBeLessThanOrEqual(40);
  // And it settled: the last twenty periods did not climb.
  expect(new Set(limits.slice(-20)).size).toBe(1);
});

it('does not grow on a noisy throughput rise while requests mostly queue (over twice the fastest latency)', () => {
  // A full server: past 12 in flight each request waits longer (Little's law), while the measured throughput
  // wobbles ±15 % from window to window — every other window looks like a 10 % "rise".
  const full: Link = (n) => {
    if (n <= 12) return { bytesPerMs: (n * 8 * 1024 * KIB) / 1500, latencyMs: 1500 };
    return { bytesPerMs: (12 * 8 * 1024 * KIB) / 1500, latencyMs: (1500 * n) / 12 };
  };
  const c = new ConcurrencyController({ max: 64 });
  const limits = run(c, full, { periods: 40, periodMs: 1600, bytes: 8 * 1024 * KIB, wobble: (p) => (p % 2 ? 1.15 : 0.95) });
  // Slow start may overshoot the knee once (doubling 8 → 16 → 32 while latency is within 1.5× of the start), then
  // the queueing holds it there: no noise-driven climb to the ceiling.
  expect(Math.max(...limits)).toBeLessThanOrEqual(32);
  expect(new Set(limits.slice(-20)).size).toBe(1);
  // Every decision's window is on record for the benchmark's trace.
  expect(c.windows().length).toBeGreaterThan(10);
  expect(c.windows().every((w) => w.throughput > 0 && w.latencyMs > 0)).toBe(true);
});

it('judges large parts against large parts: a few small files first do not make a long round trip look like queueing', () => {
  // A batch of three small documents and one large video, 80 ms away: the small files' requests take 80 ms; the
  // video's 8 MiB parts take 1.5 s each over a connection's window, however many fly (plenty of bandwidth).
  const c = new ConcurrencyController({ max: 64 });
  run(c, () => ({ bytesPerMs: (3 * 20 * KIB) / 80, latencyMs: 80 }), { periods: 3, demand: 3 });
  expect(c.limit).toBe(8);
  const parts: Link = (n) => ({ bytesPerMs: (n * 8 * 1024 * KIB) / 1500, latencyMs: 1500 });
  const limits = run(c, parts, { periods: 20, periodMs: 1600, bytes: 8 * 1024 * KIB, start: 3 * 600 });
  expect(limits.at(-1)).toBe(64);
});

it('backs off multiplicatively on SlowDown, once per window, and holds before growing again', () => {
  const c = new ConcurrencyController({ max: 64, windowMs: 500 });
  run(c, link(80, 20 * KIB, 1e9), { periods: 30 });
  expect(c.limit).toBe(64);
  // A storm: twenty requests fail within 100 ms — one signal, one cut.
  for (let i = 0; i < 20; i++) c.congested(18_000 + i * 5, 'slow-down');
  expect(c.limit).toBe(32);
  // Still storming in the next window: cut again.
  c.congested(18_600, 'slow-down');
  expect(c.limit).toBe(16);
  c.congested(19_200, 'reset');
  c.congested(19_800, 'timeout');
  expect(c.limit).toBe(4);
  expect(c.history().slice(-4).map((h) => h.reason)).toEqual(['slow-down', 'slow-down', 'reset', 'timeout']);
  expect(c.lowestSince(18_000)).toBe(4);
  // Right after the last cut: held (two windows), then growing additively, not doubling.
  const after = run(c, link(80, 20 * KIB, 1e9), { periods: 12, start: 19_800 });
  expect(after[0]).toBe(4);
  expect(after.at(-1)!).toBeGreaterThan(4);
  const regrowth = c.history().filter((h) => h.t > 19_800);
  expect(regrowth.length).toBeGreaterThan(0);
  let prev = 4;
  for (const h of regrowth) {
    expect(h.limit - prev).toBeLessThanOrEqual(Math.max(1, Math.ceil(prev / 8)));
    prev = h.limit;
  }
});

it('never goes below min or above max', () => {
  const c = new ConcurrencyController({ max: 10, min: 3 });
  for (let t = 0; t < 10_000; t += 600) c.congested(t, 'slow-down');
  expect(c.limit).toBe(3);
  run(c, link(80, 20 * KIB, 1e9), { periods: 80, start: 20_000 });
  expect(c.limit).toBe(10);
  const one = new ConcurrencyController({ max: 1 });
  run(one, link(80, 20 * KIB, 1e9), { periods: 10 });
  expect(one.limit).toBe(1);
});

it('learns nothing while demand stays below the limit (the last few files of a batch)', () => {
  const c = new ConcurrencyController({ max: 64 });
  const limits = run(c, link(80, 20 * KIB, 1e9), { periods: 20, demand: 3 });
  expect(limits.every((l) => l === 8)).toBe(true);
});

it('steps back when a raise made throughput worse', () => {
  // A server that collapses past 12 in flight (throughput halves), with latency rising.
  const collapsing: Link = (n) => (n <= 12 ? { bytesPerMs: (n * 20 * KIB) / 80, latencyMs: 80 } : { bytesPerMs: (6 * 20 * KIB) / 80, latencyMs: 400 });
  const c = new ConcurrencyController({ max: 64 });
  const limits = run(c, collapsing, { periods: 30 });
  expect(c.history().some((h) => h.reason === 'revert')).toBe(true);
  // After the first collapse it probes one step past the knee now and then, and comes straight back.
  const settled = limits.slice(10);
  expect(Math.max(...settled)).toBeLessThanOrEqual(13);
  expect(settled.filter((l) => l <= 12).length).toBeGreaterThan(settled.length / 2);
});

it('tells congestion from other failures', () => {
  expect(congestionOf({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } })).toBe('slow-down');
  expect(congestionOf({ name: 'Unknown', $metadata: { httpStatusCode: 503 } })).toBe('slow-down');
  expect(congestionOf({ name: 'RequestTimeout', $metadata: { httpStatusCode: 400 } })).toBe('timeout');
  expect(congestionOf(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe('reset');
  expect(congestionOf(new Error('socket hang up'))).toBe('reset');
  expect(congestionOf({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).toBeUndefined();
  expect(congestionOf({ name: 'InternalError', $metadata: { httpStatusCode: 500 } })).toBeUndefined();
  expect(congestionOf({ name: 'AbortError' })).toBeUndefined();
});
