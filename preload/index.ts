// The preload: builds window.api (GrantboxApi) generically from the contract's channel tables (bridge.ts) — event
// subscriptions strip the IpcRendererEvent and return an unsubscribe — and exposes it once. Runs sandboxed, so it
// imports nothing but electron and its own folder. Uploads take File objects only and turn them into paths here
// (webUtils.getPathForFile): page code can never name a path of its own. That is the one channel with its own code.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { buildBridge } from './bridge';
import type { GrantboxApi, PageArgs, Result, SerializedAppError } from './contract';

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

/** The argument object as sent: keys whose value is undefined are left out (the schemas are strict). */
function compact(arg: unknown): unknown {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return arg;
  return Object.fromEntries(Object.entries(arg).filter(([, v]) => v !== undefined));
}

export function buildApi({ ipc, pathForFile }: PreloadDeps): GrantboxApi {
  return buildBridge({
    invoke(channel, args) {
      if (channel === 'uploads:start') {
        const { grant, files } = (args ?? {}) as Partial<PageArgs['uploads:start']>;
        const paths = filesToPaths(files, pathForFile);
        if (!Array.isArray(paths)) return Promise.resolve({ ok: false, error: paths });
        return ipc.invoke(channel, { grant, paths }) as never;
      }
      return ipc.invoke(channel, compact(args)) as Promise<Result<never>>;
    },
    on(channel, listener) {
      const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload as never);
      ipc.on(channel, wrapped);
      return () => {
        ipc.removeListener(channel, wrapped);
      };
    },
  });
}

// Exposed once. Under contextIsolation the page sees a frozen copy; it can call these and nothing else.
if (process.contextIsolated) {
  contextBridge.exposeInMainWorld('api', buildApi({ ipc: ipcRenderer, pathForFile: (file) => webUtils.getPathForFile(file) }));
}
