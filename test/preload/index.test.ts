import { EventEmitter } from 'node:events';
import { INVOKE_CHANNELS } from '../../main/app/ipc/schemas';
import { eventChannels } from '../../preload/bridge';

const exposed: Array<[string, unknown]> = [];
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: vi.fn((key: string, api: unknown) => exposed.push([key, api])) },
  ipcRenderer: { invoke: vi.fn(async () => ({ ok: true, value: null })), on: vi.fn(), removeListener: vi.fn() },
  webUtils: { getPathForFile: vi.fn(() => '/home/john/a.txt') },
}));

(process as unknown as { contextIsolated: boolean }).contextIsolated = true;
const { buildApi, filesToPaths } = await import('../../preload/index');

class FakeIpc extends EventEmitter {
  invoked: Array<[string, unknown]> = [];
  async invoke(channel: string, arg?: unknown) {
    this.invoked.push([channel, arg]);
    return { ok: true, value: null };
  }
}

function leaves(obj: Record<string, any>, prefix = ''): Array<[string, (...a: any[]) => unknown]> {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === 'function' ? [[`${prefix}${k}`, v]] : leaves(v, `${prefix}${k}.`))) as never;
}

describe('preload', () => {
  it('exposes window.api exactly once', () => {
    expect(exposed).toHaveLength(1);
    expect(exposed[0]![0]).toBe('api');
  });

  it('has one method per invoke channel and one subscription per event channel', async () => {
    const ipc = new FakeIpc();
    const api = buildApi({ ipc: ipc as never, pathForFile: () => '/home/john/a.txt' });
    const subscribed: string[] = [];
    const on = ipc.on.bind(ipc);
    ipc.on = ((c: string, l: (...a: any[]) => void) => (subscribed.push(c), on(c, l))) as never;
    for (const [name, fn] of leaves(api as never)) {
      if (/\.on[A-Z]/.test(name)) fn(() => {});
      else if (name === 'uploads.start') await fn({ grant: 'hr-upload', files: [new File(['x'], 'a.txt')] });
      else await fn({ a: 'b' });
    }
    expect(new Set(ipc.invoked.map(([c]) => c))).toEqual(new Set(INVOKE_CHANNELS));
    expect(ipc.invoked).toHaveLength(INVOKE_CHANNELS.length);
    expect(new Set(subscribed)).toEqual(new Set(eventChannels));
    expect(subscribed).toHaveLength(eventChannels.length);
  });

  it('event listeners get the payload only and can unsubscribe', () => {
    const ipc = new FakeIpc();
    const api = buildApi({ ipc: ipc as never, pathForFile: () => '' });
    const listener = vi.fn();
    const off = api.uploads.onProgress(listener);
    ipc.emit('uploads:progress', { sender: 'the IpcRendererEvent' }, { items: [] });
    expect(listener).toHaveBeenCalledWith({ items: [] });
    expect(listener.mock.calls[0]).toHaveLength(1);
    off();
    ipc.emit('uploads:progress', {}, { items: [1] });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('leaves out keys the page set to undefined (strict schemas): identity.signIn sends the ARN only when one is given', async () => {
    const ipc = new FakeIpc();
    const api = buildApi({ ipc: ipc as never, pathForFile: () => '' });
    await api.identity.signIn({ accessKeyId: 'minioadmin', secretAccessKey: 's3cr3t', arn: undefined });
    await api.identity.signIn({ accessKeyId: 'minioadmin', secretAccessKey: 's3cr3t', arn: 'arn:minio:iam:::user/john' });
    expect(ipc.invoked).toEqual([
      ['identity:signIn', { accessKeyId: 'minioadmin', secretAccessKey: 's3cr3t' }],
      ['identity:signIn', { accessKeyId: 'minioadmin', secretAccessKey: 's3cr3t', arn: 'arn:minio:iam:::user/john' }],
    ]);
    // Strict schemas refuse unknown keys, so "no ARN" must be an absent key, not arn: undefined.
    expect(Object.keys(ipc.invoked[0]![1] as object)).not.toContain('arn');
  });

  it('uploads.start sends paths made from File objects', async () => {
    const ipc = new FakeIpc();
    const api = buildApi({ ipc: ipc as never, pathForFile: (f) => `/home/john/${f.name}` });
    await api.uploads.start({ grant: 'hr-upload', files: [new File(['a'], 'a.txt'), new File(['b'], 'b.pdf')] });
    expect(ipc.invoked).toEqual([['uploads:start', { grant: 'hr-upload', paths: ['/home/john/a.txt', '/home/john/b.pdf'] }]]);
  });

  it.each([
    ['a path string', ['/home/john/.ssh/id_rsa']],
    ['a file-like object', [{ name: 'id_rsa', path: '/home/john/.ssh/id_rsa' }]],
    ['a Blob', [new Blob(['x'])]],
    ['nothing', []],
    ['not a list', '/etc/passwd'],
  ])('uploads.start refuses %s without calling main', async (_what, files) => {
    const ipc = new FakeIpc();
    const api = buildApi({ ipc: ipc as never, pathForFile: () => '/x' });
    const r = await api.uploads.start({ grant: 'hr-upload', files: files as never });
    expect(r).toMatchObject({ ok: false, error: { code: 'UPLOAD_FILES_REFUSED' } });
    expect(ipc.invoked).toEqual([]);
  });

  it('refuses a File that is not on disk (empty path)', () => {
    expect(filesToPaths([new File(['x'], 'made-up.txt')], () => '')).toMatchObject({ code: 'UPLOAD_FILES_REFUSED' });
  });
});
