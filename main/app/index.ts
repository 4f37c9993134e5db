// Electron main-process lifecycle: one instance, sandboxed renderers, the app:// protocol, the window, the IPC
// registration over the services, the menu, taskbar progress / notifications, and a quit that asks first while
// uploads run. Thin on purpose: everything testable lives in the modules it wires together.
import path from 'node:path';
import { Notification, app, clipboard, dialog, protocol, session, shell, type BrowserWindow } from 'electron';
import { isAppError } from '../services/errors';
import { hardExitIfKeychainStuck, stuckKeychainCalls } from '../services/identity/keytar-secret-store';
import { resolveSettingsPath } from '../services/paths';
import type { Services } from '../services/services';
import { createServices } from '../services/container';
import type { SerializedAppError } from '../../preload/contract';
import { TrustedSenders } from './ipc/guard';
import { registerIpc, settingsProblemOf, type Registration } from './ipc/register';
import { electronTransport, windowEventSink } from './ipc/typed-ipc';
import { installMenu } from './menu';
import { systemProxyResolver } from './system-proxy';
import { SETUP_SCHEME, setupLinkFromArgv } from './setup-links';
import { createSetupOps, loadEffectiveSettings, managedSettingsPath } from '../services/settings';
import { updatePolicy } from '../services/updates/update-check';
import { startUpdates } from './updates';
import { createAppHandler, registerAppScheme, rendererRoot } from './protocol';
import { denyAllPermissions, externalUrl, installAppGuards } from './security';
import { createMainWindow } from './window';

/** `--settings FILE` or `--settings=FILE` from the command line (Electron adds its own flags around it). */
export function settingsFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--settings') return argv[i + 1];
    if (a.startsWith('--settings=')) return a.slice('--settings='.length);
  }
  return undefined;
}

// Must happen before 'ready'.
registerAppScheme(protocol);
app.enableSandbox();
installAppGuards(app, { openExternal: (url) => shell.openExternal(url) });

let win: BrowserWindow | null = null;
let services: Services | null = null;
let registration: Registration | null = null;
let quitConfirmed = false;
let closed = false;

async function confirmQuitWhileUploading(): Promise<void> {
  const options = {
    type: 'warning' as const,
    buttons: ['Keep uploading', 'Quit anyway'],
    defaultId: 0,
    cancelId: 0,
    message: 'Files are still uploading.',
    detail: 'If you quit now, the unfinished files stop. Grantbox offers to resume them the next time you open it.',
  };
  const { response } = win ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
  if (response === 1) {
    quitConfirmed = true;
    app.quit();
  }
}

/** Returns true when the quit/close was held back to ask first. */
function holdForUploads(event: { preventDefault(): void }): boolean {
  if (quitConfirmed || !services?.uploads.busy()) return false;
  event.preventDefault();
  void confirmQuitWhileUploading();
  return true;
}

async function start(): Promise<void> {
  const settingsPath = resolveSettingsPath(settingsFlag(process.argv));
  let settingsProblem: SerializedAppError | undefined;
  const loadServices = () => createServices({ settingsPath, appVersion: app.getVersion(), systemProxy: systemProxyResolver(session.defaultSession) });
  try {
    services = await loadServices();
  } catch (e) {
    // The window still opens and explains (app:info carries the problem).
    settingsProblem = settingsProblemOf(e);
  }

  denyAllPermissions(session.defaultSession);
  protocol.handle('app', createAppHandler(rendererRoot(__dirname)));

  const trusted = new TrustedSenders();
  win = createMainWindow(path.join(__dirname, '../preload/index.js'), trusted);
  const window = win;

  const sink = windowEventSink(() => win?.webContents);
  deliverSetupLink = (link) => sink.send('setup:linkOpened', { link });
  registration = registerIpc({
    transport: electronTransport,
    trusted,
    events: sink,
    services,
    loadServices,
    onServicesLoaded: (loaded) => {
      services = loaded;
    },
    info: {
      version: app.getVersion(),
      platform: process.platform,
      settingsPath,
      managedSettingsPath: managedSettingsPath().path,
      ...(settingsProblem ? { settingsProblem } : {}),
      ...(pendingSetupLink ? { pendingSetupLink } : {}),
    },
    setup: createSetupOps({ ...(settingsFlag(process.argv) ? { settingsFlag: settingsFlag(process.argv)! } : {}) }),
    dialogs: {
      async saveFile({ title, defaultName }) {
        const r = await dialog.showSaveDialog(window, {
          title,
          defaultPath: path.join(app.getPath('documents'), defaultName),
          filters: [{ name: 'Session log', extensions: ['jsonl'] }],
        });
        return r.canceled || !r.filePath ? null : r.filePath;
      },
      async openPaths({ folders }) {
        const r = await dialog.showOpenDialog(window, {
          properties: [folders ? 'openDirectory' : 'openFile', 'multiSelections'],
        });
        return r.canceled ? [] : r.filePaths;
      },
      async confirm({ title, message, detail, confirmLabel }) {
        // Cancel is the default and the Escape answer: uploading a private file takes a deliberate click.
        const { response } = await dialog.showMessageBox(window, { type: 'warning', title, message, detail, buttons: ['Cancel', confirmLabel], defaultId: 0, cancelId: 0, noLink: true });
        return response === 1;
      },
    },
    shell: {
      async openExternal(url) {
        const href = externalUrl(url);
        if (href) await shell.openExternal(href);
      },
      async openSignInPage(url) {
        // Built by main from the settings' provider; only web pages go to the browser.
        if (/^https?:\/\//.test(url)) await shell.openExternal(url);
      },
      copyText(text) {
        clipboard.writeText(text);
      },
      notify(title, body) {
        if (Notification.isSupported()) new Notification({ title, body }).show();
      },
      setProgress(fraction) {
        if (!window.isDestroyed()) window.setProgressBar(fraction ?? -1);
      },
    },
    guard: {
      // Channel and error name only: arguments may hold keys or MFA codes.
      onUnexpected: (channel, error) => console.error(`grantbox: unexpected failure on ${channel}: ${(error as Error)?.name ?? typeof error}`),
    },
  });

  installMenu({
    exportLog() {
      registration?.exportLog().then(
        (r) => {
          if (r.path) void dialog.showMessageBox(window, { type: 'info', message: 'Session log exported.', detail: r.path });
        },
        (e: unknown) => {
          const msg = isAppError(e) ? e.message : 'The session log could not be exported.';
          void dialog.showMessageBox(window, { type: 'error', message: msg, detail: isAppError(e) ? (e.details.hint ?? '') : '' });
        },
      );
    },
  });

  window.on('close', (event) => {
    holdForUploads(event);
  });

  // Updates only from the feed IT's managed settings name; never installed over a running upload.
  const effective = await loadEffectiveSettings({ ...(settingsFlag(process.argv) ? { flag: settingsFlag(process.argv)! } : {}) }).catch(() => null);
  if (effective) {
    const updates = startUpdates(updatePolicy(effective.settings.updates, effective.origins.updates), (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    });
    if (updates && services) {
      const s = services;
      s.uploads.onProgress(() => updates.setActiveUploads(s.uploads.busy() ? 1 : 0));
    }
  }
}

/** A setup link that arrived before the window could take it (shown pre-filled on the first-run screen). */
let pendingSetupLink: string | undefined = setupLinkFromArgv(process.argv);
let deliverSetupLink: ((link: string) => void) | undefined;

function openSetupLink(link: string): void {
  if (deliverSetupLink) deliverSetupLink(link);
  else pendingSetupLink = link;
  if (win) {
    if (win.isMinimized()) win.restore();
    win.focus();
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.setAppUserModelId('dev.grantbox.app');
  // Installers register the scheme too (electron-builder `protocols`); this covers portable and dev runs.
  if (process.defaultApp) {
    if (process.argv.length >= 2) app.setAsDefaultProtocolClient(SETUP_SCHEME, process.execPath, [path.resolve(process.argv[1]!)]);
  } else {
    app.setAsDefaultProtocolClient(SETUP_SCHEME);
  }
  app.on('second-instance', (_event, argv) => {
    const link = setupLinkFromArgv(argv);
    if (link) openSetupLink(link);
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  // macOS hands links over as open-url, possibly before 'ready'.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    if (setupLinkFromArgv([url])) openSetupLink(url);
  });
  app.on('before-quit', (event) => {
    holdForUploads(event);
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (closed) return;
    // Let the services stop timers and leave resumable upload state before the process ends.
    event.preventDefault();
    closed = true;
    registration?.dispose();
    // A keychain call that timed out (a locked keyring waiting for its password) would hold the process open.
    const done = () => (stuckKeychainCalls() > 0 ? hardExitIfKeychainStuck(0) : app.quit());
    void (services ? services.close().catch(() => undefined).then(done) : Promise.resolve().then(done));
  });
  app.whenReady().then(start, (e: unknown) => {
    console.error('grantbox: could not start', e);
    app.exit(1);
  });
}
