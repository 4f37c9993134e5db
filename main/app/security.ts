// The window-level security checklist (docs/security.md): the Content-Security-Policy, the external-link
// allow-list, and the guards every WebContents gets (navigation, redirects, new windows, <webview>, permissions).
// Electron objects come in as parameters (type-only imports) so all of this is unit-testable without Electron.
import type { App, Session, WebContents } from 'electron';

/** The one CSP, sent as a header by the app:// handler and repeated as a <meta> in renderer/index.html. */
export const CSP_DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['frame-ancestors', "'none'"],
  ['form-action', "'none'"],
];
export const CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.map(([k, v]) => `${k} ${v}`).join('; ');
/** The <meta> copy: browsers ignore (and warn about) frame-ancestors in a meta policy, so it lives in the header only. */
export const META_CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.filter(([k]) => k !== 'frame-ancestors')
  .map(([k, v]) => `${k} ${v}`)
  .join('; ');

/**
 * Hosts the app may open in the person's browser (help pages). https only, no credentials, no custom port;
 * anything else is refused rather than handed to the OS, which would open file:, smb: or app links.
 */
export const EXTERNAL_HOSTS: ReadonlySet<string> = new Set(['docs.aws.amazon.com', 'aws.amazon.com', 'github.com']);

/**
 * The URL to hand to the browser: the parsed, normalised `href` of an allow-listed link, or null. The OS URL
 * handler gets exactly what was checked, never the raw string (`https://github.com\\@evil.com` passes as github.com
 * here, and another parser could read the same raw text differently).
 */
export function externalUrl(url: string, hosts: ReadonlySet<string> = EXTERNAL_HOSTS): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const ok = u.protocol === 'https:' && u.username === '' && u.password === '' && u.port === '' && hosts.has(u.hostname);
  return ok ? u.href : null;
}

export function isAllowedExternalUrl(url: string, hosts: ReadonlySet<string> = EXTERNAL_HOSTS): boolean {
  return externalUrl(url, hosts) !== null;
}

export interface GuardDeps {
  /** Opens an allow-listed https URL in the person's browser (Electron's shell.openExternal). */
  openExternal(url: string): void | Promise<void>;
}

/** Navigation, redirects, new windows and <webview> are all refused; allow-listed links go to the browser. */
export function hardenWebContents(contents: WebContents, deps: GuardDeps): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const href = externalUrl(url);
    if (href) void Promise.resolve(deps.openExternal(href)).catch(() => undefined);
    return { action: 'deny' };
  });
  // Web Bluetooth's chooser: without preventDefault Electron picks the first device itself; '' cancels.
  contents.on('select-bluetooth-device', (event, _devices, callback) => {
    event.preventDefault();
    callback('');
  });
}

/**
 * Camera, microphone, notifications-from-the-page, geolocation, clipboard-read, HID/USB/serial: all denied. Every
 * device chooser Electron offers (HID, serial, USB here; Bluetooth per WebContents) answers "cancel" explicitly, so
 * no page can reach a device even if a permission handler were loosened later, and Bluetooth pairing is refused.
 */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.setBluetoothPairingHandler((_details, callback) => callback({ confirmed: false }));
  session.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  session.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
  session.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
}

/** Every WebContents the app ever creates (including any a bug might open) gets the guards. */
export function installAppGuards(app: App, deps: GuardDeps): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, deps));
}
