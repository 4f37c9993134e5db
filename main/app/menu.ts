// The application menu: standard Edit (copy/paste in text fields), View (zoom for 200% use) and Window roles,
// and Help → "Export session log…", which goes straight to the save dialog in main.
import { Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  exportLog(): void;
  /** Opens the Grantbox help page in the browser. */
  openHelp?(): void;
}

export function menuTemplate(actions: MenuActions, platform: NodeJS.Platform = process.platform): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) template.push({ role: 'appMenu' });
  template.push(
    { label: 'File', submenu: [isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: 'Export session log…', click: () => actions.exportLog() },
        ...(actions.openHelp ? [{ label: 'Grantbox help', click: () => actions.openHelp?.() }] : []),
      ],
    },
  );
  return template;
}

export function installMenu(actions: MenuActions): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(actions)));
}
