// OpenID Connect sign-in (signIn.method: oidc), all OAuth done by openid-client (a certified relying-party
// library): discovery; Authorization Code + PKCE (S256) in the person's default browser with a loopback redirect
// on 127.0.0.1 and a random port (RFC 8252), state and nonce checked; or the Device Authorization Grant (RFC 8628)
// for headless machines, honouring interval and slow_down.
//
// What is kept where: the refresh token — and only it — is the keychain item's secret (after each rotation, the
// newest one); who signed in (issuer, client, sub, user, groups, when) is the identity-file record; ID and access
// tokens live in this object's memory only and are never logged.
//
// Fresh ID tokens for STS (baseCredentials): each call refreshes with the refresh token under the data folder's
// refresh lock, so the app and CLI never present the same (rotating) refresh token twice. A process that waited
// while another refreshed sees the newer refresh token in the keychain: the sign-in is known to be alive that very
// moment, so it keeps its own ID token when that still has a minute left instead of making a second request. A
// refresh refused with invalid_grant is SIGN_IN_ENDED ("sign in again"); the session manager keeps queued uploads
// waiting. Sign-out revokes the refresh token at the provider (RFC 7009) when it offers revocation, then deletes it.
import { createHash, randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import type { OidcSignInSettings } from '../../../../config/schema';
import type { IdentityInfo } from '../../../../preload/contract';
import { AppError, isAppError } from '../../errors';
import { readIdentityRecord, recordMethod, removeIdentityRecord, writeIdentityRecord, type IdentityRecord } from '../identity-file';
import { startLoopbackRedirect } from '../loopback-redirect';
import { oidcError, type OidcStep } from '../oidc-errors';
import { withRefreshLock, type RefreshLockOptions } from '../refresh-lock';
import type { InteractiveSignInOptions, OpenUrl, SignInMethod, SignInMethodDeps, WebIdentityBaseCredentials } from './types';

export const OIDC_KEYCHAIN_ACCOUNT = 'oidc-refresh-token';
export const DEFAULT_OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
/** An ID token handed to STS must outlive the call comfortably. */
const MIN_ID_TOKEN_LIFE_MS = 60_000;
/** Renewals of several grants at once (one process) share one refresh. */
const SHARE_WINDOW_MS = 5_000;

export interface OidcMethodOptions extends SignInMethodDeps {
  settings: OidcSignInSettings;
  /** Opens the authorization page in the default browser; without it the link is only handed to onLink. */
  openUrl?: OpenUrl;
  lock?: RefreshLockOptions;
  /** Seconds the provider may take to answer (default 15). */
  timeoutSeconds?: number;
  /** fetch through the proxy and CA rules (network.fetch); default the global fetch. */
  fetch?: (input: string | URL, init?: RequestInit) => Promise<Response>;
}

interface OidcRecord extends IdentityRecord {
  method: 'oidc';
  issuer: string;
  clientId: string;
  sub: string;
  userName: string;
  groups: string[];
  provider: string;
}

interface Memory {
  idToken: string;
  expiresAt: number;
  obtainedAt: number;
  /** sha256 of the refresh token this process last saw: tells whether another process rotated it since. */
  refreshTokenHash: string;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function isLoopbackHttp(issuer: string): boolean {
  const u = new URL(issuer);
  return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
}

/** The user name: the configured claim, else preferred_username, email, sub (the first that is a non-empty string). */
export function userFromClaims(claims: Record<string, unknown>, userClaim?: string): string {
  const order = userClaim ? [userClaim] : ['preferred_username', 'email', 'sub'];
  for (const name of order) {
    const v = claims[name];
    if (typeof v === 'string' && v.trim()) return v.trim();
  }
  return typeof claims.sub === 'string' ? claims.sub : '';
}

/** The groups claim as a list of names (a single string counts as one group; anything else as none). */
export function groupsFromClaims(claims: Record<string, unknown>, groupsClaim = 'groups'): string[] {
  const v = claims[groupsClaim];
  if (typeof v === 'string' && v) return [v];
  if (Array.isArray(v)) return v.filter((g): g is string => typeof g === 'string' && g.length > 0);
  return [];
}

export class OidcMethod implements SignInMethod {
  readonly kind = 'oidc' as const;
  readonly displayName: string;
  private readonly issuer: string;
  private readonly host: string;
  private configuration: Promise<oidc.Configuration> | null = null;
  private memory: Memory | null = null;
  private inflight: Promise<WebIdentityBaseCredentials> | null = null;

  constructor(private readonly deps: OidcMethodOptions) {
    this.issuer = deps.settings.issuer;
    this.host = new URL(this.issuer).host;
    this.displayName = deps.settings.name ?? this.host;
  }

  private get scopes(): string {
    return (this.deps.settings.scopes ?? DEFAULT_OIDC_SCOPES).join(' ');
  }

  private fail(e: unknown, step: OidcStep): AppError {
    return oidcError(e, { step, provider: this.displayName, host: this.host });
  }

  private async log(record: { type: string; [k: string]: unknown }): Promise<void> {
    try {
      await this.deps.log?.append(record);
    } catch {
      // Best effort: a full disk must not stop a sign-in.
    }
  }

  /** Discovery, once per process (a failure is forgotten, so the next call tries again). */
  private config(): Promise<oidc.Configuration> {
    this.configuration ??= oidc
      .discovery(new URL(this.issuer), this.deps.settings.clientId, undefined, oidc.None(), {
        execute: isLoopbackHttp(this.issuer) ? [oidc.allowInsecureRequests] : [],
        timeout: this.deps.timeoutSeconds ?? 15,
        ...(this.deps.fetch ? { [oidc.customFetch]: this.deps.fetch as unknown as oidc.CustomFetch } : {}),
      })
      .then((config) => {
        config.timeout = this.deps.timeoutSeconds ?? 15;
        // Every later request (token, device, revocation, JWKS) goes through the same proxy and CA rules.
        if (this.deps.fetch) config[oidc.customFetch] = this.deps.fetch as unknown as oidc.CustomFetch;
        return config;
      })
      .catch((e: unknown) => {
        this.configuration = null;
        throw this.fail(e, 'discovery');
      });
    return this.configuration;
  }

  // ---------- sign-in ----------

  async signInInteractive(options: InteractiveSignInOptions = {}): Promise<IdentityInfo> {
    const config = await this.config();
    const started = Date.now();
    const tokens = options.device ? await this.deviceFlow(config, options) : await this.browserFlow(config, options);
    return this.finishSignIn(tokens, options.device ? 'device' : 'browser', started);
  }

  private async browserFlow(config: oidc.Configuration, options: InteractiveSignInOptions) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const loopback = await startLoopbackRedirect({ state, providerName: this.displayName, ...(options.signal ? { signal: options.signal } : {}) });
    try {
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: loopback.redirectUri,
        scope: this.scopes,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      }).href;
      const opened = await this.open(url);
      options.onLink?.({ url, opened });
      const { url: callback } = await loopback.result;
      try {
        return await oidc.authorizationCodeGrant(config, new URL(callback), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
      } catch (e) {
        throw this.fail(e, 'token');
      }
    } finally {
      loopback.close();
    }
  }

  private async open(url: string): Promise<boolean> {
    const openUrl: OpenUrl | undefined = this.deps.openUrl;
    if (!openUrl) return false;
    try {
      return await openUrl(url);
    } catch {
      return false;
    }
  }

  private async deviceFlow(config: oidc.Configuration, options: InteractiveSignInOptions) {
    let device: oidc.DeviceAuthorizationResponse;
    try {
      device = await oidc.initiateDeviceAuthorization(config, { scope: this.scopes });
    } catch (e) {
      throw this.fail(e, 'device');
    }
    options.onLink?.({
      url: device.verification_uri_complete ?? device.verification_uri,
      userCode: device.user_code,
      verificationUri: device.verification_uri,
      opened: false,
      expiresAt: new Date(Date.now() + device.expires_in * 1000).toISOString(),
    });
    try {
      // openid-client polls at `interval` and adds 5 s on each slow_down (RFC 8628 §3.5).
      return await oidc.pollDeviceAuthorizationGrant(config, device, undefined, options.signal ? { signal: options.signal } : undefined);
    } catch (e) {
      throw this.fail(e, 'device');
    }
  }

  private async finishSignIn(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, flow: 'browser' | 'device', started: number): Promise<IdentityInfo> {
    const claims = tokens.claims();
    if (!tokens.id_token || !claims) {
      throw new AppError('SIGN_IN_RESPONSE_INVALID', `${this.displayName} did not send an ID token, so Grantbox cannot tell who signed in.`, {
        details: { hint: 'Tell IT: the client must be an OpenID Connect client with the openid scope.', step: 'token', provider: this.displayName },
      });
    }
    if (!tokens.refresh_token) {
      throw new AppError('SIGN_IN_NO_REFRESH_TOKEN', `${this.displayName} signed you in but does not let Grantbox stay signed in.`, {
        details: { hint: 'Tell IT: the Grantbox client must be allowed refresh tokens (the offline_access scope or "refresh token" grant).', provider: this.displayName },
      });
    }
    const record: OidcRecord = {
      version: 1,
      method: 'oidc',
      keychainAccount: `${OIDC_KEYCHAIN_ACCOUNT}:${randomUUID()}`,
      issuer: this.issuer,
      clientId: this.deps.settings.clientId,
      sub: claims.sub,
      userName: userFromClaims(claims, this.deps.settings.userClaim),
      groups: groupsFromClaims(claims, this.deps.settings.groupsClaim),
      provider: this.displayName,
      signedInAt: new Date().toISOString(),
    };
    const previous = await readIdentityRecord(this.deps.dataDir).catch(() => null);
    // Someone else signing in ends the earlier sessions and uploads; the same person signing in again (after the
    // sign-in ended) keeps them, so the uploads waiting for it continue.
    const samePerson = previous !== null && recordMethod(previous) === 'oidc' && previous.issuer === record.issuer && previous.sub === record.sub;
    if (previous && !samePerson) await this.deps.onSignOut?.();
    await this.deps.secretStore.set(record.keychainAccount, tokens.refresh_token);
    await writeIdentityRecord(this.deps.dataDir, record);
    if (previous && previous.keychainAccount !== record.keychainAccount) await this.deps.secretStore.delete(previous.keychainAccount).catch(() => false);
    this.memory = { idToken: tokens.id_token, expiresAt: claims.exp * 1000, obtainedAt: Date.now(), refreshTokenHash: sha(tokens.refresh_token) };
    await this.log({ type: 'signin.ok', method: 'oidc', provider: this.displayName, flow, userName: record.userName, groups: record.groups, durationMs: Date.now() - started });
    return this.toInfo(record);
  }

  private toInfo(r: OidcRecord): IdentityInfo {
    return { arn: '', account: '', userName: r.userName, accessKeyIdLast4: '', verified: true, method: 'oidc', provider: r.provider, groups: [...r.groups], signedInAt: r.signedInAt };
  }

  // ---------- who, and fresh tokens ----------

  private async record(): Promise<OidcRecord | null> {
    const r = await readIdentityRecord(this.deps.dataDir);
    if (!r || recordMethod(r) !== 'oidc') return null;
    const o = r as OidcRecord;
    // Signed in at another provider or client than the settings now name: not a sign-in here.
    if (o.issuer !== this.issuer || o.clientId !== this.deps.settings.clientId || typeof o.sub !== 'string' || typeof o.userName !== 'string') return null;
    return { ...o, groups: Array.isArray(o.groups) ? o.groups.filter((g) => typeof g === 'string') : [] };
  }

  private secretMissing(r: OidcRecord): AppError {
    return new AppError('SIGN_IN_SECRET_MISSING', `Your saved sign-in (${r.userName}) is no longer in this computer's keychain.`, {
      details: { hint: `Sign in again with ${this.displayName}.`, provider: this.displayName },
    });
  }

  async current(): Promise<IdentityInfo | null> {
    const r = await this.record();
    if (!r) return null;
    if ((await this.deps.secretStore.get(r.keychainAccount)) === null) throw this.secretMissing(r);
    return this.toInfo(r);
  }

  baseCredentials(): Promise<WebIdentityBaseCredentials> {
    this.inflight ??= this.freshIdToken().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async freshIdToken(): Promise<WebIdentityBaseCredentials> {
    const r = await this.record();
    if (!r) throw new AppError('NOT_SIGNED_IN', 'You are not signed in.', { details: { hint: `Sign in with ${this.displayName} first (\`grantbox login\`).` } });
    const now = Date.now();
    const m = this.memory;
    if (m && now - m.obtainedAt < SHARE_WINDOW_MS && m.expiresAt - now > MIN_ID_TOKEN_LIFE_MS) return this.credentials(r, m);
    const config = await this.config();
    return withRefreshLock(
      this.deps.dataDir,
      async ({ waited }) => {
        const refreshToken = await this.deps.secretStore.get(r.keychainAccount);
        if (refreshToken === null) throw this.secretMissing(r);
        const mem = this.memory;
        const at = Date.now();
        if (mem && sha(refreshToken) !== mem.refreshTokenHash && mem.expiresAt - at > MIN_ID_TOKEN_LIFE_MS) {
          // Another process refreshed just now: the sign-in is alive; our ID token still has time left.
          mem.refreshTokenHash = sha(refreshToken);
          mem.obtainedAt = at;
          await this.log({ type: 'signin.refresh_shared', method: 'oidc', provider: this.displayName, waited });
          return this.credentials(r, mem);
        }
        let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
        try {
          tokens = await oidc.refreshTokenGrant(config, refreshToken);
        } catch (e) {
          const err = this.fail(e, 'refresh');
          await this.log({ type: 'signin.refresh_failed', method: 'oidc', provider: this.displayName, code: err.code, providerError: err.details.providerError });
          throw err;
        }
        const claims = tokens.claims();
        if (!tokens.id_token || !claims) {
          throw new AppError('SIGN_IN_RESPONSE_INVALID', `${this.displayName} renewed the sign-in without an ID token.`, {
            details: { hint: 'Tell IT: refreshing must return an ID token (the openid scope) for Grantbox to get AWS access.', step: 'refresh', provider: this.displayName },
          });
        }
        if (claims.sub !== r.sub) {
          throw new AppError('SIGN_IN_RESPONSE_INVALID', `${this.displayName} answered for a different person than the one signed in.`, {
            details: { hint: 'Sign out and sign in again.', step: 'refresh', provider: this.displayName },
          });
        }
        const rotated = typeof tokens.refresh_token === 'string' && tokens.refresh_token !== refreshToken;
        const newest = rotated ? tokens.refresh_token! : refreshToken;
        // The newest refresh token reaches the keychain before the lock is released: the next holder reads it.
        if (rotated) await this.deps.secretStore.set(r.keychainAccount, newest);
        const userName = userFromClaims(claims, this.deps.settings.userClaim);
        const groups = groupsFromClaims(claims, this.deps.settings.groupsClaim);
        if (userName !== r.userName || groups.join('\n') !== r.groups.join('\n')) {
          // The provider's view changed (a new group, a renamed account): keep the record current for grants.
          r.userName = userName;
          r.groups = groups;
          await writeIdentityRecord(this.deps.dataDir, r);
        }
        this.memory = { idToken: tokens.id_token, expiresAt: claims.exp * 1000, obtainedAt: Date.now(), refreshTokenHash: sha(newest) };
        await this.log({ type: 'signin.refreshed', method: 'oidc', provider: this.displayName, rotated, waited });
        return this.credentials(r, this.memory);
      },
      this.deps.lock,
    );
  }

  private credentials(r: OidcRecord, m: Memory): WebIdentityBaseCredentials {
    return { kind: 'webIdentity', token: m.idToken, expiresAt: new Date(m.expiresAt), identity: this.toInfo(r) };
  }

  // ---------- sign-out ----------

  async signOut(): Promise<void> {
    const raw = await readIdentityRecord(this.deps.dataDir).catch((e: unknown) => {
      // A damaged record is still removed on sign-out.
      if (isAppError(e) && e.code === 'IDENTITY_FILE_DAMAGED') return null;
      throw e;
    });
    const r = raw && recordMethod(raw) === 'oidc' ? await this.record().catch(() => null) : null;
    this.memory = null;
    let revoked: boolean | 'not offered' = false;
    if (raw && recordMethod(raw) === 'oidc' && !r) {
      // Signed in at a provider the settings no longer name: nothing to revoke here, but the token still goes.
      await this.deps.secretStore.delete(raw.keychainAccount).catch(() => false);
    }
    if (r) {
      const refreshToken = await this.deps.secretStore.get(r.keychainAccount).catch(() => null);
      if (refreshToken) {
        try {
          const config = await this.config();
          if (config.serverMetadata().revocation_endpoint) {
            await oidc.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
            revoked = true;
          } else {
            revoked = 'not offered';
          }
        } catch (e) {
          // Signing out must work offline: the token is still removed here; the provider lets it expire.
          const err = this.fail(e, 'revocation');
          await this.log({ type: 'signout.revoke_failed', method: 'oidc', provider: this.displayName, code: err.code, providerError: err.details.providerError });
        }
      }
      await this.deps.secretStore.delete(r.keychainAccount);
    }
    await removeIdentityRecord(this.deps.dataDir);
    await this.log({ type: 'signout', method: 'oidc', ...(r ? { userName: r.userName, provider: r.provider, revoked } : {}) });
  }
}
