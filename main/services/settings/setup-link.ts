// Setup links: IT sends `grantbox://setup?url=<https URL of a settings file>` or `grantbox://setup?settings=<base64url
// settings>`. prepareSetup() reads and checks everything (managed settings allow links and do not already set those
// sections, https only with loopback excepted, the settings validate) and returns a plan with a summary a person
// can judge — the grants repository's host, the sign-in provider's host, the region — WITHOUT writing anything.
// applySetup() then writes settings.yaml in the data folder atomically. Every refusal is an AppError and writes
// nothing; nothing is ever applied without the person confirming (the app's screen, the CLI's y/N or --yes).
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PersonalSettingsSchema, type PersonalSettings } from '../../../config/schema';
import { AppError } from '../errors';
import { defaultDataDir } from '../paths';
import type { SetupSummary } from '../../../preload/contract';
import type { ManagedInfo } from './effective';
import { MAX_SETTINGS_BYTES, validateSettingsText } from './settings-file';

export type { SetupSummary };

export type SetupLink = { kind: 'url'; url: URL } | { kind: 'inline'; text: string };

export interface SetupPlan {
  summary: SetupSummary;
  /** The settings text exactly as IT wrote it (written as is, comments kept). */
  text: string;
  settings: PersonalSettings;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function invalid(message: string, hint = 'Ask your IT team to send the setup link again (copy it whole).', extra: Record<string, unknown> = {}): AppError {
  return new AppError('SETUP_LINK_INVALID', message, { details: { hint, ...extra } });
}

function safeUrl(u: URL): string {
  const c = new URL(u.href);
  c.username = '';
  c.password = '';
  c.search = c.search ? '?…' : '';
  return c.href;
}

/** Parses the link itself (no network). Throws SETUP_LINK_INVALID / SETUP_LINK_NOT_HTTPS. */
export function parseSetupLink(link: string): SetupLink {
  let u: URL;
  try {
    u = new URL(link.trim());
  } catch {
    throw invalid('This is not a Grantbox setup link.', 'A setup link starts with grantbox://setup? — ask your IT team for yours.');
  }
  const target = u.hostname || u.pathname.replace(/^\/+/, '');
  if (u.protocol !== 'grantbox:' || target !== 'setup') {
    throw invalid('This is not a Grantbox setup link.', 'A setup link starts with grantbox://setup? — ask your IT team for yours.');
  }
  const url = u.searchParams.getAll('url');
  const settings = u.searchParams.getAll('settings');
  if (url.length + settings.length !== 1) {
    throw invalid('This setup link must carry exactly one of url= or settings=.');
  }
  if (url.length === 1) {
    let target: URL;
    try {
      target = new URL(url[0]!);
    } catch {
      throw invalid('The settings address in this setup link is not a valid web address.');
    }
    if (target.protocol !== 'https:' && !(target.protocol === 'http:' && isLoopback(target.hostname))) {
      throw new AppError('SETUP_LINK_NOT_HTTPS', `This setup link fetches settings over an unencrypted connection (${target.protocol}//${target.host}), which anyone on the network could change.`, {
        details: { hint: 'Ask your IT team for a link whose address starts with https://.', host: target.host },
      });
    }
    if (target.username || target.password) throw invalid('The settings address in this setup link carries a user name or password; Grantbox will not use it.');
    return { kind: 'url', url: target };
  }
  const encoded = settings[0]!;
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(encoded)) {
    throw invalid('This setup link is damaged: its settings are not valid base64url text.');
  }
  const bytes = Buffer.from(encoded, 'base64url');
  if (bytes.length === 0 || bytes.length > MAX_SETTINGS_BYTES) throw invalid('This setup link is damaged: its settings are empty or far too large.');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid('This setup link is damaged: its settings are not readable text.');
  }
  return { kind: 'inline', text };
}

/** base64url of a settings file, for IT making links (`grantbox setup --make-link FILE`, docs). */
export function makeSetupLink(settingsText: string): string {
  return `grantbox://setup?settings=${Buffer.from(settingsText, 'utf8').toString('base64url')}`;
}

export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** Downloads the settings file (https; redirects followed only to https, loopback excepted), at most 1 MiB. */
async function download(url: URL, fetchFn: FetchLike): Promise<string> {
  let current = url;
  for (let hop = 0; hop < 4; hop++) {
    let res: Response;
    try {
      res = await fetchFn(current, { redirect: 'manual', signal: AbortSignal.timeout(15_000), headers: { accept: 'application/yaml, text/yaml, text/plain, */*' } });
    } catch (e) {
      const { certificateAppError } = await import('../network');
      const cert = certificateAppError(e, current.host);
      if (cert) throw cert;
      const reason = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
      throw new AppError('SETUP_LINK_FETCH_FAILED', `The settings file of this setup link could not be downloaded (${current.host}: ${reason}).`, {
        cause: e,
        details: { hint: 'Check your network connection and try again; if it keeps failing, tell your IT team the link does not work.', host: current.host },
      });
    }
    if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
      void res.body?.cancel();
      const next = new URL(res.headers.get('location')!, current);
      if (next.protocol !== 'https:' && !(next.protocol === 'http:' && isLoopback(next.hostname))) {
        throw new AppError('SETUP_LINK_NOT_HTTPS', `The settings address of this setup link redirects to an unencrypted connection (${next.protocol}//${next.host}).`, {
          details: { hint: 'Tell your IT team: the settings file must be served over https.', host: next.host },
        });
      }
      current = next;
      continue;
    }
    if (!res.ok) {
      void res.body?.cancel();
      throw new AppError('SETUP_LINK_FETCH_FAILED', `The settings file of this setup link could not be downloaded (${current.host}: HTTP ${res.status}).`, {
        details: { hint: 'Tell your IT team the link does not work (the address answered with an error).', host: current.host, httpStatus: res.status },
      });
    }
    // Stream with a size cap: a settings file is a few lines.
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > MAX_SETTINGS_BYTES) {
        void res.body?.cancel();
        throw invalid(`The settings file of this setup link is larger than ${MAX_SETTINGS_BYTES} bytes; it is not a Grantbox settings file.`);
      }
      chunks.push(chunk);
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    } catch {
      throw invalid('The settings file of this setup link is not readable text.');
    }
  }
  throw new AppError('SETUP_LINK_FETCH_FAILED', `The settings address of this setup link redirects too many times (${url.host}).`, { details: { hint: 'Tell your IT team the link does not work.', host: url.host } });
}

function hostOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const u = new URL(value);
    return u.host || undefined;
  } catch {
    return undefined;
  }
}

/** The sign-in provider's host: the first issuer/URL-like value in the `signIn` section, whatever its method. */
function signInHost(section: unknown): string | undefined {
  if (!section || typeof section !== 'object') return undefined;
  const preferred = ['issuer', 'startUrl', 'url', 'authority'];
  const queue: unknown[] = [section];
  while (queue.length) {
    const cur = queue.shift();
    if (!cur || typeof cur !== 'object') continue;
    for (const key of preferred) {
      const host = hostOf((cur as Record<string, unknown>)[key]);
      if (host) return host;
    }
    queue.push(...Object.values(cur as Record<string, unknown>));
  }
  return undefined;
}

export interface PrepareOptions {
  /** The network's fetch (proxy and CA rules). */
  fetch: FetchLike;
  env?: NodeJS.ProcessEnv;
  /** IT's managed settings, when any. */
  managed: ManagedInfo | null;
}

/** Reads, checks and summarises a setup link. Writes nothing. */
export async function prepareSetup(link: string, options: PrepareOptions): Promise<SetupPlan> {
  const managed = options.managed;
  if (managed && !managed.setupLinks) {
    throw new AppError('SETUP_LINK_FORBIDDEN', 'Your IT team does not allow setup links on this computer.', {
      details: { hint: `Grantbox's settings here are managed by your IT team (${managed.path}); ask them if something is missing.`, managedFile: managed.path },
    });
  }
  const parsed = parseSetupLink(link);
  const from = parsed.kind === 'url' ? safeUrl(parsed.url) : 'the link itself';
  const text = parsed.kind === 'url' ? await download(parsed.url, options.fetch) : parsed.text;
  const label = parsed.kind === 'url' ? safeUrl(parsed.url) : 'setup link';
  let settings: PersonalSettings;
  try {
    settings = validateSettingsText(label, text, PersonalSettingsSchema);
  } catch (e) {
    const err = e as AppError;
    const count = ((err.details.diagnostics as Array<{ severity: string }> | undefined) ?? []).filter((d) => d.severity === 'error').length;
    throw new AppError('SETUP_LINK_INVALID', `The settings in this setup link have ${count} problem${count === 1 ? '' : 's'}; nothing was changed.`, {
      cause: e,
      details: { hint: err.details.hint ?? 'Tell your IT team the settings in the link do not validate.', diagnostics: err.details.diagnostics ?? [] },
    });
  }
  const sections = Object.keys(settings).filter((k) => k !== 'apiVersion' && k !== 'kind');
  const clash = managed ? sections.filter((s) => (managed.locked as string[]).includes(s)) : [];
  if (managed && clash.length) {
    throw new AppError('SETUP_LINK_CONFLICT', `This setup link would change settings your IT team already manages on this computer: ${clash.join(', ')}.`, {
      details: { hint: `Those settings come from ${managed.path}. Ask your IT team for a link without them.`, sections: clash, managedFile: managed.path },
    });
  }
  if (!settings.grants && !managed?.locked.includes('grants')) {
    throw invalid('The settings in this setup link do not say where the grants come from (no grants section).', 'Tell your IT team the link is incomplete.');
  }
  const target = path.join(defaultDataDir(options.env ?? process.env), 'settings.yaml');
  const replacesExisting = await fs.stat(target).then(
    () => true,
    () => false,
  );
  const grants = settings.grants ? (settings.grants.source === 'git' ? hostOf(settings.grants.url) : `a folder on this computer (${settings.grants.path})`) : undefined;
  const signIn = signInHost((settings as Record<string, unknown>).signIn);
  const region = settings.aws?.region;
  return {
    text,
    settings,
    summary: { from, ...(grants ? { grants } : {}), ...(signIn ? { signIn } : {}), ...(region ? { region } : {}), sections, target, replacesExisting },
  };
}

/** Writes the plan's settings as settings.yaml in the data folder: a temporary file, then an atomic rename. */
export async function applySetup(plan: SetupPlan, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const target = path.join(defaultDataDir(env), 'settings.yaml');
  await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  const header = `# Written by Grantbox from a setup link (${plan.summary.from}) on ${new Date().toISOString()}.\n`;
  try {
    await fs.writeFile(temp, header + plan.text, { mode: 0o600, flag: 'wx' });
    await fs.rename(temp, target);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw new AppError('SETTINGS_UNREADABLE', `Grantbox could not write its settings file ${target}.`, { cause: e, details: { hint: 'Check that your account may write to the data folder.', path: target } });
  }
  return target;
}

/** The summary as lines for the terminal (and tests). */
export function formatSetupSummary(s: SetupSummary): string[] {
  return [
    `Settings from:      ${s.from}`,
    `Grants repository:  ${s.grants ?? '(set by your IT team)'}`,
    `Sign-in provider:   ${s.signIn ?? '(not configured by this link)'}`,
    `AWS region:         ${s.region ?? '(not set: us-east-1)'}`,
    `Sections set:       ${s.sections.join(', ')}`,
    `Will write:         ${s.target}${s.replacesExisting ? ' (replacing your current settings)' : ''}`,
  ];
}
