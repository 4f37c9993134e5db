// Extra certificate authorities (for networks that inspect HTTPS with their own CA) and the plain-language answer
// when a server's certificate is not trusted. Extra CAs are ADDED to Node's built-in roots, never replace them, and
// nothing here turns verification off: the only connection made without verification is the issuer probe, which
// completes a TLS handshake to read the certificate's issuer for the message and sends no data at all.
import { X509Certificate } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { isIP, type Socket } from 'node:net';
import tls from 'node:tls';
import { Client } from 'undici';
import { AppError } from '../errors';

/** A CA bundle is a few hundred KiB at most (the whole Mozilla store is ~220 KiB). */
const MAX_CA_BUNDLE_BYTES = 5 * 1024 * 1024;

export interface CaSource {
  /** Where the file was named: AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS or network.caBundle. */
  origin: 'AWS_CA_BUNDLE' | 'NODE_EXTRA_CA_CERTS' | 'network.caBundle';
  file: string;
}

export interface LoadedCa extends CaSource {
  certificates: string[];
  /** Subjects of the certificates, for doctor ("trusts: CN=Acme Inspection CA"). */
  subjects: string[];
}

async function readSmallText(file: string, origin: string): Promise<string> {
  let size: number;
  try {
    const info = await fs.stat(file);
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    size = info.size;
  } catch (e) {
    throw new AppError('NETWORK_CA_BUNDLE_MISSING', `The certificate file named by ${origin} (${file}) cannot be read.`, {
      cause: e,
      details: { hint: `Check the path in ${origin}, or ask IT for the certificate file of your company's network.`, file, origin },
    });
  }
  if (size > MAX_CA_BUNDLE_BYTES) {
    throw new AppError('NETWORK_CA_BUNDLE_INVALID', `The certificate file named by ${origin} (${file}) is ${size} bytes, far larger than a certificate bundle.`, {
      details: { hint: `Point ${origin} at a PEM file of certificate authorities.`, file, origin },
    });
  }
  const chunks: string[] = [];
  for await (const chunk of createReadStream(file, { encoding: 'utf8' })) chunks.push(chunk as string);
  return chunks.join('');
}

const PEM_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Reads one PEM bundle; every certificate in it must parse (a half-broken bundle is a mistake to report, not to skip). */
export async function loadCaFile(source: CaSource): Promise<LoadedCa> {
  const text = await readSmallText(source.file, source.origin);
  const certificates = text.match(PEM_RE) ?? [];
  if (certificates.length === 0) {
    throw new AppError('NETWORK_CA_BUNDLE_INVALID', `The file named by ${source.origin} (${source.file}) holds no certificate.`, {
      details: { hint: 'It must be a PEM file: text blocks starting with -----BEGIN CERTIFICATE-----. Ask IT for that format.', file: source.file, origin: source.origin },
    });
  }
  const subjects: string[] = [];
  certificates.forEach((pem, i) => {
    try {
      subjects.push(new X509Certificate(pem).subject.replace(/\n/g, ', '));
    } catch (e) {
      throw new AppError('NETWORK_CA_BUNDLE_INVALID', `Certificate ${i + 1} in ${source.file} (named by ${source.origin}) is damaged.`, {
        cause: e,
        details: { hint: 'Ask IT for the certificate file again (PEM format).', file: source.file, origin: source.origin },
      });
    }
  });
  return { ...source, certificates, subjects };
}

/** The CA files this process is told to trust, in order: AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, network.caBundle. */
export function caSources(env: NodeJS.ProcessEnv, caBundle: string | undefined): CaSource[] {
  const out: CaSource[] = [];
  const add = (origin: CaSource['origin'], file: string | undefined): void => {
    // The same bundle named twice (AWS_CA_BUNDLE and NODE_EXTRA_CA_CERTS often point at one file) is read once.
    if (file && !out.some((s) => s.file === file)) out.push({ origin, file });
  };
  add('AWS_CA_BUNDLE', env.AWS_CA_BUNDLE);
  add('NODE_EXTRA_CA_CERTS', env.NODE_EXTRA_CA_CERTS);
  add('network.caBundle', caBundle);
  return out;
}

/** The trust list for TLS: Node's built-in roots plus the extra CAs, or undefined (Node's defaults) when none. */
export function trustList(extra: readonly LoadedCa[]): string[] | undefined {
  if (extra.length === 0) return undefined;
  return [...tls.rootCertificates, ...extra.flatMap((c) => c.certificates)];
}

/** OpenSSL verification codes that mean "this certificate is not one we trust" (not "the network is down"). */
const CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
  'INVALID_CA',
]);

/** The TLS verification code inside an error (or its cause chain), when it is a certificate problem. */
export function certificateErrorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 6 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && CERT_CODES.has(code)) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Host and issuer of a failing certificate, attached to the error object by the network layer. */
export const CERTIFICATE_INFO = Symbol.for('grantbox.certificateInfo');
export interface CertificateInfo {
  host: string;
  issuer?: string;
}

function issuerName(cert: tls.PeerCertificate | undefined): string | undefined {
  const issuer = cert?.issuer;
  if (!issuer || Object.keys(issuer).length === 0) return undefined;
  const cn = issuer.CN;
  const org = issuer.O;
  const name = [Array.isArray(cn) ? cn[0] : cn, Array.isArray(org) ? org[0] : org].filter(Boolean);
  return name.length ? [...new Set(name)].join(', ') : undefined;
}

/**
 * Completes a TLS handshake with `host:port` (through `proxy` with CONNECT when given) WITHOUT verifying, only to
 * read who issued the certificate; closes straight after and never writes application data. undefined when it
 * cannot be reached within the time limit.
 */
export async function probeIssuer(host: string, port: number, proxy: string | undefined, timeoutMs = 5_000): Promise<string | undefined> {
  const servername = isIP(host) ? undefined : host;
  let socket: tls.TLSSocket;
  let tunnel: Client | undefined;
  try {
    if (proxy) {
      // The tunnel comes from undici's CONNECT support (no hand-written proxy protocol).
      const p = new URL(proxy);
      tunnel = new Client(p.origin, { connectTimeout: timeoutMs });
      const auth = p.username ? `Basic ${Buffer.from(`${decodeURIComponent(p.username)}:${decodeURIComponent(p.password)}`).toString('base64')}` : undefined;
      const { socket: raw, statusCode } = await tunnel.connect({ path: `${host}:${port}`, ...(auth ? { headers: { 'proxy-authorization': auth } } : {}), signal: AbortSignal.timeout(timeoutMs) });
      if (statusCode !== 200) throw new Error(`proxy answered ${statusCode}`);
      socket = tls.connect({ socket: raw as unknown as Socket, rejectUnauthorized: false, ...(servername ? { servername } : {}) });
    } else {
      socket = tls.connect({ host, port, rejectUnauthorized: false, ...(servername ? { servername } : {}) });
    }
  } catch {
    void tunnel?.destroy();
    return undefined;
  }
  return new Promise((resolve) => {
    const done = (value: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      void tunnel?.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    timer.unref();
    socket.once('error', () => done(undefined));
    socket.once('secureConnect', () => done(issuerName(socket.getPeerCertificate())));
  });
}

/** The plain answer for a certificate the computer does not trust; null when `e` is not a certificate problem. */
export function certificateAppError(e: unknown, fallbackHost?: string): AppError | null {
  const code = certificateErrorCode(e);
  if (!code) return null;
  let info: CertificateInfo | undefined;
  for (let cur: unknown = e, depth = 0; depth < 6 && cur && typeof cur === 'object'; depth++) {
    info = (cur as { [CERTIFICATE_INFO]?: CertificateInfo })[CERTIFICATE_INFO];
    if (info) break;
    cur = (cur as { cause?: unknown }).cause;
  }
  const host = info?.host ?? fallbackHost ?? 'the server';
  const issuer = info?.issuer;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new AppError('TLS_UNTRUSTED', `The security certificate of ${host} ${code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not valid yet'}${issuer ? ` (issued by “${issuer}”)` : ''}.`, {
      cause: e,
      details: { hint: 'Check that this computer’s date and time are right. If they are, tell IT: the server’s certificate needs renewing.', host, ...(issuer ? { issuer } : {}), networkCode: code },
    });
  }
  return new AppError(
    'TLS_UNTRUSTED',
    `Grantbox does not trust the security certificate presented for ${host}${issuer ? `, issued by “${issuer}”` : ''}. Your company's network probably inspects secure traffic — ask IT for its certificate file.`,
    {
      cause: e,
      details: {
        hint: 'Ask IT for the certificate file (PEM) of the network’s inspecting proxy; IT can set it for everyone as network.caBundle in the managed settings, or you can set AWS_CA_BUNDLE to the file. Grantbox never turns certificate checks off.',
        host,
        ...(issuer ? { issuer } : {}),
        networkCode: code,
      },
    },
  );
}
