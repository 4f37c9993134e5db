// The main window: security defaults (isolated, sandboxed, no Node, web security on) and the app:// page.
// Its WebContents id joins the trusted-sender allow-list for as long as the window lives.
import { BrowserWindow, type BrowserWindowConstructorOptions } from 'electron';
import type { TrustedSenders } from './ipc/guard';
import { APP_ORIGIN } from './app-scheme';

export const START_URL = `${APP_ORIGIN}/index.html`;

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 640,
    minHeight: 480,
    title: 'Grantbox',
    // Shown on ready-to-show, so people never see a blank white frame.
    show: false,
    backgroundColor: '#1f2329',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: process.env.NODE_ENV === 'development',
    },
  };
}

export function createMainWindow(preloadPath: string, trusted: TrustedSenders): BrowserWindow {
  const win = new BrowserWindow(windowOptions(preloadPath));
  const id = win.webContents.id;
  trusted.add(id);
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => trusted.delete(id));
  void win.loadURL(START_URL);
  return win;
}
