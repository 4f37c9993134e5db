// The Electron lifecycle with Electron mocked: what happens before 'ready', the settings-problem path (the window
// still opens and app:info explains), and the quit that asks first while uploads run.
import type { EventEmitter } from 'node:events';
import type { Services } from '../../../main/services/services';
import { fakeServices } from '../../helpers/ipc-fakes';

const h = vi.hoisted(() => ({
  ipc: new Map<string, (event: unknown, arg: unknown) => Promise<unknown>>(),
  services: null as unknown,
  dialogResponse: 0,
}));

vi.mock('electron', async () => {
  const { EventEmitter: EE } = await import('node:events');
  const app = Object.assign(new EE(), {
    enableSandbox: vi.fn(),
    requestSingleInstanceLock: vi.fn(() => true),
    setAsDefaultProtocolClient: vi.fn(() => true),
    setAppUserModelId: vi.fn(),
    whenReady: vi.fn(() => Promise.resolve()),
    getVersion: () => '9.9.9',
    getPath: () => '/home/john/Documents',
    quit: vi.fn(),
    exit: vi.fn(),
  });
  class BrowserWindow extends EE {
    static last: BrowserWindow;
    webContents = { id: 3, isDestroyed: () => false, send: vi.fn() };
    loadURL = vi.fn(async () => {});
    show = vi.fn();
    isDestroyed = () => false;
    setProgressBar = vi.fn();
    constructor(public options: unknown) {
      super();
      BrowserWindow.last = this;
    }
  }
  class Notification {
    static isSupported = () => true;
    show = vi.fn();
  }
  return {
    app,
    BrowserWindow,
    Notification,
    dialog: { showMessageBox: vi.fn(async () => ({ response: h.dialogResponse })), showSaveDialog: vi.fn(), showOpenDialog: vi.fn() },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn(), setDevicePermissionHandler: vi.fn(), setBluetoothPairingHandler: vi.fn(), on: vi.fn() } },
    shell: { openExternal: vi.fn() },
    ipcMain: { handle: (c: string, l: (event: unknown, arg: unknown) => Promise<unknown>) => h.ipc.set(c, l), removeHandler: vi.fn() },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: vi.fn() },
  };
});

vi.mock('../../../main/services/container', () => ({
  createServices: vi.fn(async () => {
    // The module registry is reset per boot: use the AppError class index.ts sees.
    const { AppError } = await import('../../../main/services/errors');
    if (!h.services) throw new AppError('SETTINGS_MISSING', 'Grantbox has no settings file yet.', { details: { hint: 'Ask IT.' } });
    return h.services;
  }),
}));

async function boot(services: Services | null) {
  vi.resetModules();
  h.ipc.clear();
  h.services = services;
  const electron = await import('electron');
  (electron.app as unknown as EventEmitter).removeAllListeners();
  await import('../../../main/app/index');
  await vi.waitFor(() => expect(h.ipc.size).toBeGreaterThan(0));
  const win = (electron.BrowserWindow as unknown as { last: EventEmitter & { webContents: { id: number } } }).last;
  const frame = { url: 'app://grantbox/index.html' };
  const call = (channel: string, arg?: unknown) => h.ipc.get(channel)!({ sender: { id: win.webContents.id, mainFrame: frame }, senderFrame: frame }, arg);
  return { electron, win, call };
}

describe('main process lifecycle', () => {
  it('sets up the scheme, sandbox, guards and permissions, and opens even without settings', async () => {
    const { electron, call } = await boot(null);
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalled();
    expect(electron.app.enableSandbox).toHaveBeenCalled();
    expect(electron.app.requestSingleInstanceLock).toHaveBeenCalled();
    expect(electron.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(electron.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled();
    expect(vi.mocked(electron.session.defaultSession.on).mock.calls.map(([event]) => event)).toEqual(['select-hid-device', 'select-serial-port', 'select-usb-device']);
    expect((electron.app as unknown as EventEmitter).listenerCount('web-contents-created')).toBe(1);
    await expect(call('app:info')).resolves.toMatchObject({
      ok: true,
      value: { version: '9.9.9', settingsProblem: { code: 'SETTINGS_MISSING', message: 'Grantbox has no settings file yet.' } },
    });
    await expect(call('grants:list')).resolves.toMatchObject({ ok: false, error: { code: 'SETTINGS_MISSING' } });
  });

  it('asks before quitting while uploads run, and quits when told to', async () => {
    let busy = true;
    const { services } = fakeServices({ uploads: { busy: () => busy } });
    const { electron } = await boot(services);
    const app = electron.app as unknown as EventEmitter & { quit: ReturnType<typeof vi.fn> };
    app.quit.mockClear();

    h.dialogResponse = 0; // "Keep uploading"
    const keep = { preventDefault: vi.fn() };
    app.emit('before-quit', keep);
    expect(keep.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(electron.dialog.showMessageBox).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 0));
    expect(app.quit).not.toHaveBeenCalled();

    h.dialogResponse = 1; // "Quit anyway"
    app.emit('before-quit', { preventDefault: vi.fn() });
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalled());
    // Once confirmed, nothing holds the quit back.
    const after = { preventDefault: vi.fn() };
    app.emit('before-quit', after);
    expect(after.preventDefault).not.toHaveBeenCalled();

    busy = false;
  });

  it('lets the services close before the process ends', async () => {
    const { services } = fakeServices({ uploads: { busy: () => false } });
    const { electron } = await boot(services);
    const app = electron.app as unknown as EventEmitter & { quit: ReturnType<typeof vi.fn> };
    app.quit.mockClear();
    const e = { preventDefault: vi.fn() };
    app.emit('will-quit', e);
    expect(e.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(services.close).toHaveBeenCalled());
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalled());
  });
});

describe('settingsFlag', () => {
  it('reads --settings FILE and --settings=FILE', async () => {
    const { settingsFlag } = await import('../../../main/app/index');
    expect(settingsFlag(['/opt/grantbox', '--settings', '/etc/g.yaml'])).toBe('/etc/g.yaml');
    expect(settingsFlag(['/opt/grantbox', '--no-sandbox', '--settings=/etc/g.yaml'])).toBe('/etc/g.yaml');
    expect(settingsFlag(['/opt/grantbox'])).toBeUndefined();
  });
});
