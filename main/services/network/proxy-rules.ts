// Which proxy a request goes through: `network.proxy` from the settings (IT's managed file usually sets it), else
// HTTPS_PROXY / HTTP_PROXY (and their lowercase forms), else the operating system's answer when the app supplies
// one (Electron's session.resolveProxy, which knows PAC files and the system proxy), else none. NO_PROXY and
// `network.noProxy` list hosts that always go direct. Pure functions: no sockets here.

export type ProxySource = 'settings' | 'environment' | 'system' | 'none';

export interface ProxyRuleInput {
  /** `network.proxy` from the effective settings. */
  proxy?: string;
  /** `network.noProxy` from the effective settings (added to NO_PROXY). */
  noProxy?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export interface ProxyRules {
  /** Where a configured proxy comes from ('system' only when the app resolves it per request). */
  source: ProxySource;
  /** The configured proxy for https:// and http:// requests (before NO_PROXY), credentials included. */
  httpsProxy: string | undefined;
  httpProxy: string | undefined;
  noProxy: string[];
  /** The proxy for this URL after NO_PROXY, or undefined for a direct connection. */
  forUrl(url: string | URL): string | undefined;
  /** Whether NO_PROXY sends this URL direct. */
  bypassed(url: string | URL): boolean;
}

function first(...values: Array<string | undefined>): string | undefined {
  for (const v of values) if (v && v.trim()) return v.trim();
  return undefined;
}

/** NO_PROXY entries: "*", "host", ".suffix", "*.suffix", "host:port", IP addresses. */
export function parseNoProxy(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : protocol === 'http:' ? '80' : '';
}

export function matchesNoProxy(url: URL, entries: readonly string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || defaultPort(url.protocol);
  return entries.some((raw) => {
    if (raw === '*') return true;
    let entry = raw;
    let entryPort: string | undefined;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.startsWith('[') ? entry.replace(/^\[([^\]]+)\](.*)$/, '$1$2') : entry);
    // IPv6 literals contain ":"; only treat a trailing :digits as a port for non-IPv6 entries.
    if (m && !entry.includes('::') && m[2] !== undefined) {
      entry = m[1]!;
      entryPort = m[2];
    }
    if (entryPort !== undefined && entryPort !== port) return false;
    entry = entry.replace(/^\*\./, '.');
    if (entry.startsWith('.')) return host === entry.slice(1) || host.endsWith(entry);
    return host === entry || host.endsWith(`.${entry}`);
  });
}

export function proxyRules(input: ProxyRuleInput = {}): ProxyRules {
  const env = input.env ?? process.env;
  const fromSettings = first(input.proxy);
  const envHttps = first(env.HTTPS_PROXY, env.https_proxy, env.HTTP_PROXY, env.http_proxy);
  const envHttp = first(env.HTTP_PROXY, env.http_proxy);
  const httpsProxy = fromSettings ?? envHttps;
  const httpProxy = fromSettings ?? envHttp;
  const noProxy = [...parseNoProxy(first(env.NO_PROXY, env.no_proxy)), ...(input.noProxy ?? []).map((s) => s.trim().toLowerCase()).filter(Boolean)];
  const source: ProxySource = fromSettings ? 'settings' : envHttps || envHttp ? 'environment' : 'none';
  const bypassed = (url: string | URL): boolean => matchesNoProxy(typeof url === 'string' ? new URL(url) : url, noProxy);
  return {
    source,
    httpsProxy,
    httpProxy,
    noProxy,
    bypassed,
    forUrl(url) {
      const u = typeof url === 'string' ? new URL(url) : url;
      const proxy = u.protocol === 'https:' || u.protocol === 'wss:' ? httpsProxy : u.protocol === 'http:' || u.protocol === 'ws:' ? httpProxy : undefined;
      if (!proxy || bypassed(u)) return undefined;
      return proxy;
    },
  };
}

/** A proxy URL without its user:password, for status lines, logs and doctor. */
export function redactProxy(proxy: string | undefined): string | undefined {
  if (!proxy) return proxy;
  try {
    const u = new URL(proxy);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
      return `${u.protocol}//…@${u.host}${u.pathname === '/' ? '' : u.pathname}`;
    }
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(unreadable proxy address)';
  }
}

/**
 * Electron's session.resolveProxy answers in PAC syntax ("PROXY host:port; DIRECT"). The first usable entry as a
 * proxy URL, or undefined for DIRECT (SOCKS entries are skipped: the fetch-based clients cannot use them).
 */
export function proxyFromPacResult(result: string): string | undefined {
  for (const part of result.split(';')) {
    const [kind, hostPort] = part.trim().split(/\s+/);
    if (!kind) continue;
    const k = kind.toUpperCase();
    if (k === 'DIRECT') return undefined;
    if ((k === 'PROXY' || k === 'HTTP') && hostPort) return `http://${hostPort}`;
    if (k === 'HTTPS' && hostPort) return `https://${hostPort}`;
  }
  return undefined;
}
