// Which job starts when, with jobs that are plain objects and runs that are promises the test settles.
import { fixedLimits, Scheduler, totalSlots, type ConcurrencyLimits } from '../../../../main/services/uploads/scheduler';

interface FakeJob {
  name: string;
  large: boolean;
  state: 'queued' | 'running' | 'done';
  finish?: () => void;
}

function setup(limits: ConcurrencyLimits = fixedLimits(2, 3)) {
  const started: string[] = [];
  const ended: string[] = [];
  const s: Scheduler<FakeJob> = new Scheduler<FakeJob>(limits, {
    isQueued: (j) => j.state === 'queued',
    isLarge: (j) => j.large,
    run: (j) =>
      new Promise<void>((resolve) => {
        started.push(j.name);
        j.state = 'running';
        j.finish = () => {
          if (j.state === 'running') j.state = 'done';
          resolve();
        };
      }),
    ended: (j) => {
      ended.push(j.name);
      s.pump();
    },
  });
  const job = (name: string, large = false): FakeJob => ({ name, large, state: 'queued' });
  return { s, started, ended, job };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Scheduler', () => {
  it('runs files × partsPerFile single-request jobs at once, and the next as soon as one ends', async () => {
    const { s, started, job } = setup(fixedLimits(2, 3));
    const jobs = Array.from({ length: 8 }, (_, i) => job(`s${i}`));
    for (const j of jobs) s.enqueue(j);
    s.pump();
    expect(started).toEqual(['s0', 's1', 's2', 's3', 's4', 's5']);
    expect(s.usage()).toEqual({ slotsUsed: 6, largeRunning: 0, running: 6, pending: 2 });
    jobs[3]!.finish!();
    await tick();
    expect(started).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
  });

  it('gives a multipart job partsPerFile slots and runs at most `files` of them', async () => {
    const { s, started, job } = setup(fixedLimits(2, 3));
    const big = [job('L0', true), job('L1', true), job('L2', true)];
    for (const j of big) s.enqueue(j);
    s.pump();
    expect(started).toEqual(['L0', 'L1']);
    expect(s.usage().slotsUsed).toBe(6);
    big[0]!.finish!();
    await tick();
    expect(started).toEqual(['L0', 'L1', 'L2']);
    expect(s.usage()).toMatchObject({ slotsUsed: 6, largeRunning: 2 });
  });

  it('is FIFO: a big job at the head waits for its slots and small ones behind it wait too', async () => {
    const { s, started, job } = setup(fixedLimits(2, 3));
    const small = Array.from({ length: 4 }, (_, i) => job(`s${i}`));
    for (const j of small) s.enqueue(j);
    const big = job('L', true);
    s.enqueue(big);
    s.enqueue(job('after'));
    s.pump();
    expect(started).toEqual(['s0', 's1', 's2', 's3']);
    small[0]!.finish!();
    await tick();
    expect(started).toEqual(['s0', 's1', 's2', 's3', 'L']);
    expect(s.usage().slotsUsed).toBe(6);
  });

  it('skips jobs that stopped being queued, and puts a job queued again by its run at the head', async () => {
    const { s, started, ended, job } = setup(fixedLimits(1, 1));
    const a = job('a');
    const cancelled = job('cancelled');
    const b = job('b');
    s.enqueue(a);
    s.enqueue(cancelled);
    s.enqueue(b);
    s.pump();
    cancelled.state = 'done';
    // a's run ends with a choice to send it again (an automatic conflict choice): it goes first.
    a.state = 'queued';
    a.finish!();
    await tick();
    expect(ended).toEqual(['a']);
    expect(started).toEqual(['a', 'a']);
    a.finish!();
    await tick();
    expect(started).toEqual(['a', 'a', 'b']);
  });

  it('tracks runs, busy() and remove(); stop() starts nothing more', async () => {
    const { s, started, job } = setup(fixedLimits(1, 1));
    const a = job('a');
    const b = job('b');
    const c = job('c');
    expect(s.busy()).toBe(false);
    s.enqueue(a);
    s.enqueue(b);
    s.enqueue(c);
    s.pump();
    expect(s.runOf(a)).toBeInstanceOf(Promise);
    expect(s.runOf(b)).toBeUndefined();
    expect([...s.running()]).toEqual([a]);
    s.remove(b);
    s.stop();
    a.finish!();
    await s.runOf(a);
    await tick();
    expect(started).toEqual(['a']);
    expect(s.busy()).toBe(false);
  });

  it('reads the limits at every decision, so whoever owns them can change them between pumps', async () => {
    const limits = { files: 1, partsPerFile: 1 };
    const { s, started, job } = setup(limits);
    for (const n of ['a', 'b', 'c']) s.enqueue(job(n));
    s.pump();
    expect(started).toEqual(['a']);
    limits.files = 3;
    expect(totalSlots(limits)).toBe(3);
    s.pump();
    expect(started).toEqual(['a', 'b', 'c']);
  });
});
