// The one place that decides how Grantbox reaches the network: which proxy (settings `network.proxy`, then
// HTTPS_PROXY/HTTP_PROXY, then the OS's answer in the app; NO_PROXY and `network.noProxy` go direct) and which
// certificate authorities to trust (the built-in roots PLUS AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS and
// `network.caBundle`). Every client is built from it — the AWS SDK (node:http agents via proxy-agent), isomorphic-git
// and the fetch-based clients (openid-client, setup links, the update feed) through undici — so "behind a proxy"
// and "behind a TLS-inspecting proxy" are fixed once. A leaf: it imports no other capability.
import type { Agent as HttpAgent } from 'node:http';
import { ProxyAgent as NodeProxyAgent } from 'proxy-agent';
import { Agent as UndiciAgent, ProxyAgent as UndiciProxyAgent, fetch as undiciFetch, type Dispatcher } from 'undici';
import type { NetworkSettings } from '../../../config/schema';
import { CERTIFICATE_INFO, caSources, certificateErrorCode, loadCaFile, probeIssuer, trustList, type CertificateInfo, type LoadedCa } from './certificates';
import { proxyRules, redactProxy, type ProxyRules, type ProxySource } from './proxy-rules';

export { certificateAppError, certificateErrorCode, CERTIFICATE_INFO, type CertificateInfo } from './certificates';
export { proxyFromPacResult, proxyRules, redactProxy, matchesNoProxy, type ProxyRules } from './proxy-rules';

export interface NetworkOptions {
  /** The effective `network` settings section; a relative caBundle must already be resolved against its file. */
  settings?: NetworkSettings;
  env?: NodeJS.ProcessEnv;
  /**
   * The operating system's proxy for a URL (the app passes Electron's session.resolveProxy, which reads the
   * system settings and PAC files). Asked only when neither the settings nor the environment name a proxy.
   */
  systemProxy?: (url: string) => Promise<string | undefined>;
}

export interface NetworkSummary {
  /** The proxy (credentials hidden) and where it was configured. */
  proxy: string | undefined;
  proxySource: ProxySource;
  noProxy: string[];
  /** Extra trusted CA files and the certificates' subjects. */
  extraCas: Array<{ origin: string; file: string; subjects: string[] }>;
}

export type FetchFn = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface Network {
  readonly rules: ProxyRules;
  /** The TLS trust list (built-in roots + extras), or undefined when there are no extras (Node's defaults). */
  readonly ca: string[] | undefined;
  /** The proxy URL for this request, or undefined for a direct connection. */
  proxyFor(url: string | URL): Promise<string | undefined>;
  /**
   * A node:http agent that routes through the proxy rules and trusts the extra CAs; usable as both the http and
   * the https agent (AWS SDK NodeHttpHandler, isomorphic-git's node client).
   */
  nodeAgent(options?: { maxSockets?: number; keepAlive?: boolean }): HttpAgent;
  /** An undici dispatcher for this URL (proxy or direct, extra CAs), for clients that take one. */
  dispatcherFor(url: string | URL): Promise<Dispatcher>;
  /** WHATWG fetch through the same rules (openid-client's customFetch, setup links, the update feed). */
  fetch: FetchFn;
  /**
   * After a failed request: when it failed on the server's certificate, records the host and the certificate's
   * issuer on the error (read by certificateAppError) so the message can name both. Never throws.
   */
  annotate(error: unknown, url: string | URL): Promise<void>;
  summary(): NetworkSummary;
  close(): Promise<void>;
}

/** Reads the CA files named by the environment and the settings, and builds the network. Throws on an unreadable CA file. */
export async function createNetwork(options: NetworkOptions = {}): Promise<Network> {
  const env = options.env ?? process.env;
  const rules = proxyRules({ ...(options.settings?.proxy ? { proxy: options.settings.proxy } : {}), ...(options.settings?.noProxy ? { noProxy: options.settings.noProxy } : {}), env });
  const extraCas: LoadedCa[] = [];
  for (const source of caSources(env, options.settings?.caBundle)) extraCas.push(await loadCaFile(source));
  return new NetworkImpl(rules, extraCas, options.systemProxy);
}

class NetworkImpl implements Network {
  readonly ca: string[] | undefined;
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly agents: HttpAgent[] = [];

  constructor(
    readonly rules: ProxyRules,
    private readonly extraCas: LoadedCa[],
    private readonly systemProxy?: (url: string) => Promise<string | undefined>,
  ) {
    this.ca = trustList(extraCas);
  }

  async proxyFor(url: string | URL): Promise<string | undefined> {
    const u = typeof url === 'string' ? new URL(url) : url;
    if (this.rules.source !== 'none' || !this.systemProxy) return this.rules.forUrl(u);
    if (this.rules.bypassed(u)) return undefined;
    try {
      return await this.systemProxy(u.href);
    } catch {
      return undefined;
    }
  }

  nodeAgent(options: { maxSockets?: number; keepAlive?: boolean } = {}): HttpAgent {
    const agent = new NodeProxyAgent({
      keepAlive: options.keepAlive ?? true,
      ...(options.maxSockets ? { maxSockets: options.maxSockets } : {}),
      ...(this.ca ? { ca: this.ca } : {}),
      getProxyForUrl: async (url: string) => (await this.proxyFor(url)) ?? '',
    });
    this.agents.push(agent);
    return agent;
  }

  async dispatcherFor(url: string | URL): Promise<Dispatcher> {
    const proxy = await this.proxyFor(url);
    const key = proxy ?? 'direct';
    let d = this.dispatchers.get(key);
    if (!d) {
      const tlsOptions = this.ca ? { ca: this.ca } : {};
      d = proxy ? new UndiciProxyAgent({ uri: proxy, requestTls: tlsOptions, proxyTls: tlsOptions }) : new UndiciAgent({ connect: tlsOptions });
      this.dispatchers.set(key, d);
    }
    return d;
  }

  fetch: FetchFn = async (input, init) => {
    const url = typeof input === 'string' ? new URL(input) : input;
    const dispatcher = await this.dispatcherFor(url);
    try {
      // undici's own fetch: the dispatcher must come from the same undici as the fetch.
      return (await undiciFetch(url, { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1])) as unknown as Response;
    } catch (e) {
      await this.annotate(e, url);
      throw e;
    }
  };

  async annotate(error: unknown, url: string | URL): Promise<void> {
    try {
      if (!error || typeof error !== 'object' || !certificateErrorCode(error)) return;
      const u = typeof url === 'string' ? new URL(url) : url;
      if (u.protocol !== 'https:') return;
      const host = u.hostname.replace(/^\[|\]$/g, '');
      const port = Number(u.port || 443);
      const issuer = await probeIssuer(host, port, await this.proxyFor(u));
      const info: CertificateInfo = { host: u.host, ...(issuer ? { issuer } : {}) };
      Object.defineProperty(error, CERTIFICATE_INFO, { value: info, enumerable: false, configurable: true });
    } catch {
      // The message without the issuer is still right.
    }
  }

  summary(): NetworkSummary {
    return {
      proxy: redactProxy(this.rules.httpsProxy ?? this.rules.httpProxy),
      proxySource: this.rules.source === 'none' && this.systemProxy ? 'system' : this.rules.source,
      noProxy: this.rules.noProxy,
      extraCas: this.extraCas.map((c) => ({ origin: c.origin, file: c.file, subjects: c.subjects })),
    };
  }

  async close(): Promise<void> {
    for (const a of this.agents) a.destroy();
    await Promise.all([...this.dispatchers.values()].map((d) => d.close().catch(() => undefined)));
    this.dispatchers.clear();
  }
}
