// End-to-end harness: the real app minus Electron. It starts moto_server seeded with the tutorial's world, builds the
// REAL services (createServices, temp GRANTBOX_HOME, settings pointing at moto, the real gnome-keyring — run under
// scripts/with-keyring.sh), and runs main/app/ipc/register.ts over a fake transport on a loopback HTTP server:
//   POST /__ipc/invoke/<channel>  → the registered (guarded) listener, with an event that looks like our window
//   GET  /__ipc/events            → SSE stream of the EventSink's events
//   POST /__ipc/file?name=…       → writes a dropped File's bytes to a temp file, answers its path
//   GET  /*                       → the built renderer (out/renderer) through main/app/protocol.ts (CSP header)
// The page gets window.api from the real preload bundled against e2e-electron-shim.ts (pageBridgeScript()).
// Every IPC payload in both directions is recorded for the secret-leak assertions.
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TrustedSenders, type EventSink, type InvokeEventLike, type InvokeListener } from '../../main/app/ipc/guard';
import { registerIpc, settingsProblemOf, type Registration } from '../../main/app/ipc/register';
import { createSetupOps, managedSettingsPath } from '../../main/services/settings';
import { createAppHandler } from '../../main/app/protocol';
import { createServices } from '../../main/services/container';
import type { Services } from '../../main/services/services';
import type { AppInfo } from '../../preload/contract';
import { startOidcProvider, type OidcProviderRig } from '../../main/services/sandbox/oidc-provider';
import { seedCompanySignIn } from '../../main/services/sandbox/seed';
import { startNoCallerIdentityProxy } from './no-caller-identity-proxy';
import { startTutorialWorld, type TestWorld } from './world';

export { startNoCallerIdentityProxy };

export const ROOT = path.resolve(__dirname, '../..');
export const RENDERER_DIR = path.join(ROOT, 'out', 'renderer');
export const SCREENSHOT_DIR = path.join(ROOT, 'artifacts', 'screenshots');

export interface RecordedPayload {
  direction: 'renderer→main' | 'main→renderer';
  kind: 'invoke' | 'result' | 'event';
  channel: string;
  json: string;
}

export interface Harness {
  /** The page to open: http://127.0.0.1:PORT/index.html */
  url: string;
  world: TestWorld;
  /** The real services (throws while the settings are broken: see `info.settingsProblem`). */
  services: Services;
  /** app:info as first built (a later "Try again" may have fixed it). */
  info: AppInfo;
  settingsPath: string;
  /** The settings that work (what startHarness writes when not told otherwise). */
  workingSettings: string;
  registration: Registration;
  payloads: RecordedPayload[];
  /** What the fake native dialogs answer next (confirm: the "Upload hidden files?" question). */
  dialogs: { savePath: string | null; openPaths: string[]; confirm: boolean };
  /** Questions main asked through its native confirm dialog. */
  confirms: Array<{ title: string; message: string; detail: string }>;
  /** The home folder main protects in this run (a temporary folder, never the real one). */
  homeDir: string;
  notifications: Array<{ title: string; body: string }>;
  progress: Array<number | null>;
  opened: string[];
  /** Handler failures that were not AppErrors (the guard turned them into UNEXPECTED): channel and error name. */
  unexpected: Array<{ channel: string; error: string }>;
  /** Calls a registered (guarded) listener directly, as our window would: no HTTP, any structured-clone value. */
  invoke(channel: string, arg: unknown): Promise<unknown>;
  /** Company sign-in pages main asked the "default browser" to open (shell.openSignInPage). */
  signInPages: string[];
  /** What "Copy sign-in link" put on the clipboard. */
  clipboard: string[];
  /** Plays the default browser: called with each sign-in page main opens (set by the test). */
  browser: { open?: (url: string) => Promise<void> | void };
  /** The local OpenID Provider (companySignIn only). */
  rig?: OidcProviderRig;
  tmp: string;
  close(): Promise<void>;
}

const FAKE_WINDOW_ID = 1;

/** The IPC event a listener sees: as if sent by the main frame of our app:// window. */
function windowEvent(): InvokeEventLike {
  const mainFrame = { url: 'app://grantbox/index.html' };
  return { sender: { id: FAKE_WINDOW_ID, mainFrame }, senderFrame: mainFrame };
}

/** Builds the renderer (and main/preload) with electron-vite when out/renderer is missing or BUILD_RENDERER=1. */
export async function ensureRendererBuilt(): Promise<void> {
  const index = path.join(RENDERER_DIR, 'index.html');
  const exists = await fs.stat(index).then(
    () => true,
    () => false,
  );
  if (exists && process.env.E2E_REBUILD !== '1') return;
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: ROOT, stdio: 'ignore' });
}

/** The real preload bundled for the browser against the Electron shim: the page's window.api. */
export async function pageBridgeScript(): Promise<string> {
  const out = await build({
    entryPoints: [path.join(__dirname, 'e2e-bridge-entry.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    alias: { electron: path.join(__dirname, 'e2e-electron-shim.ts') },
    // The preload exposes the api only under context isolation, which Electron reports on `process`.
    define: { 'process.contextIsolated': 'true' },
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A loopback TCP proxy in front of moto that paces request bytes (client → server) to `bytesPerSecond`, so an
 * upload lasts long enough for the window to show real progress. Answers pass through unpaced.
 */
export async function startPacingProxy(targetPort: number, bytesPerSecond: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      client.pause();
      setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    client.on('end', () => upstream.end());
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface HarnessOptions {
  /** Extra grant files (name → YAML) next to the tutorial's hr-upload.yaml. */
  extraGrants?: Record<string, string>;
  /** Pace request bytes to moto (uploads) to this rate; unpaced when absent. */
  uploadBytesPerSecond?: number;
  /** Write this as the settings file instead of the working one (the settings-problem screen). */
  settingsText?: string;
  /**
   * Answer STS GetCallerIdentity with 501 Not Implemented, as S3-compatible services that cannot say who a key
   * belongs to do (the sign-in then needs a stated ARN); everything else reaches moto unchanged.
   */
  refuseGetCallerIdentity?: boolean;
  /** How long an MFA question waits for an answer (default: the app's 5 minutes). */
  mfaTimeoutMs?: number;
  /**
   * A first run: no settings file at all; the settings file is settings.yaml in the data folder (GRANTBOX_HOME),
   * where a setup link writes it, as in the app without --settings.
   */
  firstRun?: boolean;
  /**
   * Company sign-in: start the real local OpenID Provider (main/services/sandbox/oidc-provider.ts), register it in
   * moto as an IAM OIDC identity provider trusted by the tutorial role, and write `signIn: method: oidc` settings.
   * moto runs with auth off then (it answers the unsigned AssumeRoleWithWebIdentity with a 500 when auth is on).
   */
  companySignIn?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  if (process.env.GRANTBOX_IN_KEYRING !== '1') {
    throw new Error('The e2e tests use the real gnome-keyring: run them under `bash scripts/with-keyring.sh npx vitest run --project e2e`.');
  }
  const tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'grantbox-e2e-')));
  const home = path.join(tmp, 'home');
  const grantsDir = path.join(tmp, 'grants');
  const dropsDir = path.join(tmp, 'drops');
  await Promise.all([home, grantsDir, dropsDir].map((d) => fs.mkdir(d, { recursive: true })));
  // Isolate from the machine's own AWS profiles and data folder.
  process.env.GRANTBOX_HOME = home;
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(tmp, 'aws-credentials');
  process.env.AWS_CONFIG_FILE = path.join(tmp, 'aws-config');

  const world = await startTutorialWorld({ auth: !options.companySignIn });
  let rig: OidcProviderRig | undefined;
  let services: Services | null = null;
  let proxy: { port: number; close(): Promise<void> } | undefined;
  let refuser: { port: number; close(): Promise<void> } | undefined;
  try {
    if (options.uploadBytesPerSecond) proxy = await startPacingProxy(world.moto.port, options.uploadBytesPerSecond);
    if (options.refuseGetCallerIdentity) refuser = await startNoCallerIdentityProxy(proxy?.port ?? world.moto.port);
    if (options.companySignIn) {
      rig = await startOidcProvider();
      await seedCompanySignIn(world.endpoint, { issuer: rig.issuer, clientId: rig.clientId, accountId: world.accountId });
    }
    const front = refuser ?? proxy;
    const endpoint = front ? `http://127.0.0.1:${front.port}` : world.endpoint;
    await fs.copyFile(path.join(ROOT, 'config', 'grants', 'hr-upload.yaml'), path.join(grantsDir, 'hr-upload.yaml'));
    for (const [name, text] of Object.entries(options.extraGrants ?? {})) await fs.writeFile(path.join(grantsDir, name), text);
    const settingsPath = options.firstRun ? path.join(home, 'settings.yaml') : path.join(tmp, 'settings.yaml');
    const workingSettings = [
      'apiVersion: grantbox.dev/v1',
      'kind: Settings',
      'grants:',
      '  source: directory',
      `  path: ${JSON.stringify(grantsDir)}`,
      '  watch: false',
      'aws:',
      `  region: ${world.region}`,
      `  endpoint: ${endpoint}`,
      '  forcePathStyle: true',
      ...(rig
        ? ['signIn:', '  method: oidc', `  issuer: ${rig.issuer}`, `  clientId: ${rig.clientId}`, '  userClaim: email', '  groupsClaim: groups', '  name: Company1']
        : []),
      '',
    ].join('\n');
    if (!options.firstRun) await fs.writeFile(settingsPath, options.settingsText ?? workingSettings);
    // As main/app/index.ts does: broken settings still open the window, and app:info explains.
    let settingsProblem: AppInfo['settingsProblem'];
    const loadServices = () => createServices({ settingsPath, appVersion: '0.0.0-e2e' });
    try {
      services = await loadServices();
    } catch (e) {
      settingsProblem = settingsProblemOf(e);
    }

    let live = services;
    const payloads: RecordedPayload[] = [];
    const sse = new Set<http.ServerResponse>();
    const events: EventSink = {
      send(channel, payload) {
        const json = JSON.stringify({ channel, payload });
        payloads.push({ direction: 'main→renderer', kind: 'event', channel, json });
        for (const res of sse) res.write(`data: ${json}\n\n`);
      },
    };
    const listeners = new Map<string, InvokeListener>();
    const trusted = new TrustedSenders();
    trusted.add(FAKE_WINDOW_ID);
    const dialogs = { savePath: null as string | null, openPaths: [] as string[], confirm: false };
    const confirms: Harness['confirms'] = [];
    const homeDir = path.join(tmp, 'user-home');
    await fs.mkdir(homeDir, { recursive: true });
    const notifications: Harness['notifications'] = [];
    const progress: Harness['progress'] = [];
    const opened: string[] = [];
    const unexpected: Harness['unexpected'] = [];
    const info: AppInfo = {
      version: '0.0.0-e2e',
      platform: process.platform,
      settingsPath,
      managedSettingsPath: managedSettingsPath().path,
      ...(settingsProblem ? { settingsProblem } : {}),
    };
    const signInPages: string[] = [];
    const clipboard: string[] = [];
    const defaultBrowser: Harness['browser'] = {};
    const registration = registerIpc({
      transport: { handle: (channel, listener) => void listeners.set(channel, listener) },
      trusted,
      events,
      services,
      info,
      loadServices,
      setup: createSetupOps(options.firstRun ? {} : { settingsFlag: settingsPath }),
      onServicesLoaded: (loaded) => {
        live = loaded;
      },
      guard: { onUnexpected: (channel, error) => void unexpected.push({ channel, error: error instanceof Error ? `${error.name}: ${error.message}` : typeof error }) },
      ...(options.mfaTimeoutMs !== undefined ? { mfaTimeoutMs: options.mfaTimeoutMs } : {}),
      homeDir,
      dialogs: {
        saveFile: async () => dialogs.savePath,
        openPaths: async () => dialogs.openPaths,
        confirm: async ({ title, message, detail }) => {
          confirms.push({ title, message, detail });
          return dialogs.confirm;
        },
      },
      shell: {
        openExternal: async (url) => void opened.push(url),
        openSignInPage: async (url) => {
          signInPages.push(url);
          await defaultBrowser.open?.(url);
        },
        copyText: (text) => void clipboard.push(text),
        notify: (title, body) => void notifications.push({ title, body }),
        setProgress: (fraction) => void progress.push(fraction),
      },
    });

    const serveStatic = createAppHandler(RENDERER_DIR, { scheme: 'http:' });
    const server = http.createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        if (req.method === 'POST' && url.pathname.startsWith('/__ipc/invoke/')) {
          const channel = decodeURIComponent(url.pathname.slice('/__ipc/invoke/'.length));
          const body = await readBody(req, 1 << 20);
          payloads.push({ direction: 'renderer→main', kind: 'invoke', channel, json: body });
          const listener = listeners.get(channel);
          const parsed = JSON.parse(body || '{}') as { arg?: unknown };
          const result = listener
            ? await listener(windowEvent(), parsed.arg)
            : { ok: false, error: { code: 'IPC_NO_SUCH_CHANNEL', message: 'No such channel.' } };
          const json = JSON.stringify(result);
          payloads.push({ direction: 'main→renderer', kind: 'result', channel, json });
          res.writeHead(200, { 'content-type': 'application/json' }).end(json);
          return;
        }
        if (req.method === 'GET' && url.pathname === '/__ipc/events') {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
          res.write(': connected\n\n');
          sse.add(res);
          req.on('close', () => sse.delete(res));
          return;
        }
        if (req.method === 'POST' && url.pathname === '/__ipc/file') {
          const name = path.basename(url.searchParams.get('name') ?? '');
          if (!name || name === '.' || name === '..') {
            res.writeHead(400).end();
            return;
          }
          const dir = path.join(dropsDir, randomUUID());
          await fs.mkdir(dir);
          const file = path.join(dir, name);
          await pipeline(req, createWriteStream(file));
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: file }));
          return;
        }
        const response = await serveStatic(new Request(new URL(req.url ?? '/', 'http://127.0.0.1'), { method: req.method ?? 'GET' }));
        res.writeHead(response.status, Object.fromEntries(response.headers));
        if (response.body) await pipeline(Readable.fromWeb(response.body as never), res);
        else res.end();
      })().catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String((e as Error)?.message ?? e));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;

    return {
      url: `http://127.0.0.1:${port}/index.html`,
      world,
      get services(): Services {
        if (!live) throw new Error('this harness run has no services (broken settings)');
        return live;
      },
      info,
      settingsPath,
      workingSettings,
      registration,
      payloads,
      dialogs,
      confirms,
      homeDir,
      notifications,
      progress,
      opened,
      unexpected,
      invoke: async (channel, arg) => {
        const listener = listeners.get(channel);
        if (!listener) return { ok: false, error: { code: 'IPC_NO_SUCH_CHANNEL', message: 'No such channel.' } };
        return listener(windowEvent(), arg);
      },
      signInPages,
      clipboard,
      browser: defaultBrowser,
      ...(rig ? { rig } : {}),
      tmp,
      async close() {
        registration.dispose();
        for (const res of sse) res.end();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await live?.close().catch(() => undefined);
        await refuser?.close();
        await proxy?.close();
        await rig?.stop();
        await world.stop();
        await fs.rm(tmp, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await services?.close().catch(() => undefined);
    await refuser?.close();
    await proxy?.close();
    await rig?.stop();
    await world.stop();
    throw e;
  }
}

/** Debian's Chromium, headless, with the flags ENVIRONMENT.md lists. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Saves artifacts/screenshots/<name>.png (CI keeps the folder). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
