// THE bridge contract between main, preload and renderer: channel maps, DTOs, the Result envelope.
// Types only. Main and renderer import it with `import type`; nothing here imports electron or node:*.
//
// Secrets: nothing main → renderer ever carries a secret key, session token or MFA code. The only secrets that
// cross at all go one way, renderer → main, when the person types them (sign-in keys, an MFA code); the IPC
// wrapper never logs arguments.
import type { SerializedAppError } from '../main/services/errors';
import type { SessionEvent, SessionInfo } from '../main/services/sessions/types';
import type { ConflictChoice, ObjectPage, QueueSnapshot, UploadItem } from '../main/services/uploads/types';
import type { Permission } from '../config/schema';

export type { SerializedAppError, SessionEvent, SessionInfo, ConflictChoice, ObjectPage, QueueSnapshot, UploadItem, Permission };

export type Result<T> = { ok: true; value: T } | { ok: false; error: SerializedAppError };

// ---------- DTOs ----------

export interface AppInfo {
  version: string;
  platform: string;
  /** Absolute path of the settings file in use (or that would be used). */
  settingsPath: string;
  /** Set when the settings are missing or invalid: what to do, in plain words. */
  settingsProblem?: SerializedAppError;
}

export interface IdentityInfo {
  /** e.g. arn:aws:iam::629470240201:user/john */
  arn: string;
  account: string;
  /** The user name shown to people ("john"). */
  userName: string;
  /** Last 4 characters of the long-term access key id. */
  accessKeyIdLast4: string;
  /** false when the service could not confirm who this is (no GetCallerIdentity): `note` says why. */
  verified: boolean;
  /** Unverified sign-ins: true when the keys were accepted by another signed call (S3 ListBuckets). */
  keysChecked?: boolean;
  note?: string;
}

export interface GrantSummary {
  name: string;
  title: string;
  description?: string;
  contact?: string;
  bucket: string;
  region: string;
  /** Resolved for the signed-in user ({user} filled in). */
  prefix: string;
  permissions: Permission[];
  /** Seconds. */
  durationSeconds: number;
  mfa: boolean;
  maxFileSizeBytes?: number;
  onConflict: 'ask' | 'skip' | 'rename' | 'replace';
  allowReplace: boolean;
  /**
   * Offered although Grantbox cannot tell whether it names you (signed in unconfirmed, without an ARN): the storage
   * service decides when access is started.
   */
  serviceDecides?: boolean;
}

export interface GrantsStatus {
  source: 'directory' | 'git';
  /** Where grants come from (folder path or remote URL without credentials). */
  location: string;
  /** Commit (git) of the active set. */
  revision?: string;
  /** ISO time the active set was loaded / the revision was committed. */
  updatedAt?: string;
  /** Plain-language note when a newer version could not be used, or when offline and using a cached copy. */
  notice?: string;
  /** Number of grants in the active set (all, not only mine). */
  total: number;
}

export interface ProfileSummary {
  name: string;
  /** Last 4 characters of the profile's access key id; never the secret. */
  accessKeyIdLast4?: string;
}

export interface ResumableUpload {
  id: string;
  grant: string;
  relativePath: string;
  key: string;
  size: number;
  bytesDone: number;
  /** false when the file changed (size/mtime) since the upload started: it can only be cleaned up. */
  fileUnchanged: boolean;
  startedAt: string;
}

export interface MfaRequest {
  requestId: string;
  grant: string;
  grantTitle: string;
  /** The MFA device, shown so the person knows which app/code to use. */
  deviceName?: string;
}

export interface ExportResult {
  /** null when the person cancelled the save dialog. */
  path: string | null;
  records?: number;
}

// ---------- channels ----------

/** Renderer → main, request/response. Key = channel, args = the ONE argument object (or void), result = value. */
export interface InvokeChannels {
  'app:info': { args: void; result: AppInfo };
  'app:openExternal': { args: { url: string }; result: void };

  'identity:get': { args: void; result: IdentityInfo | null };
  /**
   * `arn`: who the keys belong to, as the person states it — used only when the service cannot confirm it (S3-compatible
   * services without GetCallerIdentity), so grants naming that ARN still match. AWS's own answer wins when it has one.
   */
  'identity:signIn': { args: { accessKeyId: string; secretAccessKey: string; arn?: string }; result: IdentityInfo };
  'identity:listProfiles': { args: void; result: ProfileSummary[] };
  'identity:signInWithProfile': { args: { profile: string }; result: IdentityInfo };
  'identity:signOut': { args: void; result: void };

  'grants:list': { args: void; result: GrantSummary[] };
  'grants:status': { args: void; result: GrantsStatus };
  'grants:sync': { args: void; result: GrantsStatus };

  'session:list': { args: void; result: SessionInfo[] };
  'session:assume': { args: { grant: string }; result: SessionInfo };
  /** Re-assume within the grant ("Extend"). */
  'session:extend': { args: { grant: string }; result: SessionInfo };
  'session:end': { args: { grant: string }; result: void };
  'session:answerMfa': { args: { requestId: string; code: string | null }; result: void };

  /** Paths come from the preload (webUtils.getPathForFile), never from page code. */
  'uploads:start': { args: { grant: string; paths: string[] }; result: { batchId: string } };
  /** Opens the native file/folder picker in main and starts the upload of what was picked. */
  'uploads:pick': { args: { grant: string; folders: boolean }; result: { batchId: string | null } };
  'uploads:snapshot': { args: void; result: QueueSnapshot };
  'uploads:cancel': { args: { id: string }; result: void };
  'uploads:cancelAll': { args: void; result: void };
  'uploads:retry': { args: { id: string }; result: void };
  'uploads:resolveConflict': { args: { id: string; choice: ConflictChoice; applyToAll?: boolean }; result: void };
  'uploads:clearFinished': { args: void; result: void };
  'uploads:listResumable': { args: void; result: ResumableUpload[] };
  'uploads:resume': { args: { id: string }; result: void };
  'uploads:discard': { args: { id: string }; result: void };

  'objects:list': { args: { grant: string; prefix?: string; token?: string }; result: ObjectPage };

  /** Opens a save dialog in main and writes the redacted helpdesk export there. */
  'logs:export': { args: { sinceDays?: number; redactFilenames?: boolean }; result: ExportResult };
}

/** Main → renderer events. */
export interface EventChannels {
  'session:changed': SessionEvent;
  'session:mfaRequested': MfaRequest;
  /** Throttled (≤ 10/s) snapshot of the whole queue. */
  'uploads:progress': QueueSnapshot;
  'grants:changed': { status: GrantsStatus; grants: GrantSummary[] };
  'identity:changed': IdentityInfo | null;
}

export type InvokeChannel = keyof InvokeChannels;
export type EventChannel = keyof EventChannels;
export type ArgsOf<C extends InvokeChannel> = InvokeChannels[C]['args'];
export type ResultOf<C extends InvokeChannel> = InvokeChannels[C]['result'];

// ---------- the api the preload exposes as window.api ----------

type Unsubscribe = () => void;

export interface GrantboxApi {
  app: {
    info(): Promise<Result<AppInfo>>;
    openExternal(url: string): Promise<Result<void>>;
  };
  identity: {
    get(): Promise<Result<IdentityInfo | null>>;
    /** `arn` only when the person filled in "Your user ARN" (see 'identity:signIn'). */
    signIn(accessKeyId: string, secretAccessKey: string, arn?: string): Promise<Result<IdentityInfo>>;
    listProfiles(): Promise<Result<ProfileSummary[]>>;
    signInWithProfile(profile: string): Promise<Result<IdentityInfo>>;
    signOut(): Promise<Result<void>>;
    onChanged(listener: (identity: IdentityInfo | null) => void): Unsubscribe;
  };
  grants: {
    list(): Promise<Result<GrantSummary[]>>;
    status(): Promise<Result<GrantsStatus>>;
    sync(): Promise<Result<GrantsStatus>>;
    onChanged(listener: (payload: EventChannels['grants:changed']) => void): Unsubscribe;
  };
  session: {
    list(): Promise<Result<SessionInfo[]>>;
    assume(grant: string): Promise<Result<SessionInfo>>;
    extend(grant: string): Promise<Result<SessionInfo>>;
    end(grant: string): Promise<Result<void>>;
    answerMfa(requestId: string, code: string | null): Promise<Result<void>>;
    onChanged(listener: (event: SessionEvent) => void): Unsubscribe;
    onMfaRequested(listener: (request: MfaRequest) => void): Unsubscribe;
  };
  uploads: {
    /** Files from a drop or an <input type=file>; the preload turns them into paths. */
    start(grant: string, files: File[]): Promise<Result<{ batchId: string }>>;
    pick(grant: string, folders: boolean): Promise<Result<{ batchId: string | null }>>;
    snapshot(): Promise<Result<QueueSnapshot>>;
    cancel(id: string): Promise<Result<void>>;
    cancelAll(): Promise<Result<void>>;
    retry(id: string): Promise<Result<void>>;
    resolveConflict(id: string, choice: ConflictChoice, applyToAll?: boolean): Promise<Result<void>>;
    clearFinished(): Promise<Result<void>>;
    listResumable(): Promise<Result<ResumableUpload[]>>;
    resume(id: string): Promise<Result<void>>;
    discard(id: string): Promise<Result<void>>;
    onProgress(listener: (snapshot: QueueSnapshot) => void): Unsubscribe;
  };
  objects: {
    list(grant: string, prefix?: string, token?: string): Promise<Result<ObjectPage>>;
  };
  logs: {
    export(options: { sinceDays?: number; redactFilenames?: boolean }): Promise<Result<ExportResult>>;
  };
}
