// An in-memory GrantboxApi for component tests and UI screenshots: holds identity, grants, sessions and the upload
// queue in plain objects, records every call, and lets a test push main → renderer events (session changes, MFA
// requests, progress). No vitest import, so it can also be bundled into a page for screenshots.
import type {
  AppInfo,
  ExportResult,
  GrantSummary,
  GrantboxApi,
  GrantsStatus,
  IdentityInfo,
  MfaRequest,
  ObjectPage,
  ProfileSummary,
  QueueSnapshot,
  Result,
  ResumableUpload,
  SerializedAppError,
  SessionEvent,
  SessionInfo,
  EventChannels,
} from '../../preload/contract';

export interface FakeCall {
  method: string;
  args: unknown[];
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
}

export interface FakeApi extends GrantboxApi {
  state: FakeState;
  calls: FakeCall[];
  /** Make the next call(s) of `method` ("identity.signIn") fail with this error. */
  failNext(method: string, error: SerializedAppError, times?: number): void;
  /** Make `method` wait until the returned function is called (to observe busy states). */
  hold(method: string): () => void;
  emitSession(event: SessionEvent): void;
  emitMfa(request: MfaRequest): void;
  emitProgress(snapshot: QueueSnapshot): void;
  emitGrants(payload: EventChannels['grants:changed']): void;
  emitIdentity(identity: IdentityInfo | null): void;
  callsOf(method: string): unknown[][];
  /** Clock used for new sessions (tests with fake timers pass their own). */
  now: () => number;
}

export const JOHN: IdentityInfo = {
  arn: 'arn:aws:iam::629470240201:user/john',
  account: '629470240201',
  userName: 'john',
  accessKeyIdLast4: 'WXYZ',
  verified: true,
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
    ...overrides,
  };
}

export function createFakeApi(initial: Partial<FakeState> = {}, clock: () => number = () => Date.now()): FakeApi {
  const state = defaultState(initial);
  const calls: FakeCall[] = [];
  const failures = new Map<string, { error: SerializedAppError; times: number }>();
  const holds = new Map<string, Promise<void>>();
  const listeners = {
    session: new Set<(e: SessionEvent) => void>(),
    mfa: new Set<(r: MfaRequest) => void>(),
    progress: new Set<(s: QueueSnapshot) => void>(),
    grants: new Set<(p: EventChannels['grants:changed']) => void>(),
    identity: new Set<(i: IdentityInfo | null) => void>(),
  };

  function subscribe<T>(set: Set<T>, fn: T) {
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  }

  async function call<T>(method: string, args: unknown[], body: () => T | Promise<T>): Promise<Result<T>> {
    calls.push({ method, args });
    const held = holds.get(method);
    if (held) await held;
    const failure = failures.get(method);
    if (failure) {
      failure.times -= 1;
      if (failure.times <= 0) failures.delete(method);
      return { ok: false, error: failure.error };
    }
    return { ok: true, value: await body() };
  }

  const grantOf = (name: string) => state.grants.find((g) => g.name === name) ?? HR_GRANT;
  const newSession = (name: string) => {
    const info = sessionFor(grantOf(name), new Date(clock() + state.sessionSeconds * 1000));
    state.sessions = [...state.sessions.filter((s) => s.grant !== name), info];
    return info;
  };

  const api: FakeApi = {
    state,
    calls,
    now: clock,
    failNext(method, error, times = 1) {
      failures.set(method, { error, times });
    },
    hold(method) {
      let release!: () => void;
      holds.set(method, new Promise<void>((r) => (release = r)));
      return () => {
        holds.delete(method);
        release();
      };
    },
    emitSession: (e) => listeners.session.forEach((l) => l(e)),
    emitMfa: (r) => listeners.mfa.forEach((l) => l(r)),
    emitProgress: (s) => {
      state.queue = s;
      listeners.progress.forEach((l) => l(s));
    },
    emitGrants: (p) => listeners.grants.forEach((l) => l(p)),
    emitIdentity: (i) => listeners.identity.forEach((l) => l(i)),
    callsOf: (method) => calls.filter((c) => c.method === method).map((c) => c.args),

    app: {
      info: () => call('app.info', [], () => state.info),
      openExternal: (url) => call('app.openExternal', [url], () => undefined),
    },
    identity: {
      get: () => call('identity.get', [], () => state.identity),
      // The secret is recorded as a marker only, so a test can't accidentally print it.
      // A stated ARN is recorded only when given (as the preload sends it) and makes the identity unconfirmed, as
      // signing in to a service without GetCallerIdentity does.
      signIn: (accessKeyId, secret, arn) =>
        call('identity.signIn', [accessKeyId, secret ? '<secret>' : '', ...(arn === undefined ? [] : [arn])], () => {
          state.identity =
            arn === undefined
              ? { ...JOHN, accessKeyIdLast4: accessKeyId.slice(-4) }
              : { arn, account: arn.split(':')[4] ?? '', userName: arn.split('/').pop() ?? '', accessKeyIdLast4: accessKeyId.slice(-4), verified: false, note: 'This service could not confirm who these keys belong to.' };
          return state.identity;
        }),
      listProfiles: () => call('identity.listProfiles', [], () => state.profiles),
      signInWithProfile: (profile) =>
        call('identity.signInWithProfile', [profile], () => {
          state.identity = JOHN;
          return JOHN;
        }),
      signOut: () =>
        call('identity.signOut', [], () => {
          state.identity = null;
        }),
      onChanged: (l) => subscribe(listeners.identity, l),
    },
    grants: {
      list: () => call('grants.list', [], () => state.grants),
      status: () => call('grants.status', [], () => state.status),
      sync: () => call('grants.sync', [], () => state.status),
      onChanged: (l) => subscribe(listeners.grants, l),
    },
    session: {
      list: () => call('session.list', [], () => state.sessions),
      assume: (grant) => call('session.assume', [grant], () => newSession(grant)),
      extend: (grant) => call('session.extend', [grant], () => newSession(grant)),
      end: (grant) =>
        call('session.end', [grant], () => {
          state.sessions = state.sessions.filter((s) => s.grant !== grant);
        }),
      answerMfa: (requestId, code) => call('session.answerMfa', [requestId, code], () => undefined),
      onChanged: (l) => subscribe(listeners.session, l),
      onMfaRequested: (l) => subscribe(listeners.mfa, l),
    },
    uploads: {
      start: (grant, files) => call('uploads.start', [grant, files.map((f) => f.name)], () => ({ batchId: `batch-${calls.length}` })),
      pick: (grant, folders) => call('uploads.pick', [grant, folders], () => ({ batchId: null })),
      snapshot: () => call('uploads.snapshot', [], () => state.queue),
      cancel: (id) => call('uploads.cancel', [id], () => undefined),
      cancelAll: () => call('uploads.cancelAll', [], () => undefined),
      retry: (id) => call('uploads.retry', [id], () => undefined),
      resolveConflict: (id, choice, applyToAll) => call('uploads.resolveConflict', [id, choice, applyToAll], () => undefined),
      clearFinished: () => call('uploads.clearFinished', [], () => undefined),
      listResumable: () => call('uploads.listResumable', [], () => state.resumable),
      resume: (id) => call('uploads.resume', [id], () => undefined),
      discard: (id) => call('uploads.discard', [id], () => undefined),
      onProgress: (l) => subscribe(listeners.progress, l),
    },
    objects: {
      list: (grant, prefix, token) =>
        call('objects.list', [grant, prefix, token], () => state.objectPages[token ? Number(token) : 0] ?? { objects: [], prefixes: [] }),
    },
    logs: {
      export: (options) => call('logs.export', [options], () => state.exportResult),
    },
  };
  return api;
}
