// A real, local OpenID Provider for the sandbox and the tests: the npm `oidc-provider` (a certified
// implementation, a dev dependency) on a random loopback port, so company sign-in runs end to end without a
// company. It is loaded with a dynamic import, so nothing that ships in the app or the CLI's normal commands
// loads it.
//
// What it offers (the shape of a real company IdP, e.g. Keycloak or Okta):
// - issuer http://127.0.0.1:PORT/realms/company1 (a path, as real issuers have), discovery, JWKS (a fresh RS256 key);
// - users john (groups [hr-staff], john@company1.example) and mallory (groups [contractors]), each with a
//   password that the dev login page checks;
// - a public client `grantbox`: no secret, PKCE S256 required, loopback redirect on any port (RFC 8252 §7.3, as a
//   native app), grant types authorization_code, refresh_token and the device code (RFC 8628);
// - refresh tokens always issued (also without offline_access consent) and rotated on every use; revocation
//   (RFC 7009) and introspection; the ID token carries email, preferred_username and groups;
// - consent is pre-approved for the first-party client (as company IdPs do), so signing in = one login page;
// - for tests: counts of token requests per grant type (refresh requests that reached the provider), revoking a
//   user's grants (IT disabling an account), taking the provider down and up on the same port, slowing refreshes.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import type { ProviderContext, ProviderEventSubject } from 'oidc-provider';

export interface RigUser {
  /** The login typed on the provider's page (also the `sub` and `preferred_username`). */
  login: string;
  password: string;
  email: string;
  name: string;
  groups: string[];
}

export interface OidcProviderRigOptions {
  /** Default: a free port. */
  port?: number;
  /** Path of the issuer after the port (default /realms/company1). */
  issuerPath?: string;
  clientId?: string;
  /** Default: john and mallory with random passwords. */
  users?: RigUser[];
  /** Lifetimes in seconds. Defaults: ID and access token 10 min, refresh token 14 days. */
  ttl?: { idToken?: number; accessToken?: number; refreshToken?: number; deviceCode?: number };
  /** Write the provider's own warnings (dev-only features) to the console (default false). */
  verbose?: boolean;
}

export interface OidcProviderRig {
  /** e.g. http://127.0.0.1:41234/realms/company1 (no trailing slash). */
  issuer: string;
  port: number;
  clientId: string;
  users: Record<string, RigUser>;
  /** Token endpoint requests that reached the provider, by grant_type (successful or not). */
  tokenRequests(grantType?: string): number;
  /** Refresh-token requests that reached the provider (successful or not). */
  refreshRequests(): number;
  /** Revocation endpoint requests that reached the provider. */
  revocationRequests(): number;
  /** Refresh tokens the provider issued (for leak searches in tests); values only live in memory. */
  issuedTokens(): string[];
  /** Revokes every grant (refresh, access tokens) and ends every provider session of this user: "IT revoked it". */
  revokeUser(login: string): Promise<void>;
  /** Whether the provider still honours this refresh token (introspection without the network). */
  isRefreshTokenActive(token: string): Promise<boolean>;
  /** Delays answers to refresh requests (ms), so tests can overlap two renewals. */
  setRefreshDelay(ms: number): void;
  /** Stops listening (connections refused) without forgetting anything; up() listens on the same port again. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
  /** The public JWKS URL (for checking ID-token signatures in tests). */
  jwksUri: string;
}

const CLIENT_ID = 'grantbox';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

function password(): string {
  return randomBytes(9).toString('base64url');
}

export function defaultRigUsers(): RigUser[] {
  return [
    { login: 'john', password: password(), email: 'john@company1.example', name: 'John Example', groups: ['hr-staff'] },
    { login: 'mallory', password: password(), email: 'mallory@company1.example', name: 'Mallory Example', groups: ['contractors'] },
  ];
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startOidcProvider(options: OidcProviderRigOptions = {}): Promise<OidcProviderRig> {
  if (!options.verbose) silenceProviderWarnings();
  const { default: Provider, interactionPolicy } = await import('oidc-provider');
  // Pre-approved first-party client: no consent page, also not the "native clients always confirm" one.
  const policy = interactionPolicy.base();
  policy.get('consent')?.checks.remove('native_client_prompt');
  const users = Object.fromEntries((options.users ?? defaultRigUsers()).map((u) => [u.login, u]));
  const clientId = options.clientId ?? CLIENT_ID;
  const issuerPath = (options.issuerPath ?? '/realms/company1').replace(/\/+$/, '');

  // Listen first so the issuer (which names the port) is known before the provider is built.
  const server = http.createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}${issuerPath}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };

  const ttl = options.ttl ?? {};
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_name: 'Grantbox',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        // Native app + loopback: the provider accepts any port on these (RFC 8252 §7.3).
        redirect_uris: ['http://127.0.0.1/oauth/callback'],
        grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      // Groups come with the profile, as Keycloak's and Entra's group claims do without an extra scope.
      profile: ['name', 'preferred_username', 'groups'],
      groups: ['groups'],
    },
    // The ID token carries the claims of the granted scopes (Keycloak/Okta style): STS and Grantbox read them there.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    interactions: { policy },
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
    },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      IdToken: ttl.idToken ?? 600,
      AccessToken: ttl.accessToken ?? 600,
      RefreshToken: ttl.refreshToken ?? 14 * 24 * 3600,
      DeviceCode: ttl.deviceCode ?? 600,
      AuthorizationCode: 60,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    findAccount: async (_ctx: unknown, sub: string) => {
      const user = users[sub];
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email: user.email, email_verified: true, name: user.name, preferred_username: user.login, groups: user.groups }),
      };
    },
    // First-party client: consent is pre-approved for what it asks, so signing in is one login page.
    loadExistingGrant: async (ctx: GrantCtx) => {
      const { provider: p, client, session, result } = ctx.oidc;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) {
        const existing = await p.Grant.find(grantId);
        if (existing) return existing;
      }
      if (!session.accountId) return undefined;
      const grant = new p.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid offline_access profile email groups');
      await grant.save();
      return grant;
    },
    renderError: async (ctx: { type: string; body: string }, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>Sign-in error</title><h1>Sign-in error</h1><pre>${escapeHtml(JSON.stringify(out, null, 2))}</pre>`;
    },
  });
  // The provider sits behind our http server: take X-Forwarded-* never, trust only itself.
  provider.proxy = false;

  // ---- bookkeeping for tests ----
  const counts = new Map<string, number>();
  let revocations = 0;
  let refreshDelayMs = 0;
  const grantsByUser = new Map<string, Set<string>>();
  const sessionsByUser = new Map<string, Set<string>>();
  const issued: string[] = [];
  const remember = (map: Map<string, Set<string>>, key: string | undefined, value: string | undefined): void => {
    if (!key || !value) return;
    const set = map.get(key) ?? new Set<string>();
    set.add(value);
    map.set(key, set);
  };
  provider.on('grant.saved', (g: ProviderEventSubject) => remember(grantsByUser, g.accountId, g.jti));
  provider.on('refresh_token.saved', (t: ProviderEventSubject) => {
    remember(grantsByUser, t.accountId, t.grantId);
    issued.push(t.jti);
  });
  provider.on('session.saved', (s: ProviderEventSubject) => remember(sessionsByUser, s.accountId, s.jti));

  provider.use(async (ctx: ProviderContext, next: () => Promise<void>) => {
    // The dev login page takes any password; this one checks it (and refuses unknown users) before the provider.
    if (ctx.method === 'POST' && /^\/interaction\/[^/]+$/.test(ctx.path)) {
      const body = parseQuery(await readBody(ctx.req));
      if (body.prompt === 'login') {
        const user = typeof body.login === 'string' ? users[body.login] : undefined;
        if (!user || body.password !== user.password) {
          ctx.status = 401;
          ctx.type = 'html';
          ctx.body = `<!doctype html><title>Sign-in</title><p id="wrong-password">Wrong user name or password.</p><p><a href="${escapeHtml(ctx.path)}">Try again</a></p>`;
          return;
        }
      }
      (ctx.req as http.IncomingMessage & { body?: unknown }).body = body;
    }
    const isToken = ctx.method === 'POST' && ctx.path === '/token';
    const isRevocation = ctx.method === 'POST' && ctx.path === '/token/revocation';
    if (isRevocation) revocations += 1;
    if (isToken && refreshDelayMs > 0) {
      // Read the grant type without consuming the body the provider needs.
      const text = await readBody(ctx.req);
      const parsed = parseQuery(text);
      (ctx.req as http.IncomingMessage & { body?: unknown }).body = parsed;
      if (parsed.grant_type === 'refresh_token') await new Promise((r) => setTimeout(r, refreshDelayMs));
    }
    try {
      await next();
    } finally {
      if (isToken) {
        const grantType = String(ctx.oidc?.params?.grant_type ?? (ctx.req as { body?: { grant_type?: string } }).body?.grant_type ?? 'unknown');
        counts.set(grantType, (counts.get(grantType) ?? 0) + 1);
      }
    }
  });

  const callback = provider.callback();
  server.on('request', (req, res) => {
    const url = req.url ?? '/';
    if (url === issuerPath || url.startsWith(`${issuerPath}/`) || url.startsWith(`${issuerPath}?`)) {
      (req as http.IncomingMessage & { originalUrl?: string }).originalUrl = url;
      req.url = url.slice(issuerPath.length) || '/';
      callback(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });

  let listening = true;
  const closeServer = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  };

  return {
    issuer,
    port,
    clientId,
    users,
    jwksUri: `${issuer}/jwks`,
    tokenRequests: (grantType) => (grantType ? (counts.get(grantType) ?? 0) : [...counts.values()].reduce((a, b) => a + b, 0)),
    refreshRequests: () => counts.get('refresh_token') ?? 0,
    revocationRequests: () => revocations,
    issuedTokens: () => [...issued],
    setRefreshDelay: (ms) => {
      refreshDelayMs = ms;
    },
    async revokeUser(login) {
      const models = [provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode, provider.DeviceCode];
      for (const grantId of grantsByUser.get(login) ?? []) {
        await Promise.all(models.map((m) => m.revokeByGrantId?.(grantId)));
        await provider.Grant.adapter.destroy(grantId);
      }
      grantsByUser.delete(login);
      for (const sessionId of sessionsByUser.get(login) ?? []) await provider.Session.adapter.destroy(sessionId);
      sessionsByUser.delete(login);
    },
    async isRefreshTokenActive(token) {
      const found = await provider.RefreshToken.find(token);
      return Boolean(found?.isValid);
    },
    down: closeServer,
    async up() {
      if (listening) return;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      listening = true;
    },
    stop: closeServer,
  };
}

interface GrantLike {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}

interface GrantCtx {
  oidc: {
    provider: { Grant: { new (init: { clientId: string; accountId: string }): GrantLike; find(id: string): Promise<GrantLike | undefined> } };
    client: { clientId: string };
    session: { accountId?: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
  };
}

let silenced = false;
/** The provider warns (once per process) that dev interactions and default pages are for development: they are. */
function silenceProviderWarnings(): void {
  if (silenced) return;
  silenced = true;
  const warn = console.warn.bind(console);
  const info = console.info.bind(console);
  // The provider colours its lines on a terminal: look past a leading escape sequence.
  const ESC = String.fromCharCode(27);
  const mine = (args: unknown[]) => typeof args[0] === 'string' && (args[0].startsWith('oidc-provider ') || (args[0].startsWith(ESC) && args[0].includes('moidc-provider ')));
  console.warn = (...args: unknown[]) => {
    if (!mine(args)) warn(...args);
  };
  console.info = (...args: unknown[]) => {
    if (!mine(args)) info(...args);
  };
}
