// The latency rig itself: the delay is really added each way, a new connection pays its handshake, one connection
// carries at most a window per round trip, bytes arrive intact and in order, the bandwidth cap holds, and HTTP mode answers a storm's share of requests with 503 SlowDown while counting connections.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { startLatencyProxy, type LatencyProxy } from './latency-proxy';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function echoServer(): Promise<number> {
  const server = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as net.AddressInfo).port;
}

async function proxy(port: number, options: Parameters<typeof startLatencyProxy>[1]): Promise<LatencyProxy> {
  const p = await startLatencyProxy(port, options);
  closers.push(() => p.close());
  return p;
}

/** Sends `data` through an echo and resolves with what came back and how long the first byte took. */
function roundTrip(port: number, data: Buffer): Promise<{ back: Buffer; firstByteMs: number; totalMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstByteMs = -1;
    const parts: Buffer[] = [];
    let got = 0;
    const s = net.connect(port, '127.0.0.1', () => {
      // Many small writes: order must survive the delay queues.
      for (let i = 0; i < data.length; i += 4096) s.write(data.subarray(i, i + 4096));
    });
    s.on('data', (c: Buffer) => {
      if (firstByteMs < 0) firstByteMs = performance.now() - t0;
      parts.push(c);
      got += c.length;
      if (got >= data.length) {
        s.end();
        resolve({ back: Buffer.concat(parts), firstByteMs, totalMs: performance.now() - t0 });
      }
    });
    s.on('error', reject);
  });
}

it('adds the one-way delay in each direction and keeps bytes in order', async () => {
  const p = await proxy(await echoServer(), { delayMs: 40, handshake: false });
  const data = randomBytes(1024 * 1024);
  const { back, firstByteMs } = await roundTrip(p.port, data);
  expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  // Send (40 ms up) and the echo back (40 ms down): at least one round trip.
  expect(firstByteMs).toBeGreaterThanOrEqual(79);
  expect(p.stats()).toMatchObject({ connections: 1, bytesUp: data.length, bytesDown: data.length });
});

it("makes a new connection's first bytes wait for the handshake: one more round trip", async () => {
  const p = await proxy(await echoServer(), { delayMs: 40 });
  const { firstByteMs } = await roundTrip(p.port, randomBytes(1000));
  // SYN + SYN-ACK (80 ms), then the request up and the echo down (80 ms).
  expect(firstByteMs).toBeGreaterThanOrEqual(159);
});

it('lets one connection carry at most a window per round trip (bandwidth-delay product)', async () => {
  // 64 KiB window at 40 ms RTT: at most 1.6 MB/s. 512 KiB up takes at least 7 more round trips after the first
  // window, 280 ms; a window freed on delivery instead of on acknowledgement would take half that.
  const p = await proxy(await echoServer(), { delayMs: 20, windowBytes: 64 * 1024, handshake: false });
  const data = randomBytes(512 * 1024);
  const { back, totalMs } = await roundTrip(p.port, data);
  expect(back.equals(data)).toBe(true);
  expect(totalMs).toBeGreaterThanOrEqual(280);
});

it('holds the bandwidth cap', async () => {
  const p = await proxy(await echoServer(), { bytesPerSecond: 2 * 1024 * 1024 });
  const data = randomBytes(512 * 1024);
  const { back, totalMs } = await roundTrip(p.port, data);
  expect(back.equals(data)).toBe(true);
  // 512 KiB at 2 MiB/s is 250 ms each way; the two directions overlap, so at least 250 ms in all.
  expect(totalMs).toBeGreaterThanOrEqual(240);
});

it('answers a storm share of requests 503 SlowDown, drops their bodies, and reuses keep-alive connections', async () => {
  let received = 0;
  const bodies: number[] = [];
  const server = http.createServer((req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => {
      received++;
      bodies.push(n);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  const p = await proxy((server.address() as net.AddressInfo).port, { delayMs: 5, http: true });
  p.storm({ fraction: 0.5, durationMs: 60_000 });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const put = (body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(`${p.endpoint}/bucket/key`, { method: 'PUT', agent, headers: { 'content-length': body.length } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => put(randomBytes(1000 + i))));
  agent.destroy();
  const slow = results.filter((r) => r.status === 503);
  expect(slow).toHaveLength(10);
  expect(slow[0]!.text).toContain('<Code>SlowDown</Code>');
  expect(results.filter((r) => r.status === 200)).toHaveLength(10);
  // Only the forwarded requests reached the server, each with its whole body; the dropped bodies did not leak
  // into the next request on the same connection.
  expect(received).toBe(10);
  expect(bodies.every((n) => n >= 1000 && n < 1020)).toBe(true);
  expect(p.stats()).toMatchObject({ requests: 20, slowDowns: 10 });
  expect(p.stats().connections).toBeLessThanOrEqual(2);
});
