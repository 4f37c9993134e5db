// What the app layer (Electron IPC handlers, the CLI, the e2e harness) may call. Each capability folder implements
// one of these; main/services/container.ts builds them all from the settings. Plain data in and out (the DTOs of
// preload/contract.ts), so the same calls serve IPC, the CLI and tests.
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type {
  ConflictChoice,
  GrantSummary,
  GrantsStatus,
  IdentityInfo,
  MfaRequest,
  ObjectPage,
  VerifyEntry,
  ProfileSummary,
  QueueSnapshot,
  ResumableUpload,
  SessionEvent,
  SessionInfo,
  SignInMethodInfo,
} from '../../preload/contract';
import type { ResolvedGrant } from '../../config/policy';
import type { InteractiveSignInOptions } from './identity/methods/types';
import type { Settings } from '../../config/schema';
import type { LogRecord } from './audit/types';

export type Unsubscribe = () => void;

/** Asks the person for a 6-digit MFA code (UI dialog or CLI prompt); null = they cancelled. */
export type MfaPrompt = (request: MfaRequest) => Promise<string | null>;

export interface IdentityService {
  /** The signed-in identity (keychain secret present and verified at sign-in), or null. */
  current(): Promise<IdentityInfo | null>;
  /**
   * `options.arn` / `options.userName`: who the person says they are (the app's "Your user ARN", the CLI's --arn and
   * --user-name), used only when the service cannot say who the keys belong to.
   */
  signIn(accessKeyId: string, secretAccessKey: string, options?: { arn?: string; userName?: string }): Promise<IdentityInfo>;
  /** Profiles in the AWS CLI shared credentials file (names and key-id tails only). */
  listProfiles(): Promise<ProfileSummary[]>;
  signInWithProfile(profile: string, options?: { arn?: string; userName?: string }): Promise<IdentityInfo>;
  /** The sign-in method the settings choose (access keys unless `signIn` says otherwise). */
  summary(): SignInMethodInfo;
  /** Company sign-in (oidc, identityCenter): in the default browser, or with the device flow. */
  signInInteractive(options?: InteractiveSignInOptions): Promise<IdentityInfo>;
  signOut(): Promise<void>;
  onChanged(listener: (identity: IdentityInfo | null) => void): Unsubscribe;
}

export interface GrantService {
  /** Grants whose subjects include the signed-in identity, resolved for that user. */
  forMe(identity: IdentityInfo): GrantSummary[];
  status(): GrantsStatus;
  /** Fetch/re-read now ("Check for grant updates"). */
  sync(): Promise<GrantsStatus>;
  onChanged(listener: (status: GrantsStatus) => void): Unsubscribe;
  /** One grant resolved for this identity ({user} filled in, the exact session policy); throws AppError when it can't. */
  resolvedFor(name: string, identity: IdentityInfo): ResolvedGrant;
}

export interface SessionService {
  list(): SessionInfo[];
  assume(grant: string, options?: { mfaPrompt?: MfaPrompt }): Promise<SessionInfo>;
  /** Re-assume now, within the grant's duration ("Extend"). */
  extend(grant: string, options?: { mfaPrompt?: MfaPrompt }): Promise<SessionInfo>;
  end(grant: string): Promise<void>;
  /** Credentials for AWS clients; refreshes ahead of expiry. Never leaves the main process. */
  credentialProvider(grant: string): AwsCredentialIdentityProvider;
  onEvent(listener: (event: SessionEvent) => void): Unsubscribe;
}

export interface UploadService {
  /** Queues files and folders (absolute paths) for the grant; returns at once. */
  /** `includeHidden`: folder walks also take hidden entries and OS clutter (the CLI's --include-hidden). */
  start(grant: string, paths: string[], options?: { onConflict?: ConflictChoice; includeHidden?: boolean }): Promise<{ batchId: string }>;
  snapshot(): QueueSnapshot;
  cancel(id: string): Promise<void>;
  cancelAll(): Promise<void>;
  retry(id: string): Promise<void>;
  resolveConflict(id: string, choice: ConflictChoice, applyToAll?: boolean): Promise<void>;
  clearFinished(): void;
  /** True while anything is queued or uploading (quit confirmation). */
  busy(): boolean;
  listResumable(): Promise<ResumableUpload[]>;
  resume(id: string): Promise<void>;
  discard(id: string): Promise<void>;
  /** Throttled snapshots (at most ~10 per second). */
  onProgress(listener: (snapshot: QueueSnapshot) => void): Unsubscribe;
  /** Resolves when every queued item has finished (CLI). */
  drain(): Promise<void>;
  /** The company sign-in ended (true): uploads wait; after signing in again (false) they continue. */
  holdForSignIn(held: boolean): void;
}

export interface ObjectService {
  /** One folder level, one page (≤ 1,000 keys) under the grant's prefix; `prefix` is relative to it. */
  list(grant: string, prefix?: string, token?: string): Promise<ObjectPage>;
  /** Compares local files with the objects an upload of them would have made (size, then SHA-256). */
  verify(grant: string, paths: string[], onEntry?: (entry: VerifyEntry) => void): Promise<VerifyEntry[]>;
}

export interface AuditService {
  append(record: LogRecord): Promise<void>;
  /** Writes the redacted helpdesk export; returns how many records it holds. */
  exportTo(file: string, options?: { sinceMs?: number; redactFilenames?: boolean }): Promise<{ records: number }>;
}

export interface Services {
  settings: Settings;
  settingsPath: string;
  dataDir: string;
  identity: IdentityService;
  grants: GrantService;
  sessions: SessionService;
  uploads: UploadService;
  objects: ObjectService;
  audit: AuditService;
  /** Stops timers, watchers and servers; uploads leave resumable state. */
  close(): Promise<void>;
}
