// The session manager: turns a grant into a short-lived STS session (AssumeRole, or AssumeRoleWithWebIdentity with a
// fresh ID token for company sign-in, always with the grant's exact session policy), keeps the credentials in memory
// only, hands them to AWS clients as a credential provider that carries `expiration` and refreshes ahead of time,
// and tells the UI what is happening (started, refreshed, expiring at 10 and 2 minutes, expired, ended, failed).
// Every step goes to the session log — never a secret.
//
// Refresh policy (why): a session that is being used (its provider was called since the last assume) is renewed
// silently `lead` before expiry, lead = min(5 min, 20% of the duration), so an upload longer than a session never
// fails; concurrent callers share one refresh. An idle session is left to expire with warnings, so the grant's
// duration still means something. A failed refresh keeps the old credentials until they expire and emits `failed`.
//
// MFA grants: one MFA-backed GetSessionToken (12 h by default, kept in memory only, forgotten on sign-out/close)
// is used to call AssumeRole, so the person types a code once per working day instead of every hour — the role's
// trust policy sees aws:MultiFactorAuthPresent on those credentials. The MFA device is found with
// iam:ListMFADevices on the signed-in user (or given in `mfaSerialNumber`), so nobody has to paste its ARN.
// One concept over 400 lines: a session's life (assume, renew, warn, expire, end) is one state machine per grant;
// the STS calls and their error mapping are shared by every step of it.
import { randomUUID } from 'node:crypto';
import { ListMFADevicesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetSessionTokenCommand, type AssumeRoleCommandInput, type Credentials } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { SessionLogWriter } from '../audit/types';
import type { AwsClientFactory } from '../aws/client-factory';
import { fromAwsError } from '../aws/errors';
import { AppError, isAppError, toAppError } from '../errors';
import type { AwsBaseCredentials, BaseCredentials, WebIdentityBaseCredentials } from '../identity/methods/types';
import { Listeners } from '../listeners';
import type { MfaPrompt, SessionService, Unsubscribe } from '../services';
import type { SessionEvent, SessionEventType, SessionInfo } from '../../../preload/contract';
import type { GrantResolver, SessionGrant } from './types';

/** Injectable time source so tests can use fake timers (vi.useFakeTimers fakes both by default). */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Timers must not keep a CLI process alive.
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface SessionManagerDeps {
  /** Fresh base credentials for each STS call: an access key (AssumeRole) or a company ID token (AssumeRoleWithWebIdentity). */
  identity: { baseCredentials(): Promise<BaseCredentials> };
  grants: GrantResolver;
  clients: AwsClientFactory;
  log?: SessionLogWriter;
  clock?: Clock;
  /** MFA device ARN/serial; when absent it is discovered with iam:ListMFADevices. */
  mfaSerialNumber?: string;
  /** Lifetime of the MFA-backed GetSessionToken credentials (default 12 h, AWS allows 15 min–36 h for IAM users). */
  mfaSessionSeconds?: number;
}

type Creds = AwsCredentialIdentity & { sessionToken: string; expiration: Date };

/** The temporary keys in an STS answer (AssumeRole, GetSessionToken); an answer missing any part is refused. */
function stsCredentials(out: { Credentials?: Credentials; $metadata?: { requestId?: string } }): Creds {
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    throw new AppError('AWS_UNREADABLE_RESPONSE', 'The service answered without temporary access keys.', {
      details: { hint: 'Check that the endpoint in your settings points at an AWS-compatible STS.', requestId: out.$metadata?.requestId },
    });
  }
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration) };
}

interface Live {
  grant: SessionGrant;
  info: SessionInfo;
  creds: Creds | null;
  /** The one refresh in flight; concurrent callers await it. */
  inflight: Promise<Creds> | null;
  /** The provider was asked for credentials since the last (re)assume: the session is in use. */
  used: boolean;
  /** After a failed refresh, do not try again before this time (ms). */
  retryAfter: number;
  timers: unknown[];
  mfaPrompt?: MfaPrompt;
}

interface MfaSession {
  accessKeyId: string;
  creds: Creds;
}

/** Warnings before expiry, in minutes. */
export const EXPIRING_THRESHOLDS_MIN = [10, 2] as const;
const FIVE_MIN_MS = 5 * 60_000;
/** AWS's limit for a session assumed with another role's temporary keys (role chaining). */
export const ROLE_CHAINING_MAX_SECONDS = 3600;
const TRANSIENT_CODES = new Set(['WEB_IDENTITY_PROVIDER_UNREACHABLE', 'SIGN_IN_PROVIDER_UNREACHABLE', 'NO_NETWORK', 'ENDPOINT_UNREACHABLE', 'ENDPOINT_TIMEOUT', 'AWS_SERVICE_ERROR', 'AWS_THROTTLED', 'CLOCK_SKEW']);

/** How long before expiry a used session is renewed: min(5 min, 20% of its duration). */
export function refreshLeadMs(durationMs: number): number {
  return Math.min(FIVE_MIN_MS, Math.max(0, Math.floor(durationMs * 0.2)));
}

/** STS SourceIdentity / RoleSessionName alphabet: [\w+=,.@-], 2–64 characters. */
export function sanitizeSourceIdentity(name: string): string {
  const clean = name.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return clean.length >= 2 ? clean : clean.padEnd(2, '-');
}

function last4(s: string | undefined): string | undefined {
  return s ? s.slice(-4) : undefined;
}

/**
 * A refusal of AssumeRole that cannot tell wrong keys from a trust-policy refusal: the identity was never confirmed
 * (the service has no GetCallerIdentity), and S3-compatible services answer both with AccessDenied. Say both, in
 * the order that is likelier (keys that passed the sign-in check → trust first).
 */
function keysOrTrust(err: AppError, grant: SessionGrant, identity: AwsBaseCredentials['identity']): AppError {
  if (identity.verified || (err.code !== 'NOT_IN_TRUST_POLICY' && err.code !== 'AWS_ACCESS_DENIED')) return err;
  const ask = grant.contact ?? 'your administrator';
  const trust = `the grant’s role does not trust ${identity.arn ? identity.arn : 'your access key'}`;
  const keys = identity.keysChecked ? 'your access key was changed or removed since you signed in' : 'your access keys are wrong';
  const message = identity.keysChecked
    ? `The storage service refused “${grant.title}”: either ${trust}, or ${keys}.`
    : `The storage service refused “${grant.title}” and cannot say why: either ${keys}, or ${trust}.`;
  return new AppError('KEYS_OR_TRUST_REFUSED', message, {
    cause: err,
    details: {
      ...err.details,
      hint: `If you have new keys, sign out and sign in again with them. Otherwise ask ${ask} to give you access to “${grant.title}” (the role’s trust policy must name you).`,
    },
  });
}

export class SessionManager implements SessionService {
  private readonly sessions = new Map<string, Live>();
  private readonly starting = new Map<string, Promise<SessionInfo>>();
  private readonly listeners = new Listeners<SessionEvent>();
  private readonly clock: Clock;
  private mfaSession: MfaSession | null = null;
  private mfaSessionPending: Promise<Creds> | null = null;
  /** Roles whose trust policy refused sts:SetSourceIdentity: assume them without it (see assumeRole). */
  private readonly noSourceIdentity = new Set<string>();

  constructor(private readonly deps: SessionManagerDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  // ---------- public API ----------

  list(): SessionInfo[] {
    return [...this.sessions.values()].map((l) => ({ ...l.info }));
  }

  async assume(grant: string, options: { mfaPrompt?: MfaPrompt } = {}): Promise<SessionInfo> {
    const live = this.sessions.get(grant);
    if (live?.creds && this.clock.now() < this.refreshAt(live)) {
      if (options.mfaPrompt) live.mfaPrompt = options.mfaPrompt;
      return { ...live.info };
    }
    if (live?.creds) return this.extend(grant, options);
    const pending = this.starting.get(grant);
    if (pending) return pending;
    const start = this.start(grant, options.mfaPrompt).finally(() => this.starting.delete(grant));
    this.starting.set(grant, start);
    return start;
  }

  async extend(grant: string, options: { mfaPrompt?: MfaPrompt } = {}): Promise<SessionInfo> {
    const live = this.sessions.get(grant);
    if (!live || !live.creds) return this.assume(grant, options);
    if (options.mfaPrompt) live.mfaPrompt = options.mfaPrompt;
    await this.refresh(live, { force: true, throwOnFailure: true });
    return { ...live.info };
  }

  async end(grant: string, reason?: string): Promise<void> {
    const live = this.sessions.get(grant);
    if (!live) return;
    this.clearTimers(live);
    live.creds = null;
    live.info = { ...live.info, state: 'ended' };
    this.sessions.delete(grant);
    this.emit('ended', live, reason ? { reason } : {});
    await this.log({ type: 'session.ended', grant, sessionName: live.info.sessionName, ...(reason ? { reason } : {}) });
  }

  /** Ends every session and forgets the MFA session (sign-out, app quit). */
  async endAll(reason?: string): Promise<void> {
    this.mfaSession = null;
    for (const grant of [...this.sessions.keys()]) await this.end(grant, reason);
  }

  credentialProvider(grant: string): AwsCredentialIdentityProvider {
    return async () => {
      const live = this.sessions.get(grant);
      if (!live) {
        throw new AppError('SESSION_NOT_STARTED', `Access for “${grant}” has not been started.`, {
          details: { hint: 'Start the grant first (the Start button, or `grantbox assume`).', grant },
        });
      }
      live.used = true;
      const now = this.clock.now();
      if (live.creds && now < this.refreshAt(live)) return live.creds;
      if (live.creds && now < live.retryAfter && now < live.creds.expiration.getTime()) return live.creds;
      if (!live.creds) throw this.expiredError(live);
      try {
        return await this.refresh(live, { force: false, throwOnFailure: true });
      } catch (e) {
        // Keep working on the old credentials until they really run out.
        if (live.creds && this.clock.now() < live.creds.expiration.getTime()) return live.creds;
        throw isAppError(e) ? e : toAppError(e);
      }
    };
  }

  onEvent(listener: (event: SessionEvent) => void): Unsubscribe {
    return this.listeners.add(listener);
  }

  /** Stops all timers (app quit / CLI exit) without emitting events. Credentials are dropped. */
  close(): void {
    for (const live of this.sessions.values()) {
      this.clearTimers(live);
      live.creds = null;
    }
    this.sessions.clear();
    this.mfaSession = null;
  }

  // ---------- assume / refresh ----------

  private async start(grantName: string, mfaPrompt: MfaPrompt | undefined): Promise<SessionInfo> {
    let grant: SessionGrant | undefined;
    try {
      const base = await this.deps.identity.baseCredentials();
      grant = this.deps.grants.resolvedFor(grantName, base.identity);
      const { creds, info } = await this.assumeWith(grant, base, mfaPrompt, false);
      const live: Live = { grant, info, creds, inflight: null, used: false, retryAfter: 0, timers: [], ...(mfaPrompt ? { mfaPrompt } : {}) };
      this.sessions.set(grantName, live);
      this.schedule(live);
      this.emit('started', live);
      return { ...live.info };
    } catch (e) {
      const err = toAppError(e);
      if (grant) {
        const now = new Date(this.clock.now()).toISOString();
        const info: SessionInfo = { grant: grant.name, grantTitle: grant.title, roleArn: grant.roleArn, sessionName: grant.sessionName, startedAt: now, expiresAt: now, state: 'failed' };
        this.listeners.emit({ type: 'failed', at: now, session: info, error: err.toJSON() });
      }
      throw err;
    }
  }

  /** Re-assumes for a live session; shared by the timer, the provider and extend(). */
  private refresh(live: Live, opts: { force: boolean; throwOnFailure: boolean }): Promise<Creds> {
    if (live.inflight) return live.inflight;
    const run = (async () => {
      try {
        // A company sign-in gets a fresh ID token here first (baseCredentials refreshes it).
        const base = await this.deps.identity.baseCredentials();
        const grant = this.deps.grants.resolvedFor(live.grant.name, base.identity);
        const { creds, info } = await this.assumeWith(grant, base, live.mfaPrompt, true);
        if (this.sessions.get(live.grant.name) !== live) return creds; // ended meanwhile
        live.grant = grant;
        live.creds = creds;
        live.used = false;
        live.retryAfter = 0;
        live.info = { ...info, startedAt: live.info.startedAt, refreshedAt: new Date(this.clock.now()).toISOString() };
        this.schedule(live);
        this.emit('refreshed', live);
        return creds;
      } catch (e) {
        const err = toAppError(e);
        const now = this.clock.now();
        const expiresAt = live.creds?.expiration.getTime() ?? now;
        live.retryAfter = now + Math.max(1_000, Math.min(30_000, Math.floor((expiresAt - now) / 3)));
        await this.log({ type: 'session.refresh_failed', grant: live.grant.name, code: err.code, requestId: err.details.requestId, httpStatus: err.details.httpStatus, expiresAt: live.info.expiresAt });
        this.emit('failed', live, { error: err.toJSON() });
        if (TRANSIENT_CODES.has(err.code) && now < expiresAt && !opts.force) {
          live.timers.push(this.clock.setTimeout(() => void this.timerRefresh(live), live.retryAfter - now));
        }
        throw err;
      } finally {
        live.inflight = null;
      }
    })();
    live.inflight = run;
    if (!opts.throwOnFailure) run.catch(() => undefined);
    return run;
  }

  private async timerRefresh(live: Live): Promise<void> {
    if (this.sessions.get(live.grant.name) !== live || !live.creds) return;
    await this.refresh(live, { force: false, throwOnFailure: false }).catch(() => undefined);
  }

  private assumeWith(grant: SessionGrant, base: BaseCredentials, mfaPrompt: MfaPrompt | undefined, isRefresh: boolean): Promise<{ creds: Creds; info: SessionInfo }> {
    return base.kind === 'webIdentity' ? this.assumeRoleWithWebIdentity(grant, base, isRefresh) : this.assumeRole(grant, base, mfaPrompt, isRefresh);
  }

  /**
   * Company sign-in: STS AssumeRoleWithWebIdentity with the provider's fresh ID token (an unsigned call: the token
   * is the proof). The role's trust policy names the IAM OIDC identity provider and checks aud/sub/groups.
   */
  private async assumeRoleWithWebIdentity(grant: SessionGrant, base: WebIdentityBaseCredentials, isRefresh: boolean): Promise<{ creds: Creds; info: SessionInfo }> {
    const ctx = { operation: 'AssumeRoleWithWebIdentity', grant: grant.title, ...(grant.contact ? { contact: grant.contact } : {}), endpoint: this.deps.clients.endpoint('STS') };
    if (grant.mfa) {
      throw new AppError('MFA_NEEDS_ACCESS_KEY', `“${grant.title}” asks for an MFA code, which Grantbox can only add to access-key sign-ins.`, {
        details: { hint: `With company sign-in, your company's sign-in page does the MFA. Ask ${grant.contact ?? 'your administrator'} to remove mfa: true from the grant (and require MFA at the company's sign-in instead).`, grant: grant.name },
      });
    }
    // The call is unsigned; a provider that is ever asked for keys here would be a bug, so it says so.
    const sts = this.deps.clients.sts({
      credentials: async () => {
        throw new Error('AssumeRoleWithWebIdentity is not signed');
      },
    });
    try {
      const out = await sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: grant.roleArn,
          RoleSessionName: grant.sessionName,
          WebIdentityToken: base.token,
          Policy: grant.policyJson,
          DurationSeconds: grant.durationSeconds,
        }),
      );
      const { creds, info } = this.sessionFrom(grant, out);
      await this.log({
        type: isRefresh ? 'session.refreshed' : 'session.started',
        grant: grant.name,
        roleArn: grant.roleArn,
        sessionName: grant.sessionName,
        assumedRoleArn: info.assumedRoleArn,
        expiresAt: info.expiresAt,
        durationSeconds: grant.durationSeconds,
        policySize: grant.policySize ?? grant.policyJson.length,
        packedPolicySize: out.PackedPolicySize,
        mfa: false,
        requestId: out.$metadata?.requestId,
        accessKeyIdLast4: info.accessKeyIdLast4,
        signIn: 'oidc',
        provider: out.Provider,
        audience: out.Audience,
      });
      return { creds, info };
    } catch (e) {
      throw await this.startFailed(grant, isAppError(e) ? e : fromAwsError(e, ctx), isRefresh);
    } finally {
      sts.destroy();
    }
  }

  private async assumeRole(grant: SessionGrant, lt: AwsBaseCredentials, mfaPrompt: MfaPrompt | undefined, isRefresh: boolean): Promise<{ creds: Creds; info: SessionInfo }> {
    const base = grant.mfa
      ? await this.mfaCredentials(grant, lt, mfaPrompt)
      : { accessKeyId: lt.accessKeyId, secretAccessKey: lt.secretAccessKey, ...(lt.sessionToken ? { sessionToken: lt.sessionToken } : {}) };
    const sourceIdentity = lt.identity.userName ? sanitizeSourceIdentity(lt.identity.userName) : undefined;
    const input: AssumeRoleCommandInput = {
      RoleArn: grant.roleArn,
      RoleSessionName: grant.sessionName,
      // Temporary base keys (IAM Identity Center's role keys) make this role chaining, which AWS caps at one hour;
      // asking for more is refused, so ask for what AWS gives (the banner shows the real expiry).
      DurationSeconds: lt.sessionToken ? Math.min(grant.durationSeconds, ROLE_CHAINING_MAX_SECONDS) : grant.durationSeconds,
      Policy: grant.policyJson,
      ...(grant.externalId ? { ExternalId: grant.externalId } : {}),
    };
    const sts = this.deps.clients.sts({ credentials: base });
    const ctx = { operation: 'AssumeRole', grant: grant.title, ...(grant.contact ? { contact: grant.contact } : {}), endpoint: this.deps.clients.endpoint('STS') };
    let usedSourceIdentity = sourceIdentity && !this.noSourceIdentity.has(grant.roleArn) ? sourceIdentity : undefined;
    try {
      let out;
      try {
        out = await sts.send(new AssumeRoleCommand({ ...input, ...(usedSourceIdentity ? { SourceIdentity: usedSourceIdentity } : {}) }));
      } catch (e) {
        // SourceIdentity needs sts:SetSourceIdentity in the role's trust policy, which the tutorial's policy lacks.
        // Rather than lock people out, try once without it and tell the admin (logged) how to get it back.
        const first = fromAwsError(e, ctx);
        if (!usedSourceIdentity || first.code !== 'NOT_IN_TRUST_POLICY') throw e;
        out = await sts.send(new AssumeRoleCommand(input));
        this.noSourceIdentity.add(grant.roleArn);
        usedSourceIdentity = undefined;
        await this.log({
          type: 'session.source_identity_refused',
          grant: grant.name,
          roleArn: grant.roleArn,
          note: 'The role trust policy does not allow sts:SetSourceIdentity; sessions start without SourceIdentity. Add that action to the trust policy so CloudTrail shows who used the role.',
          requestId: first.details.requestId,
        });
      }
      const { creds, info } = this.sessionFrom(grant, out, usedSourceIdentity);
      await this.log({
        type: isRefresh ? 'session.refreshed' : 'session.started',
        grant: grant.name,
        roleArn: grant.roleArn,
        sessionName: grant.sessionName,
        sourceIdentity: usedSourceIdentity,
        assumedRoleArn: info.assumedRoleArn,
        expiresAt: info.expiresAt,
        durationSeconds: grant.durationSeconds,
        policySize: grant.policySize ?? grant.policyJson.length,
        packedPolicySize: out.PackedPolicySize,
        mfa: grant.mfa,
        requestId: out.$metadata?.requestId,
        accessKeyIdLast4: info.accessKeyIdLast4,
        userAccessKeyIdLast4: last4(lt.accessKeyId),
      });
      return { creds, info };
    } catch (e) {
      throw await this.startFailed(grant, keysOrTrust(isAppError(e) ? e : fromAwsError(e, ctx), grant, lt.identity), isRefresh);
    } finally {
      sts.destroy();
    }
  }

  /** The credentials and the window's view of a session from an AssumeRole* answer (either call has these fields). */
  private sessionFrom(
    grant: SessionGrant,
    out: { Credentials?: Credentials; AssumedRoleUser?: { Arn?: string }; PackedPolicySize?: number; $metadata?: { requestId?: string } },
    sourceIdentity?: string,
  ): { creds: Creds; info: SessionInfo } {
    const creds = stsCredentials(out);
    const info: SessionInfo = {
      grant: grant.name,
      grantTitle: grant.title,
      roleArn: grant.roleArn,
      sessionName: grant.sessionName,
      ...(sourceIdentity ? { sourceIdentity } : {}),
      ...(out.AssumedRoleUser?.Arn ? { assumedRoleArn: out.AssumedRoleUser.Arn } : {}),
      startedAt: new Date(this.clock.now()).toISOString(),
      expiresAt: creds.expiration.toISOString(),
      state: 'active',
      ...(out.PackedPolicySize !== undefined ? { packedPolicySize: out.PackedPolicySize } : {}),
      accessKeyIdLast4: creds.accessKeyId.slice(-4),
    };
    return { creds, info };
  }

  /** Logs a failed start or renewal and returns the error to throw. */
  private async startFailed(grant: SessionGrant, err: AppError, isRefresh: boolean): Promise<AppError> {
    await this.log({
      type: isRefresh ? 'session.refresh_error' : 'session.start_failed',
      grant: grant.name,
      roleArn: grant.roleArn,
      sessionName: grant.sessionName,
      code: err.code,
      requestId: err.details.requestId,
      httpStatus: err.details.httpStatus,
      awsCode: err.details.awsCode,
    });
    return err;
  }

  // ---------- MFA ----------

  private async mfaCredentials(grant: SessionGrant, lt: AwsBaseCredentials, prompt: MfaPrompt | undefined): Promise<Creds> {
    const margin = 60_000;
    if (this.mfaSession && this.mfaSession.accessKeyId === lt.accessKeyId && this.mfaSession.creds.expiration.getTime() - margin > this.clock.now()) {
      return this.mfaSession.creds;
    }
    if (this.mfaSessionPending) return this.mfaSessionPending;
    const pending = this.newMfaSession(grant, lt, prompt).finally(() => {
      this.mfaSessionPending = null;
    });
    this.mfaSessionPending = pending;
    return pending;
  }

  private async newMfaSession(grant: SessionGrant, lt: AwsBaseCredentials, prompt: MfaPrompt | undefined): Promise<Creds> {
    if (!prompt) {
      throw new AppError('MFA_REQUIRED', `“${grant.title}” needs a code from your MFA app, and Grantbox could not ask for one.`, {
        details: { hint: 'Start the grant again from the app or the terminal so Grantbox can ask for the code.', grant: grant.name },
      });
    }
    const longTerm = { accessKeyId: lt.accessKeyId, secretAccessKey: lt.secretAccessKey };
    const serial = this.deps.mfaSerialNumber ?? (await this.discoverMfaDevice(longTerm, lt.identity.userName));
    const code = await prompt({ requestId: randomUUID(), grant: grant.name, grantTitle: grant.title, deviceName: serial });
    if (code === null) {
      throw new AppError('MFA_CANCELLED', `“${grant.title}” was not started because no MFA code was entered.`, { details: { hint: 'Start it again when you have your MFA app at hand.' } });
    }
    const tokenCode = code.trim();
    if (!/^\d{6}$/.test(tokenCode)) {
      throw new AppError('MFA_CODE_INVALID', 'An MFA code is 6 digits.', { details: { hint: 'Type the 6-digit code your authenticator app shows now.' } });
    }
    const sts = this.deps.clients.sts({ credentials: longTerm });
    try {
      const out = await sts.send(new GetSessionTokenCommand({ DurationSeconds: this.deps.mfaSessionSeconds ?? 12 * 3600, SerialNumber: serial, TokenCode: tokenCode }));
      const creds = stsCredentials(out);
      this.mfaSession = { accessKeyId: lt.accessKeyId, creds };
      await this.log({ type: 'mfa.session_started', grant: grant.name, device: serial, expiresAt: creds.expiration.toISOString(), requestId: out.$metadata?.requestId });
      return creds;
    } catch (e) {
      const err = isAppError(e) ? e : fromAwsError(e, { operation: 'GetSessionToken', grant: grant.title, ...(grant.contact ? { contact: grant.contact } : {}) });
      await this.log({ type: 'mfa.failed', grant: grant.name, code: err.code, requestId: err.details.requestId });
      throw err;
    } finally {
      sts.destroy();
    }
  }

  private async discoverMfaDevice(credentials: { accessKeyId: string; secretAccessKey: string }, userName: string): Promise<string> {
    const iam = this.deps.clients.iam({ credentials });
    try {
      const out = await iam.send(new ListMFADevicesCommand({}));
      const device = out.MFADevices?.[0]?.SerialNumber;
      if (!device) {
        throw new AppError('MFA_DEVICE_MISSING', `This grant needs MFA, but ${userName} has no MFA device set up in AWS.`, {
          details: { hint: 'Set up an authenticator app for your AWS user (IAM → Security credentials → Assign MFA device), or ask your administrator.' },
        });
      }
      return device;
    } catch (e) {
      if (isAppError(e)) throw e;
      const err = fromAwsError(e, { operation: 'ListMFADevices' });
      throw new AppError('MFA_DEVICE_LOOKUP_FAILED', 'Grantbox could not find your MFA device.', {
        cause: e,
        details: { ...err.details, hint: 'Ask your administrator to allow iam:ListMFADevices on your own user (AWS’s usual “manage your own MFA” policy includes it).' },
      });
    } finally {
      iam.destroy();
    }
  }

  // ---------- timers and events ----------

  private refreshAt(live: Live): number {
    if (!live.creds) return 0;
    const expires = live.creds.expiration.getTime();
    return expires - refreshLeadMs(live.grant.durationSeconds * 1000);
  }

  private schedule(live: Live): void {
    this.clearTimers(live);
    if (!live.creds) return;
    const now = this.clock.now();
    const expires = live.creds.expiration.getTime();
    const refreshAt = this.refreshAt(live);
    live.timers.push(
      this.clock.setTimeout(() => {
        // Only a session in use is renewed silently; an idle one runs out with warnings.
        if (live.used) void this.timerRefresh(live);
      }, Math.max(0, refreshAt - now)),
    );
    for (const minutes of EXPIRING_THRESHOLDS_MIN) {
      const at = expires - minutes * 60_000;
      if (at <= now) continue;
      live.timers.push(
        this.clock.setTimeout(() => {
          if (!live.creds || this.sessions.get(live.grant.name) !== live) return;
          // A session in use will be renewed before it matters; warn only when it won't be.
          if (live.used && at < refreshAt && live.retryAfter === 0) return;
          live.info = { ...live.info, state: 'expiring' };
          this.emit('expiring', live, { minutesLeft: minutes });
          void this.log({ type: 'session.expiring', grant: live.grant.name, minutesLeft: minutes, expiresAt: live.info.expiresAt });
        }, at - now),
      );
    }
    live.timers.push(this.clock.setTimeout(() => void this.expire(live), Math.max(0, expires - now)));
  }

  private async expire(live: Live): Promise<void> {
    if (this.sessions.get(live.grant.name) !== live || !live.creds) return;
    if (live.creds.expiration.getTime() > this.clock.now()) return this.schedule(live);
    this.clearTimers(live);
    live.creds = null;
    live.info = { ...live.info, state: 'expired' };
    this.emit('expired', live);
    await this.log({ type: 'session.expired', grant: live.grant.name, sessionName: live.info.sessionName, expiresAt: live.info.expiresAt });
  }

  private expiredError(live: Live): AppError {
    return new AppError('SESSION_EXPIRED', `Your access for “${live.grant.title}” has run out.`, {
      details: { hint: 'Start the grant again to continue.', grant: live.grant.name, expiresAt: live.info.expiresAt },
    });
  }

  private clearTimers(live: Live): void {
    for (const t of live.timers) this.clock.clearTimeout(t);
    live.timers = [];
  }

  private emit(type: SessionEventType, live: Live, extra: Partial<SessionEvent> = {}): void {
    this.listeners.emit({ type, at: new Date(this.clock.now()).toISOString(), session: { ...live.info }, ...extra });
  }


  private async log(record: { type: string; [k: string]: unknown }): Promise<void> {
    try {
      const clean = Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
      await this.deps.log?.append({ at: new Date(this.clock.now()).toISOString(), ...clean, type: record.type });
    } catch {
      // The session log is best effort; it must never stop a session.
    }
  }
}
