// The app:// protocol: the renderer is served from the built folder (out/renderer) through a privileged,
// standard+secure custom scheme instead of file:// — so the page has a real origin, CSP applies, and the page can
// read nothing but that folder. Requests that try to leave it (.., encoded ..%2f, NUL, symlinks) are refused.
// Electron's `protocol` comes in as a parameter, so the handler also serves the e2e harness over plain HTTP.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Protocol } from 'electron';
import { APP_HOST, APP_SCHEME } from './app-scheme';
import { CONTENT_SECURITY_POLICY } from './security';

/** Must run before app 'ready' (Electron's rule for privileged schemes). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The file under `root` a request URL names, or null when it names something outside (or is not for our host).
 * `root` must be absolute and already resolved (realpath).
 */
export function resolveAppPath(root: string, requestUrl: string, expectedScheme = `${APP_SCHEME}:`): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== expectedScheme) return null;
  if (expectedScheme === `${APP_SCHEME}:` && url.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const file = path.resolve(root, relative);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  return file;
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS } });
}

/** A fetch-style handler (what protocol.handle wants) serving files under `root`, streamed, with the CSP header. */
export function createAppHandler(root: string, options: { scheme?: string } = {}): (request: Request) => Promise<Response> {
  let realRoot: string | undefined;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    try {
      realRoot ??= await fs.realpath(path.resolve(root));
    } catch {
      return plain(404, 'Not found');
    }
    const rootPath = realRoot;
    const file = resolveAppPath(rootPath, request.url, options.scheme);
    if (file === null) return plain(403, 'Forbidden');
    let real: string;
    try {
      // A symlink inside the folder must not lead out of it.
      real = await fs.realpath(file);
      if (real !== rootPath && !real.startsWith(rootPath + path.sep)) return plain(403, 'Forbidden');
      if (!(await fs.stat(real)).isFile()) return plain(404, 'Not found');
    } catch {
      return plain(404, 'Not found');
    }
    const headers = {
      'Content-Type': CONTENT_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream',
      ...SECURITY_HEADERS,
    };
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
    const body = Readable.toWeb(createReadStream(real)) as unknown as ReadableStream<Uint8Array>;
    return new Response(body, { status: 200, headers });
  };
}

/** The built renderer folder next to the built main (out/main → out/renderer), inside or outside the asar. */
export function rendererRoot(mainDir: string): string {
  return path.resolve(mainDir, '..', 'renderer');
}
