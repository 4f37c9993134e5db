// THE bridge contract between main, preload and renderer: the channels (declared once, here), the DTOs they carry
// (preload/dto/, re-exported), the Result envelope, and GrantboxApi — window.api — derived from the channels.
// Imports nothing from main/**, electron or node:*; main and the services import DTOs from here, never the reverse.
// The only runtime values are the two channel tables, which the preload walks to build window.api.
//
// Adding a channel: declare it below, give it a zod schema (main/app/ipc/schemas.ts) and a handler
// (main/app/ipc/register.ts); both maps are typed over the channels, so a missing one is a compile error.
// 'ns:method' becomes window.api.ns.method(args); event 'ns:thing' becomes window.api.ns.onThing(listener).
//
// Secrets: nothing main → renderer ever carries a secret key, session token or MFA code. The only secrets that
// cross at all go one way, renderer → main, when the person types them (sign-in keys, an MFA code); the IPC
// wrapper never logs arguments.
import type { AppInfo, ExportResult } from './dto/app';
import type { SerializedAppError } from './dto/errors';
import type { GrantSummary, GrantsStatus } from './dto/grants';
import type { IdentityInfo, ProfileSummary, SignInMethodInfo } from './dto/identity';
import type { MfaRequest, SessionEvent, SessionInfo } from './dto/sessions';
import type { ConflictChoice, ObjectPage, QueueSnapshot, ResumableUpload } from './dto/uploads';
import type { SettingsView, SetupSummary } from './dto/settings';

export type * from './dto/app';
export type * from './dto/errors';
export type * from './dto/grants';
export type * from './dto/identity';
export type * from './dto/sessions';
export type * from './dto/uploads';
export type * from './dto/settings';

export type Result<T> = { ok: true; value: T } | { ok: false; error: SerializedAppError };

// ---------- channels ----------

/** A request/response channel: the ONE argument object (or void) and the result. Only the type matters. */
export interface Call<Args, R> {
  readonly args: Args;
  readonly result: R;
}
/** A main → renderer event and its payload. Only the type matters. */
export interface Emit<P> {
  readonly payload: P;
}
const call = <Args, R>(): Call<Args, R> => ({}) as Call<Args, R>;
const event = <P>(): Emit<P> => ({}) as Emit<P>;

/** Renderer → main, request/response. */
export const INVOKE_TABLE = {
  'app:info': call<void, AppInfo>(),
  'app:openExternal': call<{ url: string }, void>(),

  /** Where each effective setting came from (the Settings view). */
  'settings:describe': call<void, SettingsView>(),
  /** Checks a setup link (fetching its settings file through the proxy/CA rules) and says what it would configure. */
  'setup:preview': call<{ link: string }, SetupSummary>(),
  /** Checks the link again and writes settings.yaml; services then start from it. Returns app:info afresh. */
  'setup:apply': call<{ link: string }, AppInfo>(),

  'identity:get': call<void, IdentityInfo | null>(),
  /**
   * `arn`: who the keys belong to, as the person states it — used only when the service cannot confirm it (S3-compatible
   * services without GetCallerIdentity), so grants naming that ARN still match. AWS's own answer wins when it has one.
   */
  'identity:signIn': call<{ accessKeyId: string; secretAccessKey: string; arn?: string }, IdentityInfo>(),
  'identity:listProfiles': call<void, ProfileSummary[]>(),
  'identity:signInWithProfile': call<{ profile: string }, IdentityInfo>(),
  'identity:signOut': call<void, void>(),
  /** How this computer signs in (from the settings): access-key fields, or one "Sign in with NAME" button. */
  'identity:method': call<void, SignInMethodInfo>(),
  /**
   * Company sign-in (oidc / identityCenter): main opens the provider's page in the default browser and resolves
   * once the person has signed in there. The page never receives the link, a code or a token.
   */
  'identity:signInWithCompany': call<void, IdentityInfo>(),
  /** Stops waiting for the browser: the pending identity:signInWithCompany fails with SIGN_IN_CANCELLED. */
  'identity:cancelSignIn': call<void, void>(),
  /** Main copies the pending sign-in link to the clipboard (for when no browser opened). */
  'identity:copySignInLink': call<void, void>(),

  'grants:list': call<void, GrantSummary[]>(),
  'grants:status': call<void, GrantsStatus>(),
  'grants:sync': call<void, GrantsStatus>(),

  'session:list': call<void, SessionInfo[]>(),
  'session:assume': call<{ grant: string }, SessionInfo>(),
  /** Re-assume within the grant ("Extend"). */
  'session:extend': call<{ grant: string }, SessionInfo>(),
  'session:end': call<{ grant: string }, void>(),
  'session:answerMfa': call<{ requestId: string; code: string | null }, void>(),

  /** Paths come from the preload (webUtils.getPathForFile), never from page code: see PageArgs. */
  'uploads:start': call<{ grant: string; paths: string[] }, { batchId: string }>(),
  /** Opens the native file/folder picker in main and starts the upload of what was picked. */
  'uploads:pick': call<{ grant: string; folders: boolean }, { batchId: string | null }>(),
  'uploads:snapshot': call<void, QueueSnapshot>(),
  'uploads:cancel': call<{ id: string }, void>(),
  'uploads:cancelAll': call<void, void>(),
  'uploads:retry': call<{ id: string }, void>(),
  'uploads:resolveConflict': call<{ id: string; choice: ConflictChoice; applyToAll?: boolean }, void>(),
  'uploads:clearFinished': call<void, void>(),
  'uploads:listResumable': call<void, ResumableUpload[]>(),
  'uploads:resume': call<{ id: string }, void>(),
  'uploads:discard': call<{ id: string }, void>(),
  /** Save dialog (main's) for a finished batch's receipts: FILE.json and FILE.html; null when cancelled. */
  'uploads:saveReceipts': call<{ batchId: string }, { path: string | null; receipts?: number }>(),

  'objects:list': call<{ grant: string; prefix?: string; token?: string }, ObjectPage>(),

  /** Opens a save dialog in main and writes the redacted helpdesk export there. */
  'logs:export': call<{ sinceDays?: number; redactFilenames?: boolean }, ExportResult>(),
};

/** Main → renderer events. */
export const EVENT_TABLE = {
  'session:changed': event<SessionEvent>(),
  'session:mfaRequested': event<MfaRequest>(),
  /** Throttled (≤ 10/s) snapshot of the whole queue. */
  'uploads:progress': event<QueueSnapshot>(),
  'grants:changed': event<{ status: GrantsStatus; grants: GrantSummary[] }>(),
  'identity:changed': event<IdentityInfo | null>(),
  /** A grantbox://setup link was opened (protocol hand-off): the window shows its confirm screen. */
  'setup:linkOpened': event<{ link: string }>(),
};

export type InvokeChannels = typeof INVOKE_TABLE;
export type InvokeChannel = keyof InvokeChannels;
export type EventChannel = keyof typeof EVENT_TABLE;
/** Payload of each event channel. */
export type EventChannels = { [E in EventChannel]: (typeof EVENT_TABLE)[E]['payload'] };
export type ArgsOf<C extends InvokeChannel> = InvokeChannels[C]['args'];
export type ResultOf<C extends InvokeChannel> = InvokeChannels[C]['result'];

/**
 * What page code passes where it differs from what main receives: the page hands over File objects (from a drop or
 * an <input type=file>) and the preload turns them into paths, so page code can never name a path of its own.
 */
export interface PageArgs {
  'uploads:start': { grant: string; files: File[] };
}
export type PageArgsOf<C extends InvokeChannel> = C extends keyof PageArgs ? PageArgs[C] : ArgsOf<C>;

// ---------- the api the preload exposes as window.api, derived from the channels ----------

export type Unsubscribe = () => void;
export type Namespace<C extends string> = C extends `${infer N}:${string}` ? N : never;
/** 'session:assume' → 'assume'; event 'session:mfaRequested' → 'onMfaRequested'. */
export type MethodName<C extends string> = C extends `${string}:${infer M}` ? M : never;
export type EventMethodName<E extends string> = `on${Capitalize<MethodName<E>>}`;

export type InvokeMethod<C extends InvokeChannel> = [PageArgsOf<C>] extends [void]
  ? () => Promise<Result<ResultOf<C>>>
  : (args: PageArgsOf<C>) => Promise<Result<ResultOf<C>>>;
export type EventMethod<E extends EventChannel> = (listener: (payload: EventChannels[E]) => void) => Unsubscribe;

export type GrantboxApi = {
  [N in Namespace<InvokeChannel | EventChannel>]: {
    [C in InvokeChannel as Namespace<C> extends N ? MethodName<C> : never]: InvokeMethod<C>;
  } & {
    [E in EventChannel as Namespace<E> extends N ? EventMethodName<E> : never]: EventMethod<E>;
  };
};
