// A loopback TCP proxy that makes a WAN out of loopback, for tests and `npm run bench:upload -- --rtt N`: every
// chunk is held for a one-way delay in each direction (order preserved: one FIFO per direction per connection), an
// optional bandwidth cap per direction (one shared "link", serialisation delay = bytes / rate), and TCP's two
// latency costs that a plain delay misses:
// - the window: a connection has at most `windowBytes` unacknowledged per direction, and a byte counts until its
//   acknowledgement has come back — delivered after the one-way delay, acknowledged one more one-way delay later.
//   So one connection carries at most window / RTT (4 MiB at 80 ms: 50 MiB/s), as TCP's bandwidth-delay product
//   allows, and the source is paused beyond it, which also keeps the rig's memory bounded;
// - the handshake: a new connection's first bytes leave one round trip after connecting (SYN, SYN-ACK), so a client
//   that opens a connection per request pays for it as it would on a WAN.
// Steady state only: no slow start and no loss, the best case for a TCP connection — generous to a client that uses
// few connections. Kernel shaping (tc netem) is not available on these machines, hence user space.
//
// HTTP-aware mode (`http: true`) parses request heads (HTTP/1.1, no pipelining — what Node's agent sends) so that a
// "storm" can answer a fraction of requests with S3's `503 SlowDown` for a time window instead of forwarding them:
// the request body is read and dropped (or, with `Expect: 100-continue`, the connection is closed after the 503),
// and the answer travels through the same delay as real ones. It also counts requests and TCP connections, so tests
// can check connection reuse. Bounded: loopback only, every queue capped, every timer cleared on close.
import net from 'node:net';

export interface LatencyProxyOptions {
  /** One-way delay added to each direction, ms (RTT = 2 ×). */
  delayMs?: number;
  /** Bandwidth cap per direction, bytes per second (shared by all connections). Unlimited when absent. */
  bytesPerSecond?: number;
  /** Unacknowledged bytes per connection per direction (TCP's window; default 4 MiB): at most window / RTT each. */
  windowBytes?: number;
  /** A new connection's first bytes wait one round trip (TCP handshake). Default true when delayMs > 0. */
  handshake?: boolean;
  /** Parse HTTP/1.1 requests (needed for storms and request counts). */
  http?: boolean;
  targetHost?: string;
}

export interface StormOptions {
  /** Fraction of matching requests answered 503 SlowDown while the storm lasts (0–1). */
  fraction: number;
  /** How long the storm lasts from now, ms. */
  durationMs: number;
  /** Which requests may be hit (default: PUT and POST, the upload path). */
  match?: (method: string, url: string) => boolean;
}

export interface LatencyProxyStats {
  /** TCP connections accepted so far. */
  connections: number;
  /** HTTP requests seen (http mode). */
  requests: number;
  /** Requests answered 503 SlowDown by a storm. */
  slowDowns: number;
  /** Bytes carried client → server and server → client. */
  bytesUp: number;
  bytesDown: number;
}

export interface LatencyProxy {
  port: number;
  endpoint: string;
  stats(): LatencyProxyStats;
  /** Starts a 503 SlowDown storm (http mode). */
  storm(options: StormOptions): void;
  close(): Promise<void>;
}

const MAX_HEAD = 64 * 1024;

/** One direction of one connection: a FIFO of chunks each released at its due time, and its window. */
class DelayLine {
  private readonly queue: Array<{ due: number; chunk: Buffer }> = [];
  /** Bytes sent and not yet acknowledged: a chunk's bytes return to the window one delay after it is delivered. */
  private readonly unacked: Array<{ ackAt: number; bytes: number }> = [];
  /** Bytes read from the source that the window has no room for yet. */
  private readonly backlog: Buffer[] = [];
  private held = 0;
  private timer: NodeJS.Timeout | undefined;
  private ackTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /** The destination's buffer is full: the source waits for its 'drain' (one listener at most). */
  private destinationFull = false;

  constructor(
    private readonly delayMs: number,
    private readonly link: Link,
    private readonly windowBytes: number,
    private readonly source: net.Socket,
    private readonly destination: net.Socket,
    /** Bytes delivered to the destination (for the stats). */
    private readonly onDelivered: (bytes: number) => void,
    private readonly onEmpty: () => void,
    /** No byte leaves before this time (the handshake). */
    private readonly notBefore = 0,
  ) {}

  get empty(): boolean {
    return this.queue.length === 0 && this.backlog.length === 0;
  }

  push(chunk: Buffer): void {
    if (this.closed || chunk.length === 0) return;
    this.backlog.push(chunk);
    this.send();
  }

  /** Sends what the window allows, splitting a chunk at its edge; the source waits while anything is left. */
  private send(): void {
    // Bounded by the backlog: one socket read at most, as the source is paused while it is not empty.
    while (this.backlog.length && this.held < this.windowBytes) {
      let chunk = this.backlog[0]!;
      const room = this.windowBytes - this.held;
      if (chunk.length > room) {
        this.backlog[0] = chunk.subarray(room);
        chunk = chunk.subarray(0, room);
      } else this.backlog.shift();
      const due = Math.max(this.link.departure(chunk.length), this.notBefore) + this.delayMs;
      this.queue.push({ due, chunk });
      this.unacked.push({ ackAt: due + this.delayMs, bytes: chunk.length });
      this.held += chunk.length;
    }
    if (this.backlog.length) this.source.pause();
    else this.resumeSource();
    this.arm();
    this.armAck();
  }

  /** The source reads again once neither the window nor the destination's buffer holds it back. */
  private resumeSource(): void {
    if (!this.backlog.length && !this.destinationFull && this.source.isPaused() && !this.source.destroyed) this.source.resume();
  }

  private deliver(chunk: Buffer): void {
    this.onDelivered(chunk.length);
    if (this.destination.destroyed || this.destination.write(chunk) || this.destinationFull) return;
    this.destinationFull = true;
    this.source.pause();
    this.destination.once('drain', () => {
      this.destinationFull = false;
      this.resumeSource();
    });
  }

  private arm(): void {
    if (this.timer || this.closed || !this.queue.length) return;
    const wait = Math.max(0, this.queue[0]!.due - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.release();
    }, wait);
  }

  private armAck(): void {
    if (this.ackTimer || this.closed || !this.unacked.length) return;
    const wait = Math.max(0, this.unacked[0]!.ackAt - performance.now());
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      this.acknowledge();
    }, wait);
  }

  private release(): void {
    const now = performance.now();
    // Bounded by the queue, which the window bounds.
    while (this.queue.length && this.queue[0]!.due <= now + 0.5) this.deliver(this.queue.shift()!.chunk);
    if (this.queue.length) this.arm();
    else if (!this.backlog.length) this.onEmpty();
  }

  private acknowledge(): void {
    const now = performance.now();
    while (this.unacked.length && this.unacked[0]!.ackAt <= now + 0.5) this.held -= this.unacked.shift()!.bytes;
    this.send();
    this.armAck();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.timer = undefined;
    this.ackTimer = undefined;
    this.queue.length = 0;
    this.unacked.length = 0;
    this.backlog.length = 0;
  }
}

/** A direction's shared bandwidth: when a chunk entering now has finished being "sent". */
class Link {
  private free = 0;
  constructor(private readonly bytesPerSecond: number | undefined) {}
  departure(bytes: number): number {
    const now = performance.now();
    if (!this.bytesPerSecond) return now;
    this.free = Math.max(now, this.free) + (bytes / this.bytesPerSecond) * 1000;
    return this.free;
  }
}

const slowDownBody =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>GBPROXYSLOWDOWN</RequestId></Error>';

function slowDownResponse(close: boolean): Buffer {
  return Buffer.from(
    `HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: ${Buffer.byteLength(slowDownBody)}\r\nx-amz-request-id: GBPROXYSLOWDOWN\r\n` +
      `Connection: ${close ? 'close' : 'keep-alive'}\r\n\r\n${slowDownBody}`,
  );
}

/**
 * Splits a client's byte stream into HTTP requests (head, then Content-Length bytes of body) and decides per
 * request whether to forward it or answer 503. Anything it cannot frame (chunked bodies, garbage) switches the
 * connection to plain forwarding.
 */
class RequestFramer {
  private buf: Buffer = Buffer.alloc(0);
  private bodyLeft = 0;
  private dropping = false;
  private passthrough = false;
  /** After a 503 to an `Expect: 100-continue` request the connection is closing: nothing more is forwarded. */
  private dead = false;

  constructor(
    private readonly onRequest: (method: string, url: string) => boolean,
    private readonly forward: (chunk: Buffer) => void,
    private readonly answer: (response: Buffer, close: boolean) => void,
  ) {}

  feed(chunk: Buffer): void {
    if (this.dead) return;
    if (this.passthrough) return this.forward(chunk);
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    // Each turn consumes a head or some body bytes, so the loop ends with the buffer.
    while (this.buf.length) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, this.buf.length);
        if (!this.dropping) this.forward(this.buf.subarray(0, n));
        this.bodyLeft -= n;
        this.buf = this.buf.subarray(n);
        if (this.bodyLeft === 0 && this.dropping) this.finishDrop();
        continue;
      }
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buf.length > MAX_HEAD) this.giveUp();
        return;
      }
      const head = this.buf.subarray(0, end + 4);
      this.buf = this.buf.subarray(end + 4);
      const text = head.toString('latin1');
      const [line, ...headers] = text.split('\r\n');
      const [method = '', url = ''] = (line ?? '').split(' ');
      const header = (name: string) => headers.find((h) => h.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
      if (header('transfer-encoding')) {
        this.forward(head);
        this.giveUp();
        return;
      }
      this.bodyLeft = Number(header('content-length') ?? 0) || 0;
      const expectContinue = /100-continue/i.test(header('expect') ?? '');
      if (this.onRequest(method, url)) {
        if (expectContinue) {
          // The client waits for 100 Continue before sending the body: answer now and close, as servers do.
          this.answer(slowDownResponse(true), true);
          this.dead = true;
          this.buf = Buffer.alloc(0);
          return;
        }
        this.dropping = true;
        if (this.bodyLeft === 0) this.finishDrop();
      } else {
        this.forward(head);
      }
    }
  }

  private finishDrop(): void {
    this.dropping = false;
    this.answer(slowDownResponse(false), false);
  }

  private giveUp(): void {
    this.passthrough = true;
    if (this.buf.length && !this.dropping) this.forward(this.buf);
    this.buf = Buffer.alloc(0);
  }
}

export async function startLatencyProxy(targetPort: number, options: LatencyProxyOptions = {}): Promise<LatencyProxy> {
  const delayMs = Math.max(0, options.delayMs ?? 0);
  // At least one byte, or nothing would ever be sent.
  const windowBytes = Math.max(1, options.windowBytes ?? 4 * 1024 * 1024);
  const handshake = options.handshake ?? delayMs > 0;
  const targetHost = options.targetHost ?? '127.0.0.1';
  const up = new Link(options.bytesPerSecond);
  const down = new Link(options.bytesPerSecond);
  const stats: LatencyProxyStats = { connections: 0, requests: 0, slowDowns: 0, bytesUp: 0, bytesDown: 0 };
  let storm: (StormOptions & { until: number; credit: number }) | undefined;
  const closers = new Set<() => void>();

  const decide = (method: string, url: string): boolean => {
    stats.requests++;
    if (!storm || performance.now() > storm.until) return false;
    const match = storm.match ?? ((m: string) => m === 'PUT' || m === 'POST');
    if (!match(method, url)) return false;
    // Deterministic fraction: every request adds `fraction` of credit; a whole unit of credit is one 503.
    storm.credit += storm.fraction;
    if (storm.credit < 1) return false;
    storm.credit -= 1;
    stats.slowDowns++;
    return true;
  };

  const server = net.createServer((client) => {
    stats.connections++;
    client.setNoDelay(true);
    // The client's first bytes leave after SYN and SYN-ACK: one round trip from now.
    const established = handshake ? performance.now() + 2 * delayMs : 0;
    const upstream = net.connect(targetPort, targetHost);
    upstream.setNoDelay(true);
    let clientEnded = false;
    let upstreamEnded = false;
    let closeClientWhenFlushed = false;
    const toServer = new DelayLine(
      delayMs,
      up,
      windowBytes,
      client,
      upstream,
      (n) => (stats.bytesUp += n),
      () => {
        if (clientEnded && !upstream.destroyed) upstream.end();
      },
      established,
    );
    const toClient = new DelayLine(
      delayMs,
      down,
      windowBytes,
      upstream,
      client,
      (n) => (stats.bytesDown += n),
      () => {
        if ((upstreamEnded || closeClientWhenFlushed) && !client.destroyed) client.end();
      },
    );
    const framer = options.http
      ? new RequestFramer(
          decide,
          (c) => toServer.push(c),
          (response, close) => {
            toClient.push(response);
            if (close) closeClientWhenFlushed = true;
          },
        )
      : undefined;
    client.on('data', (chunk: Buffer) => (framer ? framer.feed(chunk) : toServer.push(chunk)));
    upstream.on('data', (chunk: Buffer) => toClient.push(chunk));
    client.on('end', () => {
      clientEnded = true;
      if (toServer.empty && !upstream.destroyed) upstream.end();
    });
    upstream.on('end', () => {
      upstreamEnded = true;
      if (toClient.empty && !client.destroyed) client.end();
    });
    const close = () => {
      closers.delete(close);
      toServer.close();
      toClient.close();
      client.destroy();
      upstream.destroy();
    };
    closers.add(close);
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    // The server closing must not cut answers still on their way to the client.
    upstream.on('close', () => {
      upstreamEnded = true;
      if (toClient.empty) close();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => ({ ...stats }),
    storm(s) {
      storm = { ...s, fraction: Math.min(1, Math.max(0, s.fraction)), until: performance.now() + s.durationMs, credit: 0 };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of [...closers]) c();
        server.close(() => resolve());
      }),
  };
}
