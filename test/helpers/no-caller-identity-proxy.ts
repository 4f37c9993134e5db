// A loopback HTTP proxy in front of moto that behaves like an S3-compatible service's STS: GetCallerIdentity
// answers 501 Not Implemented (plain text), and with `s3StyleErrors` every STS refusal moto makes reaches the
// client in S3's error shape, <Error><Code>…</Code>…</Error>, instead of STS's <ErrorResponse>. Only form-encoded
// bodies (the STS query protocol) are read; every other request (S3 data) streams through untouched, Host kept, so
// signatures stay valid. `requests` counts what passed, by STS Action or "S3 METHOD".
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NoCallerIdentityProxy {
  port: number;
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** STS's <ErrorResponse><Error>…</Error><RequestId>…</RequestId></ErrorResponse> → S3's <Error>…<RequestId>…</RequestId></Error>. */
export function toS3StyleError(stsBody: string): string {
  const inner = /<Error>([\s\S]*?)<\/Error>/.exec(stsBody)?.[1] ?? '';
  const requestId = /<RequestId>([^<]*)<\/RequestId>/.exec(stsBody)?.[1] ?? '';
  const code = /<Code>([^<]*)<\/Code>/.exec(inner)?.[1] ?? 'AccessDenied';
  const message = /<Message>([\s\S]*?)<\/Message>/.exec(inner)?.[1] ?? '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`;
}

export async function startNoCallerIdentityProxy(targetPort: number, options: { s3StyleErrors?: boolean } = {}): Promise<NoCallerIdentityProxy> {
  const requests: string[] = [];
  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer | null) => {
    const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (up) => {
      const status = up.statusCode ?? 502;
      if (body && options.s3StyleErrors && status >= 400) {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const text = toS3StyleError(Buffer.concat(chunks).toString('utf8'));
          res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(text) }).end(text);
        });
        return;
      }
      res.writeHead(status, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    if (body) upstream.end(body);
    else req.pipe(upstream);
  };
  const server = http.createServer((req, res) => {
    if (!String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) {
      requests.push(`S3 ${req.method}`);
      forward(req, res, null);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = new URLSearchParams(body.toString('utf8')).get('Action') ?? '?';
      requests.push(action);
      if (action === 'GetCallerIdentity') {
        res.writeHead(501, { 'content-type': 'text/plain' }).end('Not Implemented');
        return;
      }
      forward(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
