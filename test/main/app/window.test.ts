export {};
const created: Array<{ options: Record<string, any>; win: any }> = [];
vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  class BrowserWindow extends EventEmitter {
    static nextId = 7;
    webContents = { id: BrowserWindow.nextId++ };
    loadURL = vi.fn(async () => {});
    show = vi.fn();
    constructor(options: Record<string, any>) {
      super();
      created.push({ options, win: this });
    }
  }
  return { BrowserWindow };
});

const { createMainWindow, windowOptions, START_URL } = await import('../../../main/app/window');
const { TrustedSenders } = await import('../../../main/app/ipc/guard');

describe('main window', () => {
  it('has the security defaults', () => {
    const w = windowOptions('/app/out/preload/index.js').webPreferences!;
    expect(w).toMatchObject({
      preload: '/app/out/preload/index.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
  });

  it('loads the app:// page, trusts its WebContents while it lives', () => {
    const trusted = new TrustedSenders();
    createMainWindow('/p.js', trusted);
    const { win, options } = created.at(-1)!;
    expect(options.show).toBe(false);
    expect(win.loadURL).toHaveBeenCalledWith('app://grantbox/index.html');
    expect(START_URL).toBe('app://grantbox/index.html');
    expect(trusted.has(win.webContents.id)).toBe(true);
    win.emit('ready-to-show');
    expect(win.show).toHaveBeenCalled();
    win.emit('closed');
    expect(trusted.has(win.webContents.id)).toBe(false);
  });
});
