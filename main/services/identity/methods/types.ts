// What the identity service needs from a sign-in method (access keys, OpenID Connect, IAM Identity Center), so
// the app, the CLI and the session manager work the same whichever one the settings choose. A method owns its
// record in the identity file and its one keychain item; it never hands a secret to anything outside main.
import type { SignInMethodKind } from '../../../../config/schema';
import type { IdentityInfo } from '../../../../preload/contract';
import type { SessionLogWriter } from '../../audit/types';
import type { AwsClientFactory } from '../../aws/client-factory';
import type { SecretStore } from '../secret-store';

/** Opens a link in the person's default browser; resolves false when none could be opened (then show the link). */
export type OpenUrl = (url: string) => Promise<boolean>;

/** Where the person finishes signing in: a browser page, or (device flow) a page plus a code to check. */
export interface SignInLink {
  /** The page to open: the authorization URL, or the device flow's verification_uri_complete when given. */
  url: string;
  /** Device flow: the code shown on the page (the person compares or types it). */
  userCode?: string;
  /** Device flow: the page without the code in it. */
  verificationUri?: string;
  /** Whether `openUrl` opened it; when false the UI offers "Copy sign-in link" and the CLI prints it. */
  opened: boolean;
  /** When the link stops working (ISO time), when known. */
  expiresAt?: string;
}

export interface InteractiveSignInOptions {
  /** Device Authorization Grant (RFC 8628) instead of browser + loopback redirect: for headless machines. */
  device?: boolean;
  /** Called once the link exists: the UI shows the waiting state, the CLI prints it. */
  onLink?: (link: SignInLink) => void;
  /** Aborting stops waiting (SIGN_IN_CANCELLED); nothing is stored. */
  signal?: AbortSignal;
}

/** Keys the session manager calls STS with (AssumeRole): a long-term access key, or Identity Center role keys. */
export interface AwsBaseCredentials {
  kind: 'aws';
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for temporary keys (Identity Center's GetRoleCredentials): then AssumeRole is role chaining (≤ 1 h). */
  sessionToken?: string;
  expiration?: Date;
  identity: IdentityInfo;
}

/** A fresh OpenID Connect ID token for STS AssumeRoleWithWebIdentity. */
export interface WebIdentityBaseCredentials {
  kind: 'webIdentity';
  /** The ID token: in memory only, never logged. */
  token: string;
  /** The token's `exp`. */
  expiresAt: Date;
  identity: IdentityInfo;
}

export type BaseCredentials = AwsBaseCredentials | WebIdentityBaseCredentials;

export interface SignInMethod {
  readonly kind: SignInMethodKind;
  /** What the sign-in button names ("Company1"); for access keys "AWS access key". */
  readonly displayName: string;
  /**
   * Signs in through the browser (or the device flow): resolves with who signed in once the secret is in the
   * keychain. Rejects with SIGN_IN_CANCELLED when `signal` aborts. The access-key method has no interactive
   * sign-in (it takes typed keys) and rejects with SIGN_IN_NEEDS_KEYS.
   */
  signInInteractive(options?: InteractiveSignInOptions): Promise<IdentityInfo>;
  /** Who is signed in with this method (record and keychain item both present), or null. */
  current(): Promise<IdentityInfo | null>;
  /**
   * Credentials for one STS call, fetched fresh each time: the access key read from the keychain, or an ID token
   * just obtained with the stored refresh token. NOT_SIGNED_IN when nobody is; SIGN_IN_ENDED when the provider
   * no longer honours the sign-in (the person must sign in again; nothing queued is lost).
   */
  baseCredentials(): Promise<BaseCredentials>;
  /** Ends the sign-in: revokes at the provider when it can, then removes the keychain item and the record. */
  signOut(): Promise<void>;
}

/** What every method is built from (methods/index.ts picks one from the settings). */
export interface SignInMethodDeps {
  secretStore: SecretStore;
  clients: AwsClientFactory;
  dataDir: string;
  log?: SessionLogWriter;
  env?: NodeJS.ProcessEnv;
  /** Ends sessions and uploads; called before a sign-in replaces an earlier one. */
  onSignOut?: () => Promise<void>;
}
