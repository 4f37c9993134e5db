// The preload: builds window.api (GrantboxApi) — one method per invoke channel, event subscriptions that strip
// the IpcRendererEvent and return an unsubscribe — and exposes it once. Runs sandboxed, so it imports nothing but
// electron and types. Uploads take File objects only and turn them into paths here (webUtils.getPathForFile):
// page code can never name a path of its own.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type {
  ArgsOf,
  EventChannel,
  EventChannels,
  GrantboxApi,
  InvokeChannel,
  Result,
  ResultOf,
  SerializedAppError,
} from './contract';

export interface PreloadIpc {
  invoke(channel: string, arg?: unknown): Promise<unknown>;
  on(channel: string, listener: (event: IpcRendererEvent, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: IpcRendererEvent, payload: unknown) => void): unknown;
}

export interface PreloadDeps {
  ipc: PreloadIpc;
  /** webUtils.getPathForFile: "" for a File that is not backed by a file on disk. */
  pathForFile(file: File): string;
}

const refusedFiles = (reason: string): SerializedAppError => ({
  code: 'UPLOAD_FILES_REFUSED',
  message: 'Only files dropped on the window or chosen with Browse can be uploaded.',
  details: { reason, hint: 'Drag the files from your file manager onto Grantbox, or use Browse.' },
});

/** Files → absolute paths, or the reason they were refused. */
export function filesToPaths(files: unknown, pathForFile: (file: File) => string): string[] | SerializedAppError {
  if (!Array.isArray(files) || files.length === 0) return refusedFiles('no files');
  const paths: string[] = [];
  for (const f of files) {
    if (typeof File === 'undefined' || !(f instanceof File)) return refusedFiles('not a file');
    const p = pathForFile(f);
    if (!p) return refusedFiles('file not on disk');
    paths.push(p);
  }
  return paths;
}

export function buildApi({ ipc, pathForFile }: PreloadDeps): GrantboxApi {
  const invoke = <C extends InvokeChannel>(channel: C, ...args: ArgsOf<C> extends void ? [] : [ArgsOf<C>]) =>
    ipc.invoke(channel, args[0]) as Promise<Result<ResultOf<C>>>;
  const on = <C extends EventChannel>(channel: C, listener: (payload: EventChannels[C]) => void) => {
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload as EventChannels[C]);
    ipc.on(channel, wrapped);
    return () => {
      ipc.removeListener(channel, wrapped);
    };
  };

  return {
    app: {
      info: () => invoke('app:info'),
      openExternal: (url) => invoke('app:openExternal', { url }),
    },
    identity: {
      get: () => invoke('identity:get'),
      signIn: (accessKeyId, secretAccessKey, arn) =>
        invoke('identity:signIn', { accessKeyId, secretAccessKey, ...(arn === undefined ? {} : { arn }) }),
      listProfiles: () => invoke('identity:listProfiles'),
      signInWithProfile: (profile) => invoke('identity:signInWithProfile', { profile }),
      signOut: () => invoke('identity:signOut'),
      onChanged: (listener) => on('identity:changed', listener),
    },
    grants: {
      list: () => invoke('grants:list'),
      status: () => invoke('grants:status'),
      sync: () => invoke('grants:sync'),
      onChanged: (listener) => on('grants:changed', listener),
    },
    session: {
      list: () => invoke('session:list'),
      assume: (grant) => invoke('session:assume', { grant }),
      extend: (grant) => invoke('session:extend', { grant }),
      end: (grant) => invoke('session:end', { grant }),
      answerMfa: (requestId, code) => invoke('session:answerMfa', { requestId, code }),
      onChanged: (listener) => on('session:changed', listener),
      onMfaRequested: (listener) => on('session:mfaRequested', listener),
    },
    uploads: {
      start: async (grant, files) => {
        const paths = filesToPaths(files, pathForFile);
        if (!Array.isArray(paths)) return { ok: false, error: paths };
        return invoke('uploads:start', { grant, paths });
      },
      pick: (grant, folders) => invoke('uploads:pick', { grant, folders }),
      snapshot: () => invoke('uploads:snapshot'),
      cancel: (id) => invoke('uploads:cancel', { id }),
      cancelAll: () => invoke('uploads:cancelAll'),
      retry: (id) => invoke('uploads:retry', { id }),
      resolveConflict: (id, choice, applyToAll) =>
        invoke('uploads:resolveConflict', { id, choice, ...(applyToAll === undefined ? {} : { applyToAll }) }),
      clearFinished: () => invoke('uploads:clearFinished'),
      listResumable: () => invoke('uploads:listResumable'),
      resume: (id) => invoke('uploads:resume', { id }),
      discard: (id) => invoke('uploads:discard', { id }),
      onProgress: (listener) => on('uploads:progress', listener),
    },
    objects: {
      list: (grant, prefix, token) =>
        invoke('objects:list', { grant, ...(prefix === undefined ? {} : { prefix }), ...(token === undefined ? {} : { token }) }),
    },
    logs: {
      export: (options) => invoke('logs:export', { ...options }),
    },
  };
}

// Exposed once. Under contextIsolation the page sees a frozen copy; it can call these and nothing else.
if (process.contextIsolated) {
  contextBridge.exposeInMainWorld('api', buildApi({ ipc: ipcRenderer, pathForFile: (file) => webUtils.getPathForFile(file) }));
}
