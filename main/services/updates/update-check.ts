// The update decision, without Electron: read IT's generic update feed (the latest.yml / latest-mac.yml /
// latest-linux.yml that electron-builder writes, or CHANNEL*.yml), compare with the running version, download the
// installer in the background and verify its sha512 before anything may install it, and say whether installing is
// allowed now (never while an upload runs). The app hands the same feed to electron-updater (main/app/updates.ts),
// which repeats the sha512 check and adds the OS's code-signature checks; `grantbox doctor` uses this module to
// report the feed. Only IT's managed settings may name a feed: a person's file or a setup link cannot.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parse } from 'yaml';
import type { Settings } from '../../../config/schema';
import { AppError } from '../errors';

export type UpdatePolicy =
  | { enabled: false; reason: 'not-configured' | 'disabled-by-it' | 'not-managed' }
  | { enabled: true; url: string; channel: string };

/** Updates follow IT's managed settings only (a feed is a way to run code on every desktop). */
export function updatePolicy(updates: Settings['updates'] | undefined, origin: { kind: 'managed' | 'personal' | 'default' }): UpdatePolicy {
  if (updates === undefined) return { enabled: false, reason: 'not-configured' };
  if (origin.kind !== 'managed') return { enabled: false, reason: 'not-managed' };
  if (updates === false) return { enabled: false, reason: 'disabled-by-it' };
  return { enabled: true, url: updates.url, channel: updates.channel ?? 'latest' };
}

/** The feed file electron-updater's generic provider reads for this platform and channel. */
export function feedFileName(channel: string, platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  if (platform === 'darwin') return `${channel}-mac.yml`;
  if (platform === 'linux') return arch === 'arm64' ? `${channel}-linux-arm64.yml` : `${channel}-linux.yml`;
  return `${channel}.yml`;
}

/** semver precedence (major.minor.patch, then pre-release: 1.2.0-beta.2 < 1.2.0). NaN when unreadable. */
export function compareVersions(a: string, b: string): number {
  const parse1 = (v: string) => {
    const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v.trim());
    return m ? { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] } : null;
  };
  const x = parse1(a);
  const y = parse1(b);
  if (!x || !y) return NaN;
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return x.nums[i]! < y.nums[i]! ? -1 : 1;
  if (!x.pre.length || !y.pre.length) return x.pre.length === y.pre.length ? 0 : x.pre.length ? -1 : 1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Number(p) < Number(q) ? -1 : 1;
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

export interface UpdateFile {
  /** Absolute URL of the installer. */
  url: string;
  /** base64 sha512 from the feed. */
  sha512: string;
  size?: number;
}

export type UpdateCheck =
  | { kind: 'available'; current: string; latest: string; file: UpdateFile; releaseDate?: string }
  | { kind: 'up-to-date'; current: string; latest: string }
  /** The feed holds an older version than this one (a rollback is IT's call through their packages, not ours). */
  | { kind: 'feed-older'; current: string; latest: string };

export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

const MAX_FEED_BYTES = 256 * 1024;

function feedError(code: 'UPDATE_FEED_UNREACHABLE' | 'UPDATE_FEED_INVALID', message: string, host: string, cause?: unknown): AppError {
  return new AppError(code, message, {
    ...(cause === undefined ? {} : { cause }),
    details: { hint: code === 'UPDATE_FEED_UNREACHABLE' ? 'Grantbox keeps working and checks again later. If this stays, tell your IT team the update feed cannot be reached.' : 'Tell your IT team: the update feed file is damaged.', host },
  });
}

/** Reads the feed and decides: newer → available (with the file to fetch), same → up-to-date, older → feed-older. */
export async function checkForUpdate(options: { feedUrl: string; channel: string; currentVersion: string; fetch: FetchLike; platform?: NodeJS.Platform; arch?: string }): Promise<UpdateCheck> {
  const base = options.feedUrl.endsWith('/') ? options.feedUrl : `${options.feedUrl}/`;
  const feed = new URL(feedFileName(options.channel, options.platform, options.arch), base);
  let text: string;
  try {
    const res = await options.fetch(feed, { signal: AbortSignal.timeout(30_000), headers: { 'cache-control': 'no-cache' } });
    if (!res.ok) {
      void res.body?.cancel();
      throw feedError('UPDATE_FEED_UNREACHABLE', `The update feed answered HTTP ${res.status} (${feed.host}).`, feed.host);
    }
    const body = await res.text();
    if (body.length > MAX_FEED_BYTES) throw feedError('UPDATE_FEED_INVALID', `The update feed file is far too large (${feed.host}).`, feed.host);
    text = body;
  } catch (e) {
    if (e instanceof AppError) throw e;
    const reason = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
    throw feedError('UPDATE_FEED_UNREACHABLE', `The update feed cannot be reached (${feed.host}: ${reason}).`, feed.host, e);
  }
  let doc: { version?: unknown; files?: Array<{ url?: unknown; sha512?: unknown; size?: unknown }>; path?: unknown; sha512?: unknown; releaseDate?: unknown };
  try {
    doc = parse(text) as typeof doc;
  } catch (e) {
    throw feedError('UPDATE_FEED_INVALID', `The update feed file is not readable (${feed.host}).`, feed.host, e);
  }
  const latest = typeof doc?.version === 'string' ? doc.version : '';
  const first = Array.isArray(doc?.files) ? doc.files[0] : undefined;
  const rel = typeof first?.url === 'string' ? first.url : typeof doc?.path === 'string' ? doc.path : '';
  const sha512 = typeof first?.sha512 === 'string' ? first.sha512 : typeof doc?.sha512 === 'string' ? doc.sha512 : '';
  const cmp = compareVersions(latest, options.currentVersion);
  if (!latest || Number.isNaN(cmp)) throw feedError('UPDATE_FEED_INVALID', `The update feed names no readable version (${feed.host}).`, feed.host);
  if (cmp === 0) return { kind: 'up-to-date', current: options.currentVersion, latest };
  if (cmp < 0) return { kind: 'feed-older', current: options.currentVersion, latest };
  if (!rel || !/^[A-Za-z0-9+/]+={0,2}$/.test(sha512)) throw feedError('UPDATE_FEED_INVALID', `The update feed names version ${latest} without a file and its sha512 (${feed.host}).`, feed.host);
  const fileUrl = new URL(rel, base);
  if (fileUrl.protocol !== 'https:' && feed.protocol === 'https:') throw feedError('UPDATE_FEED_INVALID', `The update feed points at an unencrypted download (${fileUrl.host}).`, feed.host);
  return {
    kind: 'available',
    current: options.currentVersion,
    latest,
    file: { url: fileUrl.href, sha512, ...(typeof first?.size === 'number' ? { size: first.size } : {}) },
    ...(typeof doc.releaseDate === 'string' ? { releaseDate: doc.releaseDate } : {}),
  };
}

/**
 * Downloads the installer into `dir` (streamed, hashed as it arrives) and keeps it only when its sha512 matches the
 * feed's; a mismatch deletes it and throws UPDATE_CHECKSUM_MISMATCH. Returns the verified file's path.
 */
export async function downloadVerified(update: Extract<UpdateCheck, { kind: 'available' }>, dir: string, fetchFn: FetchLike): Promise<string> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const name = path.basename(new URL(update.file.url).pathname) || `grantbox-${update.latest}`;
  const final = path.join(dir, name);
  const temp = `${final}.${randomBytes(6).toString('hex')}.partial`;
  const host = new URL(update.file.url).host;
  const hash = createHash('sha512');
  try {
    const res = await fetchFn(update.file.url, { signal: AbortSignal.timeout(30 * 60_000) });
    if (!res.ok || !res.body) {
      void res.body?.cancel();
      throw feedError('UPDATE_FEED_UNREACHABLE', `The update could not be downloaded (${host}: HTTP ${res.status}).`, host);
    }
    const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(body, createWriteStream(temp, { mode: 0o600 }));
  } catch (e) {
    await fs.rm(temp, { force: true });
    if (e instanceof AppError) throw e;
    throw feedError('UPDATE_FEED_UNREACHABLE', `The update could not be downloaded (${host}).`, host, e);
  }
  const got = hash.digest('base64');
  if (got !== update.file.sha512) {
    await fs.rm(temp, { force: true });
    throw new AppError('UPDATE_CHECKSUM_MISMATCH', `The downloaded update ${update.latest} does not match the checksum in the update feed; it was deleted and will not be installed.`, {
      details: { hint: 'Tell your IT team: the installer on the update feed does not match its latest.yml (or something altered it on the way).', host, expected: update.file.sha512, got },
    });
  }
  await fs.rename(temp, final);
  return final;
}

/** Installing restarts the app: never while an upload is running or queued. */
export function installAllowed(activeUploads: number): boolean {
  return activeUploads === 0;
}
