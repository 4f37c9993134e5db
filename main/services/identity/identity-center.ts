// IAM Identity Center's wire, with AWS's own SDK clients (@aws-sdk/client-sso-oidc, @aws-sdk/client-sso): client
// registration cached until it expires (the client id in the data folder, the client secret in the keychain),
// authorization code + PKCE through the SSO-OIDC authorization endpoint and a loopback redirect (the app), the
// device authorization grant (the CLI), refresh with the refresh token (which the caller keeps in the keychain),
// GetRoleCredentials for the configured account and permission set, and Logout. It knows nothing of sessions:
// the sign-in method on top of it hands the role keys to the session manager, which AssumeRoles into a grant's role
// (role chaining, so at most 1 hour).
//
// Never ran against the real service (no local Identity Center exists): the tests drive this module with
// aws-sdk-client-mock answering as AWS documents. The request shapes follow AWS's API reference and the AWS CLI v2.
// One concept over 400 lines: one service's wire (register, authorize, refresh, role credentials, logout), which share
// the registration cache and the error mapping.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  CreateTokenCommand,
  RegisterClientCommand,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand,
  type CreateTokenCommandOutput,
} from '@aws-sdk/client-sso-oidc';
import { GetRoleCredentialsCommand, LogoutCommand, SSOClient } from '@aws-sdk/client-sso';
import { calculatePKCECodeChallenge, randomPKCECodeVerifier, randomState } from 'openid-client';
import type { SessionLogWriter } from '../audit/types';
import { fromAwsError } from '../aws/errors';
import { AppError, isAppError } from '../errors';
import { startLoopbackRedirect, type LoopbackRedirect } from './loopback-redirect';
import type { SecretStore } from './secret-store';

export interface IdentityCenterConfig {
  /** The AWS access portal, e.g. https://d-1234567890.awsapps.com/start */
  startUrl: string;
  region: string;
  accountId: string;
  roleName: string;
  /** Shown on the button and in messages ("Company1"). */
  name?: string;
}

export type IdentityCenterFlow = 'authCode' | 'device';

/** What a registration is: the secret stays in the keychain and in memory only while used. */
export interface Registration {
  flow: IdentityCenterFlow;
  clientId: string;
  clientSecret: string;
  expiresAt: Date;
}

/** Tokens from CreateToken. The access and refresh tokens never leave main and never reach a file or a log. */
export interface SsoTokens {
  accessToken: string;
  /** When the access token stops working. */
  accessTokenExpiresAt: Date;
  /** Absent when the service did not return (or rotate) one: keep the previous. */
  refreshToken?: string;
}

export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface DeviceAuthorization {
  verificationUri: string;
  verificationUriComplete?: string;
  userCode: string;
  expiresAt: Date;
  /** Resolves with the tokens once the person approved; polls honouring interval and slow_down (+5 s). */
  tokens: Promise<SsoTokens>;
}

export interface BrowserAuthorization {
  /** The SSO-OIDC /authorize URL to open in the default browser. */
  url: string;
  /** Resolves with the tokens once the browser came back to the loopback redirect and the code was exchanged. */
  tokens: Promise<SsoTokens>;
  cancel(): void;
}

export interface IdentityCenterDeps {
  config: IdentityCenterConfig;
  secretStore: SecretStore;
  dataDir: string;
  log?: SessionLogWriter;
  /** Test seams; the defaults build the SDK clients for config.region. */
  oidcClient?: () => SSOOIDCClient;
  ssoClient?: () => SSOClient;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const REGISTRATION_FILE = 'identity-center-client.json';
export const REGISTRATION_KEYCHAIN_PREFIX = 'identity-center-client';
/** The scope that lets the token call GetRoleCredentials (and makes CreateToken return a refresh token). */
export const SSO_SCOPES = ['sso:account:access'];
export const CLIENT_NAME = 'Grantbox';
/** Registered without a port: loopback redirects match any port (RFC 8252 §7.3), as the AWS CLI registers. */
export const REGISTERED_REDIRECT_URI = 'http://127.0.0.1/oauth/callback';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** Re-register this long before the registration runs out, so a sign-in never starts on a dying client. */
const REGISTRATION_MARGIN_MS = 24 * 3600_000;

interface StoredRegistration {
  flow: IdentityCenterFlow;
  startUrl: string;
  region: string;
  clientId: string;
  clientIdIssuedAt?: string;
  expiresAt: string;
  keychainAccount: string;
}

interface RegistrationFile {
  version: 1;
  registrations: StoredRegistration[];
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(cancelled());
      },
      { once: true },
    );
  });

function cancelled(): AppError {
  return new AppError('SIGN_IN_CANCELLED', 'Signing in was cancelled.', { details: { hint: 'Sign in again when you are ready.' } });
}

function awsName(e: unknown): string {
  return (e as { name?: string })?.name ?? '';
}

export class IdentityCenterSso {
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly name: string;

  constructor(private readonly deps: IdentityCenterDeps) {
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? defaultSleep;
    this.name = deps.config.name ?? 'IAM Identity Center';
  }

  private oidc(): SSOOIDCClient {
    return this.deps.oidcClient?.() ?? new SSOOIDCClient({ region: this.deps.config.region, maxAttempts: 3 });
  }

  private sso(): SSOClient {
    return this.deps.ssoClient?.() ?? new SSOClient({ region: this.deps.config.region, maxAttempts: 3 });
  }

  private endpointHost(): string {
    return `oidc.${this.deps.config.region}.amazonaws.com`;
  }

  private async log(record: { type: string; [k: string]: unknown }): Promise<void> {
    try {
      await this.deps.log?.append(record);
    } catch {
      // best effort
    }
  }

  // ---------- client registration ----------

  private get registrationFile(): string {
    return path.join(this.deps.dataDir, REGISTRATION_FILE);
  }

  private async readRegistrations(): Promise<StoredRegistration[]> {
    try {
      const parsed = JSON.parse(await fs.readFile(this.registrationFile, 'utf8')) as Partial<RegistrationFile>;
      return parsed.version === 1 && Array.isArray(parsed.registrations) ? parsed.registrations : [];
    } catch {
      // Missing or damaged: register again (a registration is cheap and replaceable).
      return [];
    }
  }

  private async writeRegistrations(list: StoredRegistration[]): Promise<void> {
    await fs.mkdir(this.deps.dataDir, { recursive: true, mode: 0o700 });
    const tmp = `${this.registrationFile}.${randomUUID()}.tmp`;
    await fs.writeFile(tmp, `${JSON.stringify({ version: 1, registrations: list } satisfies RegistrationFile, null, 2)}\n`, { mode: 0o600 });
    await fs.rename(tmp, this.registrationFile);
  }

  private matches(r: StoredRegistration, flow: IdentityCenterFlow): boolean {
    return r.flow === flow && r.startUrl === this.deps.config.startUrl && r.region === this.deps.config.region;
  }

  /** The client registration for a flow: the cached one while it has more than a day left, else a new one. */
  async registration(flow: IdentityCenterFlow): Promise<Registration> {
    const list = await this.readRegistrations();
    const cached = list.find((r) => this.matches(r, flow));
    if (cached && Date.parse(cached.expiresAt) - REGISTRATION_MARGIN_MS > this.now()) {
      const secret = await this.deps.secretStore.get(cached.keychainAccount);
      if (secret) return { flow, clientId: cached.clientId, clientSecret: secret, expiresAt: new Date(cached.expiresAt) };
    }
    return this.register(flow, list);
  }

  /** The registration a sign-in used (refresh must use the same client), or null when it is gone. */
  async registrationById(clientId: string): Promise<Registration | null> {
    const r = (await this.readRegistrations()).find((x) => x.clientId === clientId);
    if (!r) return null;
    const secret = await this.deps.secretStore.get(r.keychainAccount);
    return secret ? { flow: r.flow, clientId: r.clientId, clientSecret: secret, expiresAt: new Date(r.expiresAt) } : null;
  }

  private async register(flow: IdentityCenterFlow, list: StoredRegistration[]): Promise<Registration> {
    const client = this.oidc();
    try {
      const out = await client.send(
        new RegisterClientCommand({
          clientName: CLIENT_NAME,
          clientType: 'public',
          scopes: SSO_SCOPES,
          ...(flow === 'authCode'
            ? { grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [REGISTERED_REDIRECT_URI], issuerUrl: this.deps.config.startUrl }
            : { grantTypes: [DEVICE_GRANT, 'refresh_token'] }),
        }),
      );
      if (!out.clientId || !out.clientSecret || !out.clientSecretExpiresAt) {
        throw new AppError('AWS_UNREADABLE_RESPONSE', `${this.name} answered the client registration without a client.`, {
          details: { hint: 'Check the region in the sign-in settings; if it is right, tell IT.', requestId: out.$metadata?.requestId },
        });
      }
      const expiresAt = new Date(out.clientSecretExpiresAt * 1000);
      const keychainAccount = `${REGISTRATION_KEYCHAIN_PREFIX}:${randomUUID()}`;
      await this.deps.secretStore.set(keychainAccount, out.clientSecret);
      const previous = list.filter((r) => this.matches(r, flow));
      const stored: StoredRegistration = {
        flow,
        startUrl: this.deps.config.startUrl,
        region: this.deps.config.region,
        clientId: out.clientId,
        ...(out.clientIdIssuedAt ? { clientIdIssuedAt: new Date(out.clientIdIssuedAt * 1000).toISOString() } : {}),
        expiresAt: expiresAt.toISOString(),
        keychainAccount,
      };
      // Keep the previous registration of this flow: the current sign-in's refresh token belongs to its client.
      const others = list.filter((r) => !this.matches(r, flow));
      await this.writeRegistrations([...others, ...previous.slice(-1), stored]);
      for (const old of previous.slice(0, -1)) await this.deps.secretStore.delete(old.keychainAccount).catch(() => false);
      await this.log({ type: 'signin.client_registered', provider: 'identityCenter', flow, clientExpiresAt: stored.expiresAt, requestId: out.$metadata?.requestId });
      return { flow, clientId: out.clientId, clientSecret: out.clientSecret, expiresAt };
    } catch (e) {
      throw this.oidcError(e, 'RegisterClient');
    } finally {
      client.destroy();
    }
  }

  /** Removes registrations that have run out, with their keychain items (sign-out, or a new registration). */
  async pruneRegistrations(keepClientIds: string[] = []): Promise<void> {
    const list = await this.readRegistrations();
    const keep = list.filter((r) => keepClientIds.includes(r.clientId) || Date.parse(r.expiresAt) > this.now());
    for (const r of list) if (!keep.includes(r)) await this.deps.secretStore.delete(r.keychainAccount).catch(() => false);
    if (keep.length !== list.length) await this.writeRegistrations(keep);
  }

  // ---------- the app: authorization code + PKCE, loopback redirect ----------

  async authorizeInBrowser(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<BrowserAuthorization & { registration: Registration }> {
    const registration = await this.registration('authCode');
    const verifier = randomPKCECodeVerifier();
    const challenge = await calculatePKCECodeChallenge(verifier);
    const state = randomState();
    const loopback: LoopbackRedirect = await startLoopbackRedirect({ state, providerName: this.name, ...(options.signal ? { signal: options.signal } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
    const url = new URL(`https://${this.endpointHost()}/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: registration.clientId,
      redirect_uri: loopback.redirectUri,
      state,
      code_challenge_method: 'S256',
      code_challenge: challenge,
      // SSO-OIDC names the parameter "scopes" (the AWS CLI sends it so), not OAuth's "scope".
      scopes: SSO_SCOPES.join(' '),
    }).toString();
    const tokens = loopback.result.then(({ code }) =>
      this.createToken(registration, { grantType: 'authorization_code', code, redirectUri: loopback.redirectUri, codeVerifier: verifier }, 'authorization_code'),
    );
    return { url: url.toString(), tokens, cancel: () => loopback.close(), registration };
  }

  // ---------- the CLI: device authorization ----------

  async authorizeWithDevice(options: { signal?: AbortSignal } = {}): Promise<DeviceAuthorization & { registration: Registration }> {
    const registration = await this.registration('device');
    const client = this.oidc();
    let start;
    try {
      start = await client.send(new StartDeviceAuthorizationCommand({ clientId: registration.clientId, clientSecret: registration.clientSecret, startUrl: this.deps.config.startUrl }));
    } catch (e) {
      client.destroy();
      throw this.oidcError(e, 'StartDeviceAuthorization');
    }
    client.destroy();
    if (!start.deviceCode || !start.userCode || !start.verificationUri) {
      throw new AppError('AWS_UNREADABLE_RESPONSE', `${this.name} did not start the device sign-in.`, { details: { hint: 'Try again; if it repeats, tell IT.', requestId: start.$metadata?.requestId } });
    }
    const expiresAt = new Date(this.now() + (start.expiresIn ?? 600) * 1000);
    const deviceCode = start.deviceCode;
    const tokens = this.pollDevice(registration, deviceCode, Math.max(1, start.interval ?? 5), expiresAt, options.signal);
    tokens.catch(() => undefined);
    return {
      registration,
      verificationUri: start.verificationUri,
      ...(start.verificationUriComplete ? { verificationUriComplete: start.verificationUriComplete } : {}),
      userCode: start.userCode,
      expiresAt,
      tokens,
    };
  }

  private async pollDevice(registration: Registration, deviceCode: string, intervalSeconds: number, expiresAt: Date, signal?: AbortSignal): Promise<SsoTokens> {
    let interval = intervalSeconds;
    for (;;) {
      if (signal?.aborted) throw cancelled();
      await this.sleep(interval * 1000, signal);
      if (this.now() >= expiresAt.getTime()) {
        throw new AppError('SIGN_IN_TIMED_OUT', 'The sign-in code expired before it was approved.', { details: { hint: 'Run `grantbox login --device` again and approve the new code sooner.' } });
      }
      try {
        return await this.createToken(registration, { grantType: DEVICE_GRANT, deviceCode }, 'device_code');
      } catch (e) {
        const cause = isAppError(e) ? e.cause : e;
        const name = awsName(cause);
        if (name === 'AuthorizationPendingException') continue;
        // RFC 8628 §3.5: slow_down adds 5 seconds to the interval for this and every later request.
        if (name === 'SlowDownException') {
          interval += 5;
          continue;
        }
        throw e;
      }
    }
  }

  // ---------- tokens ----------

  /** A new access token from the refresh token. SIGN_IN_ENDED when Identity Center no longer honours it. */
  async refresh(registration: Registration, refreshToken: string): Promise<SsoTokens> {
    return this.createToken(registration, { grantType: 'refresh_token', refreshToken }, 'refresh_token');
  }

  private async createToken(
    registration: Registration,
    input: { grantType: string; code?: string; redirectUri?: string; codeVerifier?: string; deviceCode?: string; refreshToken?: string },
    grant: 'authorization_code' | 'device_code' | 'refresh_token',
  ): Promise<SsoTokens> {
    const client = this.oidc();
    let out: CreateTokenCommandOutput;
    try {
      out = await client.send(new CreateTokenCommand({ clientId: registration.clientId, clientSecret: registration.clientSecret, ...input }));
    } catch (e) {
      throw this.tokenError(e, grant);
    } finally {
      client.destroy();
    }
    if (!out.accessToken) {
      throw new AppError('AWS_UNREADABLE_RESPONSE', `${this.name} answered without an access token.`, { details: { hint: 'Try again; if it repeats, tell IT.', requestId: out.$metadata?.requestId } });
    }
    await this.log({ type: 'signin.token', provider: 'identityCenter', grant, rotated: grant === 'refresh_token' ? Boolean(out.refreshToken) : undefined, expiresIn: out.expiresIn, requestId: out.$metadata?.requestId });
    return {
      accessToken: out.accessToken,
      accessTokenExpiresAt: new Date(this.now() + (out.expiresIn ?? 3600) * 1000),
      ...(out.refreshToken ? { refreshToken: out.refreshToken } : {}),
    };
  }

  /** GetRoleCredentials for the configured account and permission set. */
  async roleCredentials(accessToken: string): Promise<RoleCredentials> {
    const client = this.sso();
    try {
      const out = await client.send(new GetRoleCredentialsCommand({ accessToken, accountId: this.deps.config.accountId, roleName: this.deps.config.roleName }));
      const c = out.roleCredentials;
      if (!c?.accessKeyId || !c.secretAccessKey || !c.sessionToken || !c.expiration) {
        throw new AppError('AWS_UNREADABLE_RESPONSE', `${this.name} answered without role credentials.`, { details: { hint: 'Try again; if it repeats, tell IT.', requestId: out.$metadata?.requestId } });
      }
      // GetRoleCredentials gives the expiration in milliseconds since the epoch.
      return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: new Date(c.expiration) };
    } catch (e) {
      if (isAppError(e)) throw e;
      const name = awsName(e);
      if (name === 'UnauthorizedException') {
        throw new AppError('IDENTITY_CENTER_TOKEN_REJECTED', `${this.name} no longer accepts this sign-in's access token.`, {
          cause: e,
          details: { hint: 'Grantbox renews it with your sign-in; if that fails, sign in again.' },
        });
      }
      if (name === 'ForbiddenException' || name === 'ResourceNotFoundException') {
        const { accountId, roleName } = this.deps.config;
        throw new AppError('IDENTITY_CENTER_ROLE_NOT_ASSIGNED', `You are signed in, but ${this.name} does not give you the permission set “${roleName}” in account ${accountId}.`, {
          cause: e,
          details: {
            hint: `Ask IT to assign you (or your group) the permission set ${roleName} in account ${accountId}, or to correct signIn.roleName / signIn.accountId in the settings.`,
            accountId,
            roleName,
          },
        });
      }
      throw fromAwsError(e, { operation: 'GetRoleCredentials', endpoint: `portal.sso.${this.deps.config.region}.amazonaws.com` });
    } finally {
      client.destroy();
    }
  }

  /** Ends the Identity Center session of this access token (best effort: sign-out goes on without it). */
  async logout(accessToken: string): Promise<boolean> {
    const client = this.sso();
    try {
      await client.send(new LogoutCommand({ accessToken }));
      return true;
    } catch {
      return false;
    } finally {
      client.destroy();
    }
  }

  // ---------- errors ----------

  private tokenError(e: unknown, grant: 'authorization_code' | 'device_code' | 'refresh_token'): AppError {
    const name = awsName(e);
    if (grant === 'refresh_token' && (name === 'InvalidGrantException' || name === 'ExpiredTokenException' || name === 'InvalidClientException' || name === 'UnauthorizedClientException')) {
      return new AppError('SIGN_IN_ENDED', `Your company sign-in has ended — sign in again.`, {
        cause: e,
        details: {
          hint: `${this.name} no longer accepts your sign-in (it expired, your password changed, or IT ended it). Sign in again; waiting uploads continue afterwards.`,
          awsCode: name,
          provider: 'identityCenter',
        },
      });
    }
    if (name === 'AccessDeniedException' || name === 'AuthorizationPendingException' || name === 'SlowDownException') {
      if (name === 'AccessDeniedException') {
        return new AppError('SIGN_IN_CONSENT_DENIED', `Signing in with ${this.name} was refused in the browser.`, {
          cause: e,
          details: { hint: 'Sign in again and allow Grantbox. If your company refuses it, ask IT whether you may use Grantbox.', awsCode: name },
        });
      }
      return new AppError('SIGN_IN_PENDING', 'The sign-in is not finished yet.', { cause: e, details: { hint: 'Finish signing in in the browser.', awsCode: name } });
    }
    if (name === 'ExpiredTokenException') {
      return new AppError('SIGN_IN_TIMED_OUT', 'The sign-in code expired before it was approved.', { cause: e, details: { hint: 'Sign in again and approve the new code sooner.', awsCode: name } });
    }
    return this.oidcError(e, 'CreateToken');
  }

  private oidcError(e: unknown, operation: string): AppError {
    if (isAppError(e)) return e;
    const name = awsName(e);
    if (['InvalidClientException', 'InvalidClientMetadataException', 'InvalidRedirectUriException', 'UnauthorizedClientException', 'UnsupportedGrantTypeException', 'InvalidScopeException', 'InvalidRequestRegionException', 'InvalidGrantException', 'InvalidRequestException'].includes(name)) {
      return new AppError('SIGN_IN_MISCONFIGURED', `${this.name} refused Grantbox's sign-in request (${name.replace(/Exception$/, '')}).`, {
        cause: e,
        details: {
          hint: 'The sign-in settings or the Identity Center setup do not fit Grantbox (start URL, region, allowed applications). Tell IT and include the helpdesk log.',
          awsCode: name,
          operation,
          requestId: (e as { $metadata?: { requestId?: string } }).$metadata?.requestId,
        },
      });
    }
    const err = fromAwsError(e, { operation, endpoint: `https://${this.endpointHost()}` });
    if (err.code === 'NO_NETWORK' || err.code === 'ENDPOINT_UNREACHABLE' || err.code === 'ENDPOINT_TIMEOUT' || err.code === 'TLS_UNTRUSTED') {
      return new AppError('SIGN_IN_PROVIDER_UNREACHABLE', `Grantbox could not reach ${this.name} (${this.endpointHost()}).`, {
        cause: e,
        details: { ...err.details, hint: 'Check your internet connection (and VPN); if it works, check the region in the sign-in settings or tell IT.' },
      });
    }
    return err;
  }
}
