// A TLS endpoint with a throwaway certificate authority, in front of a plain-http server (moto, an IdP, a feed):
// what a company's TLS-inspecting proxy looks like to a client. openssl makes the CA ("Acme Network Inspection CA")
// and a server certificate for the given names; a small https reverse proxy forwards each request unchanged.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TlsFront {
  /** https://HOST:PORT */
  url: string;
  port: number;
  /** PEM file of the throwaway CA (what IT would hand out). */
  caFile: string;
  caName: string;
  requests: number;
  close(): Promise<void>;
}

export const TEST_CA_NAME = 'Acme Network Inspection CA';

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA and a server certificate for `names` (DNS names and IPs), in a fresh temporary folder. */
export function makeCertificates(names: string[]): { dir: string; caFile: string; key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'grantbox-tls-'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/O=Acme Corp/CN=${TEST_CA_NAME}`], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${names[0]}`], dir);
  const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  writeFileSync(path.join(dir, 'ext.cnf'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\n`);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf'], dir);
  return { dir, caFile: path.join(dir, 'ca.pem'), key: readFileSync(path.join(dir, 'server.key')), cert: readFileSync(path.join(dir, 'server.pem')) };
}

/** https://host:port that forwards to `target` (http://127.0.0.1:PORT). `names` go into the certificate. */
export async function startTlsFront(target: string, options: { host?: string; names?: string[] } = {}): Promise<TlsFront> {
  const host = options.host ?? '127.0.0.1';
  const certs = makeCertificates(options.names ?? [host, 'localhost']);
  const upstream = new URL(target);
  let requests = 0;
  const server = https.createServer({ key: certs.key, cert: certs.cert }, (req, res) => {
    requests++;
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => {
      res.statusCode = 502;
      res.end();
    });
    req.pipe(out);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://${host}:${port}`,
    port,
    caFile: certs.caFile,
    caName: TEST_CA_NAME,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          rmSync(certs.dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
