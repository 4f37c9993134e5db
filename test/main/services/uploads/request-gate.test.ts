// The request gate: requests in flight within the controller's limit and bodies within the memory budget, FIFO,
// abortable while waiting, and every outcome reported to the controller.
import { ConcurrencyController } from '../../../../main/services/uploads/concurrency-controller';
import { RequestGate, type Ticket } from '../../../../main/services/uploads/request-gate';
import { bodyMemory, FEW_IN_FLIGHT, SINGLE_READ_MAX, STREAM_CHUNK, STREAM_CHUNK_FEW, streamChunk } from '../../../../main/services/uploads/transfer';

const MIB = 1024 * 1024;
const never = new AbortController().signal;

it('admits up to the limit, then in arrival order as turns free up', async () => {
  const gate = new RequestGate(new ConcurrencyController({ max: 2, initial: 2 }), 1000 * MIB);
  const order: number[] = [];
  const tickets = await Promise.all([gate.acquire(1, never), gate.acquire(1, never)]);
  const waiting = [3, 4, 5].map((n) => gate.acquire(1, never).then((t) => (order.push(n), t)));
  await Promise.resolve();
  expect(gate.usage()).toMatchObject({ inFlight: 2, waiting: 3 });
  tickets[0]!.done();
  const t3 = await waiting[0]!;
  expect(order).toEqual([3]);
  tickets[1]!.done();
  t3.done();
  await Promise.all(waiting.slice(1)).then((ts) => ts.forEach((t) => t.done()));
  expect(order).toEqual([3, 4, 5]);
  expect(gate.usage()).toMatchObject({ inFlight: 0, reserved: 0, waiting: 0 });
});

it('keeps parts in flight × part size within the memory budget (one part always goes)', async () => {
  const gate = new RequestGate(new ConcurrencyController({ max: 64, initial: 64 }), 32 * MIB);
  const admitted: Ticket[] = [];
  const all = Array.from({ length: 10 }, () => gate.acquire(8 * MIB, never).then((t) => admitted.push(t)));
  await new Promise((r) => setImmediate(r));
  expect(admitted).toHaveLength(4);
  expect(gate.usage().reserved).toBe(32 * MIB);
  admitted[0]!.done();
  await new Promise((r) => setImmediate(r));
  expect(admitted).toHaveLength(5);
  for (let i = 1; i < 10; i++) {
    admitted[i]!.done();
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(all);
  // A body bigger than the whole budget still goes when nothing else is in flight.
  const huge = await gate.acquire(100 * MIB, never);
  huge.done();
});

it('budgets the memory a body holds, not its size: streamed parts of a large file fly well past the budget ÷ part size', async () => {
  const perPart = 2 * STREAM_CHUNK;
  const gate = new RequestGate(new ConcurrencyController({ max: 64, initial: 64 }), 16 * perPart);
  // 8 MiB parts, streamed: each holds two read chunks (bodyMemory), so 16 fit where none whole would (the first
  // always goes).
  expect(bodyMemory(8 * MIB)).toBe(perPart);
  const tickets = await Promise.all(Array.from({ length: 16 }, () => gate.acquire(8 * MIB, never, bodyMemory(8 * MIB))));
  expect(gate.usage()).toMatchObject({ inFlight: 16, reserved: 16 * perPart });
  const seventeenth = gate.acquire(8 * MIB, never, bodyMemory(8 * MIB));
  await new Promise((r) => setImmediate(r));
  expect(gate.usage().waiting).toBe(1);
  tickets[0]!.done();
  (await seventeenth).done();
  for (const t of tickets.slice(1)) t.done();
  expect(gate.usage()).toMatchObject({ inFlight: 0, reserved: 0 });
  // Small files are read into memory: all their bytes count.
  expect(bodyMemory(SINGLE_READ_MAX)).toBe(SINGLE_READ_MAX);
  expect(bodyMemory(SINGLE_READ_MAX + 1)).toBe(Math.min(SINGLE_READ_MAX + 1, perPart));
  expect(bodyMemory(4 * MIB)).toBe(perPart);
});

it('reads in larger chunks while few requests fly, and the gate reserves what that read holds', () => {
  expect(streamChunk(0)).toBe(STREAM_CHUNK_FEW);
  expect(streamChunk(FEW_IN_FLIGHT - 1)).toBe(STREAM_CHUNK_FEW);
  expect(streamChunk(FEW_IN_FLIGHT)).toBe(STREAM_CHUNK);
  expect(streamChunk(64)).toBe(STREAM_CHUNK);
  expect(bodyMemory(8 * MIB, STREAM_CHUNK_FEW)).toBe(2 * STREAM_CHUNK_FEW);
  // A small file is held whole whatever the chunk.
  expect(bodyMemory(100 * 1024, STREAM_CHUNK_FEW)).toBe(100 * 1024);
});

it('drops a waiting request when its upload is cancelled', async () => {
  const gate = new RequestGate(new ConcurrencyController({ max: 1, initial: 1 }));
  const first = await gate.acquire(1, never);
  const ac = new AbortController();
  const waiting = gate.acquire(1, ac.signal);
  ac.abort(new Error('cancelled'));
  await expect(waiting).rejects.toThrow('cancelled');
  expect(gate.usage().waiting).toBe(0);
  first.done();
  first.done(); // a second call is ignored
  expect(gate.usage().inFlight).toBe(0);
});

it('reports congestion to the controller, and plain failures not', async () => {
  let now = 0;
  const controller = new ConcurrencyController({ max: 64, initial: 16 });
  const gate = new RequestGate(controller, 1000 * MIB, () => now);
  const a = await gate.acquire(1, never);
  now = 10;
  a.done({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  expect(controller.limit).toBe(16);
  const b = await gate.acquire(1, never);
  now = 20;
  b.done({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
  expect(controller.limit).toBe(8);
  expect(controller.history().at(-1)).toMatchObject({ limit: 8, reason: 'slow-down' });
});
