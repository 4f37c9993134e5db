// The transport rule for a git grant source's `url` (docs/security.md, "Transport"): grants decide who may write
// where, so they must not be alterable in transit. https is required; plain http only to this computer itself
// (a local mirror or a test server), or — with a warning — when `signedBy` pins the commits, because then a
// changed revision fails the signature check anyway. Pure: no node:* imports, the loader calls it.

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

export interface UrlRuleProblem {
  code: 'GRANTS_URL_INSECURE' | 'GRANTS_URL_HTTP';
  severity: 'error' | 'warning';
  message: string;
}

/** What is wrong with a grants url, or null when it is fine. `url` has already passed z.string().url(). */
export function grantsUrlProblem(url: string, signed: boolean): UrlRuleProblem | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null; // the schema reports unparsable URLs
  }
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:') {
    if (isLoopbackHost(u.hostname)) return null;
    if (signed) {
      return {
        code: 'GRANTS_URL_HTTP',
        severity: 'warning',
        message: `grants.url uses plain http: anyone on the network path can see the grants and hold back updates (signedBy still stops altered ones); use https://`,
      };
    }
    return {
      code: 'GRANTS_URL_INSECURE',
      severity: 'error',
      message: `grants.url must start with https:// (plain http lets anyone on the network path change the grants); use https://, or pin signed commits with signedBy`,
    };
  }
  return {
    code: 'GRANTS_URL_INSECURE',
    severity: 'error',
    message: `grants.url must be an https:// address of the grants repository, not "${u.protocol}"`,
  };
}
