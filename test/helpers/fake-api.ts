// An in-memory GrantboxApi for component tests and UI screenshots: holds identity, grants, sessions and the upload
// queue in plain objects, records every call, and lets a test push main → renderer events (session changes, MFA
// requests, progress). Built by the same buildBridge() as the real preload, from one behaviour per invoke channel,
// so a channel added to the contract without a behaviour here is a compile error. No vitest import, so it can also
// be bundled into a page for screenshots.
import { buildBridge } from '../../preload/bridge';
import type {
  AppInfo,
  EventChannel,
  EventChannels,
  ExportResult,
  GrantSummary,
  GrantboxApi,
  GrantsStatus,
  IdentityInfo,
  InvokeChannel,
  ObjectPage,
  PageArgsOf,
  ProfileSummary,
  QueueSnapshot,
  Result,
  ResultOf,
  ResumableUpload,
  SerializedAppError,
  SessionInfo,
  SignInMethodInfo,
} from '../../preload/contract';

export interface FakeCall {
  channel: InvokeChannel;
  /** The argument object as the page passed it (a typed secret replaced by "<secret>", Files by their names). */
  args: unknown;
}

export interface FakeState {
  info: AppInfo;
  identity: IdentityInfo | null;
  profiles: ProfileSummary[];
  grants: GrantSummary[];
  status: GrantsStatus;
  sessions: SessionInfo[];
  queue: QueueSnapshot;
  resumable: ResumableUpload[];
  /** Pages returned by objects.list, in order (token "1", "2", …). */
  objectPages: ObjectPage[];
  exportResult: ExportResult;
  /** Session length used by assume/extend, seconds. */
  sessionSeconds: number;
  /** How this computer signs in (access keys unless a test sets a company method). */
  signInMethod: SignInMethodInfo;
  /** Who identity:signInWithCompany signs in. */
  companyIdentity: IdentityInfo;
}

export type FakeApi = GrantboxApi & {
  state: FakeState;
  calls: FakeCall[];
  /** Make the next call(s) on `channel` fail with this error. */
  failNext(channel: InvokeChannel, error: SerializedAppError, times?: number): void;
  /** Make calls on `channel` wait until the returned function is called (to observe busy states). */
  hold(channel: InvokeChannel): () => void;
  /** Push a main → renderer event. */
  emit<E extends EventChannel>(channel: E, payload: EventChannels[E]): void;
  /** The argument objects of the calls made on `channel`, in order. */
  callsOf<C extends InvokeChannel>(channel: C): unknown[];
  /** Clock used for new sessions (tests with fake timers pass their own). */
  now: () => number;
};

/** One behaviour per invoke channel: what the fake does with the page's arguments. */
type Behaviours = { [C in InvokeChannel]: (args: PageArgsOf<C>) => ResultOf<C> | Promise<ResultOf<C>> };

export const JOHN: IdentityInfo = {
  arn: 'arn:aws:iam::629470240201:user/john',
  account: '629470240201',
  userName: 'john',
  accessKeyIdLast4: 'WXYZ',
  verified: true,
};

/** john signed in with company sign-in (OpenID Connect at Company1). */
export const COMPANY_JOHN: IdentityInfo = {
  arn: '',
  account: '',
  userName: 'john@company1.example',
  accessKeyIdLast4: '',
  verified: true,
  method: 'oidc',
  provider: 'Company1',
  groups: ['hr-staff'],
  signedInAt: '2026-12-01T09:00:00Z',
};

export const HR_GRANT: GrantSummary = {
  name: 'hr-upload',
  title: 'HR documents',
  description: 'Signed contracts and onboarding forms for the HR team.',
  contact: 'hr-it@company1.example',
  bucket: 'company1-hr',
  region: 'us-east-1',
  prefix: 'incoming/john/',
  permissions: ['list', 'read', 'upload'],
  durationSeconds: 3600,
  mfa: false,
  maxFileSizeBytes: 5 * 1024 ** 3,
  onConflict: 'ask',
  allowReplace: false,
};

export function sessionFor(grant: GrantSummary, expiresAt: Date, state: SessionInfo['state'] = 'active'): SessionInfo {
  return {
    grant: grant.name,
    grantTitle: grant.title,
    roleArn: 'arn:aws:iam::629470240201:role/JohnUploadRole',
    sessionName: 'grantbox-john',
    startedAt: new Date(expiresAt.getTime() - grant.durationSeconds * 1000).toISOString(),
    expiresAt: expiresAt.toISOString(),
    state,
    accessKeyIdLast4: 'ABCD',
  };
}

export function defaultState(overrides: Partial<FakeState> = {}): FakeState {
  return {
    info: { version: '0.1.0', platform: 'linux', settingsPath: '/home/john/.config/grantbox/settings.yaml' },
    identity: JOHN,
    profiles: [{ name: 'default', accessKeyIdLast4: 'WXYZ' }],
    grants: [HR_GRANT],
    status: { source: 'git', location: 'https://git.company1.example/it/grants.git', revision: '3f2a9c1d0e', updatedAt: '2026-11-20T09:30:00Z', total: 4 },
    sessions: [],
    queue: { items: [], batches: [], bytesTotal: 0, bytesSent: 0, rate: 0 },
    resumable: [],
    objectPages: [{ objects: [], prefixes: [] }],
    exportResult: { path: '/home/john/Desktop/grantbox-log.jsonl', records: 42 },
    sessionSeconds: 3600,
    signInMethod: { method: 'accessKey', name: 'AWS access key' },
    companyIdentity: COMPANY_JOHN,
    ...overrides,
  };
}

export function createFakeApi(initial: Partial<FakeState> = {}, clock: () => number = () => Date.now()): FakeApi {
  const state = defaultState(initial);
  const calls: FakeCall[] = [];
  const failures = new Map<InvokeChannel, { error: SerializedAppError; times: number }>();
  const holds = new Map<InvokeChannel, Promise<void>>();
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();

  const grantOf = (name: string) => state.grants.find((g) => g.name === name) ?? HR_GRANT;
  const newSession = (name: string) => {
    const info = sessionFor(grantOf(name), new Date(clock() + state.sessionSeconds * 1000));
    state.sessions = [...state.sessions.filter((s) => s.grant !== name), info];
    return info;
  };

  const behaviours: Behaviours = {
    'app:info': () => state.info,
    'app:openExternal': () => undefined,
    'settings:describe': () => ({ values: [], managedPath: '/etc/grantbox/settings.yaml', personalPath: state.info.settingsPath, setupLinks: true, allowUserSettings: true }),
    'setup:preview': () => ({ from: 'the link itself', grants: 'git.company1.example', region: 'eu-west-1', sections: ['grants', 'aws'], target: state.info.settingsPath, replacesExisting: false }),
    'setup:apply': () => state.info,

    'identity:get': () => state.identity,
    // A stated ARN makes the identity unconfirmed, as signing in to a service without GetCallerIdentity does.
    'identity:signIn': ({ accessKeyId, arn }) => {
      state.identity =
        arn === undefined
          ? { ...JOHN, accessKeyIdLast4: accessKeyId.slice(-4) }
          : { arn, account: arn.split(':')[4] ?? '', userName: arn.split('/').pop() ?? '', accessKeyIdLast4: accessKeyId.slice(-4), verified: false, note: 'This service could not confirm who these keys belong to.' };
      return state.identity;
    },
    'identity:listProfiles': () => state.profiles,
    'identity:signInWithProfile': () => {
      state.identity = JOHN;
      return JOHN;
    },
    'identity:signOut': () => {
      state.identity = null;
    },
    'identity:method': () => state.signInMethod,
    'identity:signInWithCompany': () => {
      state.identity = state.companyIdentity;
      return state.identity;
    },
    'identity:cancelSignIn': () => undefined,
    'identity:copySignInLink': () => undefined,

    'grants:list': () => state.grants,
    'grants:status': () => state.status,
    'grants:sync': () => state.status,

    'session:list': () => state.sessions,
    'session:assume': ({ grant }) => newSession(grant),
    'session:extend': ({ grant }) => newSession(grant),
    'session:end': ({ grant }) => {
      state.sessions = state.sessions.filter((s) => s.grant !== grant);
    },
    'session:answerMfa': () => undefined,

    'uploads:start': () => ({ batchId: `batch-${calls.length}` }),
    'uploads:pick': () => ({ batchId: null }),
    'uploads:snapshot': () => state.queue,
    'uploads:cancel': () => undefined,
    'uploads:cancelAll': () => undefined,
    'uploads:retry': () => undefined,
    'uploads:resolveConflict': () => undefined,
    'uploads:clearFinished': () => undefined,
    'uploads:listResumable': () => state.resumable,
    'uploads:resume': () => undefined,
    'uploads:discard': () => undefined,
    'uploads:saveReceipts': () => ({ path: null }),

    'objects:list': ({ token }) => state.objectPages[token ? Number(token) : 0] ?? { objects: [], prefixes: [] },

    'logs:export': () => state.exportResult,
  };

  /** What a test sees of a call: never the typed secret (so a test can't accidentally print it), File names only. */
  function recorded(args: unknown): unknown {
    if (typeof args !== 'object' || args === null) return args;
    const out: Record<string, unknown> = { ...args };
    if (typeof out.secretAccessKey === 'string') out.secretAccessKey = out.secretAccessKey ? '<secret>' : '';
    if (Array.isArray(out.files)) out.files = out.files.map((f: File) => f.name);
    return out;
  }

  async function invoke<C extends InvokeChannel>(channel: C, args: PageArgsOf<C>): Promise<Result<ResultOf<C>>> {
    calls.push({ channel, args: recorded(args) });
    const held = holds.get(channel);
    if (held) await held;
    const failure = failures.get(channel);
    if (failure) {
      failure.times -= 1;
      if (failure.times <= 0) failures.delete(channel);
      return { ok: false, error: failure.error };
    }
    const behaviour = behaviours[channel] as (a: PageArgsOf<C>) => ResultOf<C> | Promise<ResultOf<C>>;
    return { ok: true, value: await behaviour(args) };
  }

  const bridge = buildBridge({
    invoke,
    on(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
      };
    },
  });

  return Object.assign(bridge, {
    state,
    calls,
    now: clock,
    failNext(channel: InvokeChannel, error: SerializedAppError, times = 1) {
      failures.set(channel, { error, times });
    },
    hold(channel: InvokeChannel) {
      let release!: () => void;
      holds.set(channel, new Promise<void>((r) => (release = r)));
      return () => {
        holds.delete(channel);
        release();
      };
    },
    emit<E extends EventChannel>(channel: E, payload: EventChannels[E]) {
      if (channel === 'uploads:progress') state.queue = payload as QueueSnapshot;
      listeners.get(channel)?.forEach((l) => (l as (p: EventChannels[E]) => void)(payload));
    },
    callsOf: (channel: InvokeChannel) => calls.filter((c) => c.channel === channel).map((c) => c.args),
  });
}
