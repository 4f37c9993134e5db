import { EventEmitter } from 'node:events';
import { CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY, denyAllPermissions, hardenWebContents, installAppGuards, isAllowedExternalUrl } from '../../../main/app/security';

class FakeContents extends EventEmitter {
  openHandler?: (d: { url: string }) => { action: string };
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
}

function preventable() {
  return { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
}

describe('CSP', () => {
  it('is exactly the strict policy', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*/);
  });
});

describe('external links', () => {
  it.each([
    ['https://docs.aws.amazon.com/IAM/latest/UserGuide/', true],
    ['https://github.com/grantbox', true],
    ['http://docs.aws.amazon.com/', false],
    ['https://docs.aws.amazon.com.evil.example/', false],
    ['https://user:pw@github.com/', false],
    ['https://github.com:8443/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['smb://server/share', false],
    ['not a url', false],
  ])('%s → %s', (url, ok) => expect(isAllowedExternalUrl(url)).toBe(ok));
});

describe('WebContents guards', () => {
  it('blocks navigation, redirects and webviews', () => {
    const c = new FakeContents();
    hardenWebContents(c as never, { openExternal: vi.fn() });
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const e = preventable();
      c.emit(name, e, 'https://evil.example/');
      expect(e.defaultPrevented, name).toBe(true);
    }
  });

  it('denies every window.open, handing only allow-listed https links to the browser', () => {
    const c = new FakeContents();
    const openExternal = vi.fn();
    hardenWebContents(c as never, { openExternal });
    expect(c.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(c.openHandler!({ url: 'app://grantbox/index.html' })).toEqual({ action: 'deny' });
    expect(openExternal).not.toHaveBeenCalled();
    expect(c.openHandler!({ url: 'https://docs.aws.amazon.com/x' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://docs.aws.amazon.com/x');
    // The browser gets the normalised href that was checked, not the raw text (a backslash is a "/" to the URL parser).
    c.openHandler!({ url: 'https://github.com\\@evil.com' });
    expect(openExternal).toHaveBeenLastCalledWith('https://github.com/@evil.com');
  });

  it('cancels the Web Bluetooth chooser explicitly (Electron would otherwise pick the first device)', () => {
    const c = new FakeContents();
    hardenWebContents(c as never, { openExternal: vi.fn() });
    const e = preventable();
    const callback = vi.fn();
    c.emit('select-bluetooth-device', e, [{ deviceId: 'aa:bb', deviceName: 'Keyboard' }], callback);
    expect(e.defaultPrevented).toBe(true);
    expect(callback).toHaveBeenCalledWith('');
  });

  it('guards every WebContents the app creates', () => {
    const app = new EventEmitter();
    installAppGuards(app as never, { openExternal: vi.fn() });
    const c = new FakeContents();
    app.emit('web-contents-created', {}, c);
    const e = preventable();
    c.emit('will-navigate', e, 'https://evil.example/');
    expect(e.defaultPrevented).toBe(true);
  });
});

describe('permissions', () => {
  it('cancels every device chooser (HID, serial, USB) and refuses Bluetooth pairing', () => {
    const s = Object.assign(new EventEmitter(), { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn(), setDevicePermissionHandler: vi.fn(), setBluetoothPairingHandler: vi.fn() });
    denyAllPermissions(s as never);
    const chosen: unknown[][] = [];
    for (const [event, args] of [
      ['select-hid-device', [{ deviceList: [{ deviceId: 'hid-1' }] }]],
      ['select-serial-port', [[{ portId: 'ttyS0' }], {}]],
      ['select-usb-device', [{ deviceList: [{ deviceId: 'usb-1' }] }]],
    ] as const) {
      const e = preventable();
      expect(s.listenerCount(event), event).toBe(1);
      s.emit(event, e, ...args, (...picked: unknown[]) => chosen.push([event, ...picked]));
      expect(e.defaultPrevented, event).toBe(true);
    }
    expect(chosen).toEqual([['select-hid-device'], ['select-serial-port', ''], ['select-usb-device']]);
    const pairing = vi.fn();
    (s.setBluetoothPairingHandler.mock.calls[0] as any)[0]({ pairingKind: 'confirm', deviceId: 'aa:bb' }, pairing);
    expect(pairing).toHaveBeenCalledWith({ confirmed: false });
  });

  it('denies every request and check', () => {
    const s = Object.assign(new EventEmitter(), { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn(), setDevicePermissionHandler: vi.fn(), setBluetoothPairingHandler: vi.fn() });
    denyAllPermissions(s as never);
    const callback = vi.fn();
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) s.setPermissionRequestHandler.mock.calls[0]![0]({}, p, callback);
    expect(callback.mock.calls.every(([granted]) => granted === false)).toBe(true);
    expect(callback).toHaveBeenCalledTimes(5);
    expect((s.setPermissionCheckHandler.mock.calls[0] as any)[0]({}, 'media', 'app://grantbox')).toBe(false);
    expect((s.setDevicePermissionHandler.mock.calls[0] as any)[0]({})).toBe(false);
  });
});

describe('CSP meta in the renderer page', () => {
  it('repeats the header policy, minus what a meta policy cannot carry (renderer/index.html)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { resolve } = await import('node:path');
    const html = await readFile(resolve(__dirname, '../../../renderer/index.html'), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
    expect(meta?.[1]).toBe(META_CONTENT_SECURITY_POLICY);
    expect(META_CONTENT_SECURITY_POLICY).toBe(CONTENT_SECURITY_POLICY.replace(" frame-ancestors 'none';", ''));
    // No inline scripts or styles for the policy to have to allow.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style[\s>]/i);
  });
});
