// Browser-side stand-in for `electron` in the e2e runs: the REAL preload (preload/index.ts) is bundled against this
// module, so window.api is built by the same code as in the app; only Electron's transport is replaced —
// ipcRenderer.invoke → POST /__ipc/invoke/<channel>, ipcRenderer.on ← the /__ipc/events SSE stream.
// webUtils.getPathForFile: the bytes of each dropped File are first uploaded to the harness, which writes them to
// a temporary file; that path is what the preload then sends (exactly as Electron would give the on-disk path).
type Listener = (event: unknown, payload: unknown) => void;

const listeners = new Map<string, Set<Listener>>();
const filePaths = new WeakMap<File, string>();
// Opened at once, so events sent soon after page load are not lost while the app subscribes.
const events = new EventSource('/__ipc/events');
events.onmessage = (m: MessageEvent<string>) => {
  const { channel, payload } = JSON.parse(m.data) as { channel: string; payload: unknown };
  for (const l of listeners.get(channel) ?? []) l({ sender: 'not-exposed' }, payload);
};

export const ipcRenderer = {
  async invoke(channel: string, arg?: unknown): Promise<unknown> {
    const res = await fetch(`/__ipc/invoke/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(arg === undefined ? {} : { arg }),
    });
    if (!res.ok) throw new Error(`harness answered ${res.status}`);
    return res.json();
  },
  on(channel: string, listener: Listener) {
    if (!listeners.has(channel)) listeners.set(channel, new Set());
    listeners.get(channel)!.add(listener);
    return ipcRenderer;
  },
  removeListener(channel: string, listener: Listener) {
    listeners.get(channel)?.delete(listener);
    return ipcRenderer;
  },
};

export const webUtils = {
  getPathForFile: (file: File): string => filePaths.get(file) ?? '',
};

async function stage(files: unknown): Promise<void> {
  if (!Array.isArray(files)) return;
  for (const f of files) {
    if (!(f instanceof File) || filePaths.has(f)) continue;
    const res = await fetch(`/__ipc/file?name=${encodeURIComponent(f.name)}`, { method: 'POST', body: f });
    if (res.ok) filePaths.set(f, ((await res.json()) as { path: string }).path);
  }
}

export const contextBridge = {
  exposeInMainWorld(key: string, api: { uploads: { start: (args: { grant: string; files: File[] }) => Promise<unknown> } }) {
    const start = api.uploads.start;
    api.uploads.start = async (args) => {
      await stage(args?.files);
      return start(args);
    };
    (window as unknown as Record<string, unknown>)[key] = Object.freeze(api);
  },
};
