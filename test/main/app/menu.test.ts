export {};
vi.mock('electron', () => ({ Menu: { buildFromTemplate: vi.fn((t: unknown) => t), setApplicationMenu: vi.fn() } }));
const { menuTemplate, installMenu } = await import('../../../main/app/menu');
const { Menu } = await import('electron');

describe('menu', () => {
  it('Help → Export session log… calls the export', () => {
    const exportLog = vi.fn();
    const help = menuTemplate({ exportLog }, 'linux').find((m) => m.role === 'help')!;
    const item = (help.submenu as Array<{ label?: string; click?: () => void }>).find((i) => i.label === 'Export session log…')!;
    item.click!();
    expect(exportLog).toHaveBeenCalledOnce();
  });

  it('has zoom for 200% use and an app menu only on macOS', () => {
    const linux = menuTemplate({ exportLog: vi.fn() }, 'linux');
    const view = linux.find((m) => m.label === 'View')!;
    expect((view.submenu as Array<{ role?: string }>).map((i) => i.role)).toEqual(expect.arrayContaining(['zoomIn', 'zoomOut', 'resetZoom']));
    expect(linux.some((m) => m.role === 'appMenu')).toBe(false);
    expect(menuTemplate({ exportLog: vi.fn() }, 'darwin')[0]!.role).toBe('appMenu');
    // No devtools toggle or reload in the shipped menu.
    expect(JSON.stringify(linux)).not.toMatch(/toggleDevTools|reload/i);
  });

  it('installs the menu', () => {
    installMenu({ exportLog: vi.fn() });
    expect(Menu.setApplicationMenu).toHaveBeenCalled();
  });
});
