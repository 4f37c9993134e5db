// The operating system's proxy for a URL, as Chromium sees it (system settings, WPAD, PAC files), for the services'
// network rules. Used only when neither the settings (`network.proxy`) nor HTTPS_PROXY/HTTP_PROXY name one.
import type { Session } from 'electron';
import { proxyFromPacResult } from '../services/network/proxy-rules';

export function systemProxyResolver(session: Pick<Session, 'resolveProxy'>): (url: string) => Promise<string | undefined> {
  return async (url) => proxyFromPacResult(await session.resolveProxy(url));
}
