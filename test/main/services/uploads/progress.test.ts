// Progress arithmetic from plain data: no S3, no timers, no files.
import { addSample, buildSnapshot, newProgress, rateOf, RATE_WINDOW_MS, sampleBytes, tickItem, type Sample } from '../../../../main/services/uploads/progress';
import type { UploadItem } from '../../../../preload/contract';

function item(over: Partial<UploadItem> = {}): UploadItem {
  return { id: over.id ?? 'i', batchId: 'b1', grant: 'g', relativePath: 'a.txt', key: 'in/a.txt', size: 1000, bytesSent: 0, state: 'uploading', ...over };
}

describe('rateOf', () => {
  it('is bytes per second between the oldest and newest sample', () => {
    expect(rateOf([{ t: 0, b: 0 }, { t: 500, b: 100 }, { t: 2000, b: 4000 }])).toBe(2000);
  });
  it('is 0 with fewer than two samples, no elapsed time, or bytes going backwards', () => {
    expect(rateOf([])).toBe(0);
    expect(rateOf([{ t: 5, b: 10 }])).toBe(0);
    expect(rateOf([{ t: 5, b: 10 }, { t: 5, b: 90 }])).toBe(0);
    expect(rateOf([{ t: 0, b: 500 }, { t: 1000, b: 0 }])).toBe(0);
  });
});

describe('addSample', () => {
  it('drops samples older than the window but always keeps two', () => {
    const s: Sample[] = [];
    addSample(s, { t: 0, b: 0 });
    addSample(s, { t: RATE_WINDOW_MS + 1000, b: 10 });
    expect(s).toHaveLength(2);
    addSample(s, { t: RATE_WINDOW_MS + 2000, b: 20 });
    expect(s.map((x) => x.t)).toEqual([RATE_WINDOW_MS + 1000, RATE_WINDOW_MS + 2000]);
  });
});

describe('sampleBytes / tickItem', () => {
  it('adds finished parts and open stream positions, capped at the size, and says when it changed', () => {
    const it = item();
    const p = newProgress();
    p.doneBytes = 300;
    p.streams.set(2, { bytesRead: 200 });
    p.streams.set(3, { bytesRead: 100 });
    expect(sampleBytes(it, p)).toBe(true);
    expect(it.bytesSent).toBe(600);
    expect(sampleBytes(it, p)).toBe(false);
    p.streams.set(4, { bytesRead: 10_000 });
    sampleBytes(it, p);
    expect(it.bytesSent).toBe(1000);
  });

  it('gives a rate and ETA from the samples, and drops the ETA when nothing moves', () => {
    const it = item();
    const p = newProgress();
    tickItem(it, p, 0);
    expect(it.rate).toBe(0);
    expect(it.etaSeconds).toBeUndefined();
    p.doneBytes = 250;
    tickItem(it, p, 1000);
    expect(it.rate).toBe(250);
    expect(it.etaSeconds).toBe(3);
    tickItem(it, p, 1000 + RATE_WINDOW_MS + 1);
    tickItem(it, p, 1000 + RATE_WINDOW_MS + 2);
    expect(it.rate).toBe(0);
    expect(it.etaSeconds).toBeUndefined();
  });
});

describe('buildSnapshot', () => {
  it('sums each batch, leaves refused bytes out, and counts overall progress only for unfinished batches', () => {
    const items = [
      item({ id: '1', state: 'done', size: 100, bytesSent: 100 }),
      item({ id: '2', state: 'uploading', size: 300, bytesSent: 150 }),
      item({ id: '3', state: 'refused', size: 5000 }),
      item({ id: '4', batchId: 'b2', state: 'done', size: 40, bytesSent: 40 }),
    ];
    const snap = buildSnapshot({
      items,
      batches: [
        { id: 'b1', grant: 'g', walking: false, hiddenSkipped: 2 },
        { id: 'b2', grant: 'g', walking: false },
      ],
      maxItems: 10,
      overall: [],
      now: 0,
    });
    expect(snap.batches).toEqual([
      { batchId: 'b1', grant: 'g', total: 3, done: 1, failed: 0, skipped: 0, cancelled: 0, refused: 1, hiddenSkipped: 2, bytesTotal: 400, bytesSent: 250, finished: false },
      { batchId: 'b2', grant: 'g', total: 1, done: 1, failed: 0, skipped: 0, cancelled: 0, refused: 0, hiddenSkipped: 0, bytesTotal: 40, bytesSent: 40, finished: true },
    ]);
    expect([snap.bytesTotal, snap.bytesSent]).toEqual([400, 250]);
    expect(snap.omittedItems).toBeUndefined();
    expect(snap.items.map((i) => i.id)).toEqual(['2', '1', '3', '4']);
  });

  it('a batch still being walked is unfinished even when every item so far is done', () => {
    const snap = buildSnapshot({ items: [item({ state: 'done', bytesSent: 1000 })], batches: [{ id: 'b1', grant: 'g', walking: true }], maxItems: 10, overall: [], now: 0 });
    expect(snap.batches[0]!.finished).toBe(false);
    expect(snap.bytesSent).toBe(1000);
  });

  it('windows the items: unfinished first, then the most recently finished, and counts the rest', () => {
    const items = [
      ...Array.from({ length: 5 }, (_, i) => item({ id: `f${i}`, state: 'done' })),
      ...Array.from({ length: 3 }, (_, i) => item({ id: `q${i}`, state: 'queued' })),
    ];
    const snap = buildSnapshot({ items, batches: [], maxItems: 5, overall: [], now: 0 });
    expect(snap.items.map((i) => i.id)).toEqual(['q0', 'q1', 'q2', 'f3', 'f4']);
    expect(snap.omittedItems).toBe(3);
    const tight = buildSnapshot({ items, batches: [], maxItems: 2, overall: [], now: 0 });
    expect(tight.items.map((i) => i.id)).toEqual(['q0', 'q1']);
    expect(tight.omittedItems).toBe(6);
  });

  it('copies items, so a snapshot does not change under a listener', () => {
    const it = item({ state: 'uploading', bytesSent: 1 });
    const snap = buildSnapshot({ items: [it], batches: [], maxItems: 10, overall: [], now: 0 });
    it.bytesSent = 999;
    expect(snap.items[0]!.bytesSent).toBe(1);
  });

  it('gives an overall rate and ETA from the samples it keeps across snapshots', () => {
    const overall: Sample[] = [];
    const batches = [{ id: 'b1', grant: 'g', walking: false }];
    const first = buildSnapshot({ items: [item({ bytesSent: 0 })], batches, maxItems: 10, overall, now: 0 });
    expect(first.rate).toBe(0);
    expect(first.etaSeconds).toBeUndefined();
    const second = buildSnapshot({ items: [item({ bytesSent: 400 })], batches, maxItems: 10, overall, now: 2000 });
    expect(second.rate).toBe(200);
    expect(second.etaSeconds).toBe(3);
    expect(overall).toHaveLength(2);
  });
});
