// A loopback TCP proxy for fault injection: forwards to a target port and can cut connections in the middle of a
// request body (after N bytes from the client), so tests can prove uploads survive real network resets, or flip one
// byte of a request body on its way, so tests can prove damaged data is caught.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  endpoint: string;
  /** Connections cut so far. */
  readonly cuts: number;
  /** Cut the next `count` connections once each has carried `afterBytes` bytes from client to server. */
  cutNext(count: number, afterBytes: number): void;
  /** Bytes altered so far. */
  readonly corruptions: number;
  /** In the next `count` connections, flip one byte (client → server) at offset `atByte` of the connection. */
  corruptNext(count: number, atByte: number): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  let pendingCuts = 0;
  let cutAfter = Infinity;
  let cuts = 0;
  let pendingCorruptions = 0;
  let corruptAt = Infinity;
  let corruptions = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    let carried = 0;
    let armed = false;
    let corrupting = false;
    const cut = () => {
      cuts++;
      // resetAndDestroy sends RST: the client sees ECONNRESET, as with a real dropped connection.
      client.resetAndDestroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (!armed && pendingCuts > 0) {
        armed = true;
        pendingCuts--;
      }
      if (!corrupting && carried === 0 && pendingCorruptions > 0) {
        corrupting = true;
        pendingCorruptions--;
      }
      if (corrupting && carried <= corruptAt && corruptAt < carried + chunk.length) {
        chunk = Buffer.from(chunk);
        chunk[corruptAt - carried] = chunk[corruptAt - carried]! ^ 0xff;
        corruptions++;
        corrupting = false;
      }
      carried += chunk.length;
      if (armed && carried >= cutAfter) {
        cut();
        return;
      }
      if (!upstream.write(chunk)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!client.destroyed) client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    const close = () => {
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    get cuts() {
      return cuts;
    },
    cutNext(count, afterBytes) {
      pendingCuts = count;
      cutAfter = afterBytes;
    },
    get corruptions() {
      return corruptions;
    },
    corruptNext(count, atByte) {
      pendingCorruptions = count;
      corruptAt = atByte;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
