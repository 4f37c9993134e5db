// The app:// scheme the renderer is served from (registered in protocol.ts, loaded by window.ts, checked by the IPC
// guard for every call): one place for its name and host, and the test for "this URL is our own page".
export const APP_SCHEME = 'app';
export const APP_HOST = 'grantbox';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** True when the page is our own app:// page. `new URL().origin` is "null" for custom schemes, so compare parts. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}
