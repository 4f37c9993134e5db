// IAM Identity Center sign-in (signIn.method: identityCenter): the browser flow (authorization code + PKCE, the
// app) or the device flow (`grantbox login --device`) through ../identity-center.ts, then the refresh token in the
// keychain — the keychain item's secret IS the refresh token, the newest after each rotation — and in the identity
// file only who signed in, with which client registration. Access token and role keys live in memory only.
//
// baseCredentials() gives the session manager GetRoleCredentials keys for the configured account and permission
// set; it then AssumeRoles into the grant's role with the grant's session policy. That is role chaining, so those
// sessions last at most one hour (the session manager caps DurationSeconds; `grants lint` warns).
import { randomUUID } from 'node:crypto';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { IdentityCenterSignInSettings } from '../../../../config/schema';
import type { IdentityInfo } from '../../../../preload/contract';
import { fromAwsError } from '../../aws/errors';
import { AppError, isAppError } from '../../errors';
import { readIdentityRecord, recordMethod, removeIdentityRecord, writeIdentityRecord, type IdentityRecord } from '../identity-file';
import { IdentityCenterSso, type Registration, type RoleCredentials } from '../identity-center';
import type { AwsBaseCredentials, InteractiveSignInOptions, OpenUrl, SignInLink, SignInMethod, SignInMethodDeps } from './types';

/** Prefix of the keychain account whose secret is the Identity Center refresh token. */
export const IDENTITY_CENTER_REFRESH_ACCOUNT = 'identity-center-refresh-token';
/** Renew role keys / access tokens this long before they run out. */
const MARGIN_MS = 5 * 60_000;

interface IdentityCenterRecord extends IdentityRecord {
  method: 'identityCenter';
  clientId: string;
  startUrl: string;
  region: string;
  accountId: string;
  roleName: string;
  /** The permission set's assumed-role ARN (arn:aws:sts::A:assumed-role/AWSReservedSSO_R_x/USER). */
  arn: string;
  account: string;
  userName: string;
}

export interface IdentityCenterMethodDeps extends SignInMethodDeps {
  settings: IdentityCenterSignInSettings;
  openUrl?: OpenUrl;
  /** Test seam: the wire (SDK clients) to use. */
  sso?: IdentityCenterSso;
  now?: () => number;
}

function userFromAssumedRole(arn: string): string {
  // arn:aws:sts::629470240201:assumed-role/AWSReservedSSO_GrantboxUploader_0123/john@company1.example
  return arn.split(':').slice(5).join(':').split('/')[2] ?? arn;
}

export class IdentityCenterMethod implements SignInMethod {
  readonly kind = 'identityCenter' as const;
  readonly displayName: string;
  private readonly sso: IdentityCenterSso;
  private readonly now: () => number;
  private accessToken: { token: string; expiresAt: number } | null = null;
  private role: RoleCredentials | null = null;
  /** One renewal at a time in this process; callers share it. */
  private renewing: Promise<string> | null = null;

  constructor(private readonly deps: IdentityCenterMethodDeps) {
    this.displayName = deps.settings.name ?? 'IAM Identity Center';
    this.now = deps.now ?? Date.now;
    this.sso =
      deps.sso ??
      new IdentityCenterSso({
        config: { startUrl: deps.settings.startUrl, region: deps.settings.region, accountId: deps.settings.accountId, roleName: deps.settings.roleName, name: this.displayName },
        secretStore: deps.secretStore,
        dataDir: deps.dataDir,
        ...(deps.log ? { log: deps.log } : {}),
        // The portal and OIDC APIs go through the same proxy and CA rules as everything else.
        oidcClient: () => deps.clients.ssoOidc(deps.settings.region),
        ssoClient: () => deps.clients.sso(deps.settings.region),
      });
  }

  private async log(record: { type: string; [k: string]: unknown }): Promise<void> {
    try {
      await this.deps.log?.append(record);
    } catch {
      // best effort
    }
  }

  private async readRecord(): Promise<IdentityCenterRecord | null> {
    const record = await readIdentityRecord(this.deps.dataDir);
    if (!record || recordMethod(record) !== 'identityCenter') return null;
    return record as IdentityCenterRecord;
  }

  private toInfo(r: IdentityCenterRecord): IdentityInfo {
    return {
      arn: r.arn,
      account: r.account,
      userName: r.userName,
      accessKeyIdLast4: '',
      verified: true,
      method: 'identityCenter',
      provider: this.displayName,
      signedInAt: r.signedInAt,
    };
  }

  async signInInteractive(options: InteractiveSignInOptions = {}): Promise<IdentityInfo> {
    const signal = options.signal;
    let registration: Registration;
    let tokens;
    if (options.device) {
      const flow = await this.sso.authorizeWithDevice(signal ? { signal } : {});
      registration = flow.registration;
      const link: SignInLink = {
        url: flow.verificationUriComplete ?? flow.verificationUri,
        userCode: flow.userCode,
        verificationUri: flow.verificationUri,
        // The device flow is for machines without a browser: the link is printed, not opened.
        opened: false,
        expiresAt: flow.expiresAt.toISOString(),
      };
      options.onLink?.(link);
      tokens = await flow.tokens;
    } else {
      const flow = await this.sso.authorizeInBrowser(signal ? { signal } : {});
      registration = flow.registration;
      try {
        const opened = this.deps.openUrl ? await this.deps.openUrl(flow.url).catch(() => false) : false;
        options.onLink?.({ url: flow.url, opened });
        tokens = await flow.tokens;
      } catch (e) {
        flow.cancel();
        throw e;
      }
    }
    if (!tokens.refreshToken) {
      throw new AppError('SIGN_IN_MISCONFIGURED', `${this.displayName} signed you in but gave Grantbox no way to stay signed in (no refresh token).`, {
        details: { hint: 'Tell IT: the Identity Center instance must allow refresh tokens for public clients (scope sso:account:access).' },
      });
    }
    const role = await this.sso.roleCredentials(tokens.accessToken);
    const arn = await this.whoAmI(role);

    const previous = await readIdentityRecord(this.deps.dataDir).catch(() => null);
    // Someone else (or another method) signing in ends the earlier sessions and uploads; the same person signing in
    // again after the sign-in ended keeps them, so waiting uploads continue.
    const samePerson = previous !== null && recordMethod(previous) === 'identityCenter' && previous.userName === userFromAssumedRole(arn);
    if (previous && !samePerson) await this.deps.onSignOut?.();
    const keychainAccount = `${IDENTITY_CENTER_REFRESH_ACCOUNT}:${randomUUID()}`;
    await this.deps.secretStore.set(keychainAccount, tokens.refreshToken);
    const record: IdentityCenterRecord = {
      version: 1,
      method: 'identityCenter',
      keychainAccount,
      clientId: registration.clientId,
      startUrl: this.deps.settings.startUrl,
      region: this.deps.settings.region,
      accountId: this.deps.settings.accountId,
      roleName: this.deps.settings.roleName,
      arn,
      account: arn.split(':')[4] ?? this.deps.settings.accountId,
      userName: userFromAssumedRole(arn),
      signedInAt: new Date(this.now()).toISOString(),
    };
    await writeIdentityRecord(this.deps.dataDir, record);
    if (previous && previous.keychainAccount !== keychainAccount) await this.deps.secretStore.delete(previous.keychainAccount).catch(() => false);
    this.accessToken = { token: tokens.accessToken, expiresAt: tokens.accessTokenExpiresAt.getTime() };
    this.role = role;
    await this.sso.pruneRegistrations([registration.clientId]).catch(() => undefined);
    await this.log({ type: 'signin.ok', method: 'identityCenter', arn, userName: record.userName, account: record.account, flow: options.device ? 'device' : 'browser' });
    return this.toInfo(record);
  }

  private async whoAmI(role: RoleCredentials): Promise<string> {
    const sts = this.deps.clients.sts({ credentials: role });
    try {
      const out = await sts.send(new GetCallerIdentityCommand({}));
      if (!out.Arn) throw new AppError('AWS_UNREADABLE_RESPONSE', 'AWS did not say who you are.', { details: { hint: 'Try again.' } });
      return out.Arn;
    } catch (e) {
      throw isAppError(e) ? e : fromAwsError(e, { operation: 'GetCallerIdentity', endpoint: this.deps.clients.endpoint('STS') });
    } finally {
      sts.destroy();
    }
  }

  async current(): Promise<IdentityInfo | null> {
    const record = await this.readRecord();
    if (!record) return null;
    // The keychain is the truth: a record without its refresh token is not a sign-in.
    if ((await this.deps.secretStore.get(record.keychainAccount)) === null) return null;
    return this.toInfo(record);
  }

  async baseCredentials(): Promise<AwsBaseCredentials> {
    const record = await this.readRecord();
    if (!record) {
      throw new AppError('NOT_SIGNED_IN', 'You are not signed in.', { details: { hint: `Sign in with ${this.displayName} first (\`grantbox login\`).` } });
    }
    if (!this.role || this.role.expiration.getTime() - MARGIN_MS <= this.now()) {
      let token = await this.freshAccessToken(record, false);
      try {
        this.role = await this.sso.roleCredentials(token);
      } catch (e) {
        if (!isAppError(e) || e.code !== 'IDENTITY_CENTER_TOKEN_REJECTED') throw e;
        token = await this.freshAccessToken(record, true);
        this.role = await this.sso.roleCredentials(token);
      }
    }
    const role = this.role;
    return {
      kind: 'aws',
      accessKeyId: role.accessKeyId,
      secretAccessKey: role.secretAccessKey,
      sessionToken: role.sessionToken,
      expiration: role.expiration,
      identity: this.toInfo(record),
    };
  }

  /** The access token in memory, or a new one from the refresh token (the newest kept in the keychain). */
  private freshAccessToken(record: IdentityCenterRecord, force: boolean): Promise<string> {
    if (!force && this.accessToken && this.accessToken.expiresAt - MARGIN_MS > this.now()) return Promise.resolve(this.accessToken.token);
    if (this.renewing) return this.renewing;
    this.renewing = (async () => {
      const refreshToken = await this.deps.secretStore.get(record.keychainAccount);
      if (refreshToken === null) {
        throw new AppError('SIGN_IN_SECRET_MISSING', `Your saved sign-in (${record.userName}) is no longer in this computer's keychain.`, { details: { hint: `Sign in again with ${this.displayName}.` } });
      }
      const registration = await this.sso.registrationById(record.clientId);
      if (!registration) {
        throw new AppError('SIGN_IN_ENDED', 'Your company sign-in has ended — sign in again.', {
          details: { hint: `Grantbox's registration with ${this.displayName} is gone or expired. Sign in again; waiting uploads continue afterwards.`, provider: 'identityCenter' },
        });
      }
      const tokens = await this.sso.refresh(registration, refreshToken);
      if (tokens.refreshToken && tokens.refreshToken !== refreshToken) await this.deps.secretStore.set(record.keychainAccount, tokens.refreshToken);
      this.accessToken = { token: tokens.accessToken, expiresAt: tokens.accessTokenExpiresAt.getTime() };
      return tokens.accessToken;
    })().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  async signOut(): Promise<void> {
    const record = await this.readRecord().catch(() => null);
    if (record) {
      // Ends the Identity Center session too, when a token is at hand (best effort: sign-out never fails on it).
      const token = await this.freshAccessToken(record, false).catch(() => null);
      if (token) await this.sso.logout(token);
      await this.deps.secretStore.delete(record.keychainAccount).catch(() => false);
    }
    this.accessToken = null;
    this.role = null;
    await removeIdentityRecord(this.deps.dataDir);
    await this.sso.pruneRegistrations().catch(() => undefined);
    await this.log({ type: 'signout', method: 'identityCenter', ...(record ? { userName: record.userName } : {}) });
  }
}
