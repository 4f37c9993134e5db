// A real forward proxy for tests: the npm `proxy` package (CONNECT for https, absolute-URL requests for http) on
// loopback, with a log of every request it carries. Hosts under `.grantbox.test` exist ONLY behind this proxy: the
// proxy maps them to loopback addresses (`aliases`), while the machine's DNS knows nothing of them — so a client
// that skipped the proxy fails with ENOTFOUND instead of quietly connecting, and "none goes direct" is proved.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxy } from 'proxy';

export interface ProxyLogEntry {
  method: string;
  /** host:port for CONNECT, the absolute URL for plain http. */
  target: string;
}

export interface ForwardProxy {
  url: string;
  port: number;
  readonly log: ProxyLogEntry[];
  /** Hosts (host:port) that passed through, in order. */
  hosts(): string[];
  close(): Promise<void>;
}

export async function startForwardProxy(options: { aliases?: Record<string, string>; host?: string } = {}): Promise<ForwardProxy> {
  const aliases = options.aliases ?? {};
  const log: ProxyLogEntry[] = [];
  const server = http.createServer();
  const rewriteHost = (hostPort: string): string => {
    const m = /^(.*?)(:\d+)?$/.exec(hostPort)!;
    const real = aliases[m[1]!.toLowerCase()];
    return real ? `${real}${m[2] ?? ''}` : hostPort;
  };
  // Runs before the proxy's own listeners: record, then map test hosts to where they really listen.
  server.prependListener('connect', (req: http.IncomingMessage) => {
    log.push({ method: 'CONNECT', target: req.url ?? '' });
    req.url = rewriteHost(req.url ?? '');
  });
  server.prependListener('request', (req: http.IncomingMessage) => {
    log.push({ method: req.method ?? 'GET', target: req.url ?? '' });
    try {
      const u = new URL(req.url ?? '');
      const mapped = rewriteHost(u.host);
      if (mapped !== u.host) req.url = `${u.protocol}//${mapped}${u.pathname}${u.search}`;
    } catch {
      // not an absolute URL: the proxy answers 400 itself
    }
  });
  createProxy(server);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    url: `http://${host}:${port}`,
    port,
    log,
    hosts: () =>
      log.map((e) => {
        if (e.method === 'CONNECT') return e.target;
        try {
          return new URL(e.target).host;
        } catch {
          return e.target;
        }
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
