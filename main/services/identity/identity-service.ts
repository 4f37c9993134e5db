// The identity service: who is signed in, through the sign-in method the settings choose (signIn.method: access
// keys by default, OpenID Connect, IAM Identity Center). The app, the CLI and the session manager talk to this one
// object; the method behind it owns its keychain item and its record in the identity file (methods/*).
// Signing in or out ends the earlier sessions and uploads (onSignOut) and tells listeners who is signed in now.
import type { IdentityInfo, ProfileSummary, SignInMethodInfo } from '../../../preload/contract';
import { AppError, isAppError } from '../errors';
import { Listeners } from '../listeners';
import type { IdentityService, Unsubscribe } from '../services';
import { readIdentityRecord, recordMethod, removeIdentityRecord } from './identity-file';
import { AccessKeyMethod, type LongTermCredentials, type SignInOptions } from './methods/access-key';
import type { BaseCredentials, InteractiveSignInOptions, SignInMethod, SignInMethodDeps } from './methods/types';

export { IDENTITY_FILE } from './identity-file';
export { LONG_TERM_KEY_ACCOUNT, userNameFromArn, type LongTermCredentials, type SignInOptions } from './methods/access-key';

export interface IdentityServiceDeps extends SignInMethodDeps {
  /**
   * The configured method, built by the caller from the settings (createSignInMethod). Default: access keys.
   * The access-key calls (signIn with keys, profiles) work only when this is the access-key method.
   */
  method?: SignInMethod;
}

export class DefaultIdentityService implements IdentityService {
  private readonly listeners = new Listeners<IdentityInfo | null>();
  readonly method: SignInMethod;
  /** The provider refused to renew this sign-in (SIGN_IN_ENDED) and nobody has signed in again yet. */
  private ended = false;

  constructor(private readonly deps: IdentityServiceDeps) {
    this.method = deps.method ?? new AccessKeyMethod(deps);
  }

  summary(): SignInMethodInfo {
    return { method: this.method.kind, name: this.method.displayName };
  }

  private accessKeys(): AccessKeyMethod {
    if (this.method instanceof AccessKeyMethod) return this.method;
    throw new AppError('SIGN_IN_METHOD_NOT_KEYS', `This computer signs in with ${this.method.displayName}, not with an AWS access key.`, {
      details: { hint: `Use “Sign in with ${this.method.displayName}” (\`grantbox login\`).`, method: this.method.kind },
    });
  }

  async current(): Promise<IdentityInfo | null> {
    const info = await this.method.current();
    return info && this.ended ? { ...info, signInEnded: true } : info;
  }

  /**
   * Credentials for one STS call (fresh each time); see SignInMethod.baseCredentials. When the provider says the
   * sign-in has ended (SIGN_IN_ENDED), listeners hear it once — the app shows "sign in again" and the upload queue
   * waits — until the person signs in again.
   */
  async baseCredentials(): Promise<BaseCredentials> {
    try {
      return await this.method.baseCredentials();
    } catch (e) {
      if (isAppError(e) && e.code === 'SIGN_IN_ENDED' && !this.ended) {
        this.ended = true;
        const info = await this.method.current().catch(() => null);
        if (info) this.listeners.emit({ ...info, signInEnded: true });
      }
      throw e;
    }
  }

  /** The long-term access key (access-key method only). Throws NOT_SIGNED_IN when nobody is signed in. */
  async longTermCredentials(): Promise<LongTermCredentials> {
    return this.accessKeys().longTermCredentials();
  }

  async signIn(accessKeyId: string, secretAccessKey: string, options: SignInOptions = {}): Promise<IdentityInfo> {
    const info = await this.accessKeys().signIn(accessKeyId, secretAccessKey, options);
    this.listeners.emit(info);
    return info;
  }

  /** `options.arn`/`options.userName` apply as for pasted keys (services without GetCallerIdentity). */
  async signInWithProfile(profile: string, options: Pick<SignInOptions, 'arn' | 'userName'> = {}): Promise<IdentityInfo> {
    const info = await this.accessKeys().signInWithProfile(profile, options);
    this.listeners.emit(info);
    return info;
  }

  listProfiles(): Promise<ProfileSummary[]> {
    if (!(this.method instanceof AccessKeyMethod)) return Promise.resolve([]);
    return this.method.listProfiles();
  }

  /** Browser or device sign-in with the configured company method. */
  async signInInteractive(options: InteractiveSignInOptions = {}): Promise<IdentityInfo> {
    const info = await this.method.signInInteractive(options);
    this.ended = false;
    this.listeners.emit(info);
    return info;
  }

  /** The keychain account of the current sign-in (tests, diagnostics); null when nobody is signed in. */
  async keychainAccount(): Promise<string | null> {
    const record = await readIdentityRecord(this.deps.dataDir).catch(() => null);
    return record && recordMethod(record) === this.method.kind ? record.keychainAccount : null;
  }

  async signOut(): Promise<void> {
    await this.deps.onSignOut?.();
    const record = await readIdentityRecord(this.deps.dataDir).catch((e: unknown) => {
      // A damaged record is still removed on sign-out.
      if (isAppError(e) && e.code === 'IDENTITY_FILE_DAMAGED') return null;
      throw e;
    });
    if (record && recordMethod(record) !== this.method.kind) {
      // Signed in with a method the settings no longer use: its keychain item and record still go.
      await this.deps.secretStore.delete(record.keychainAccount).catch(() => false);
      await removeIdentityRecord(this.deps.dataDir);
      await this.deps.log?.append({ type: 'signout', method: recordMethod(record) }).catch(() => undefined);
    } else {
      await this.method.signOut();
    }
    this.ended = false;
    this.listeners.emit(null);
  }

  onChanged(listener: (identity: IdentityInfo | null) => void): Unsubscribe {
    return this.listeners.add(listener);
  }
}
