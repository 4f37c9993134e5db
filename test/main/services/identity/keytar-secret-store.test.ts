// KeytarSecretStore with an injected keytar: error mapping, the time bound, the stuck-call guard and the
// locked-keyring probe. The real keychain (gnome-keyring) is exercised in test/integration/keychain.test.ts.
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../../main/services/errors';
import { KeytarSecretStore, type KeytarModule, type LockState } from '../../../../main/services/identity/keytar-secret-store';
import { KEYCHAIN_SERVICE } from '../../../../main/services/identity/secret-store';

function fakeKeytar(overrides: Partial<KeytarModule> = {}): KeytarModule & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getPassword: async (s, a) => map.get(`${s}/${a}`) ?? null,
    setPassword: async (s, a, p) => void map.set(`${s}/${a}`, p),
    deletePassword: async (s, a) => map.delete(`${s}/${a}`),
    ...overrides,
  };
}

async function codeOf(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

const rejecting = (message: string): Partial<KeytarModule> => ({
  getPassword: () => Promise.reject(new Error(message)),
  setPassword: () => Promise.reject(new Error(message)),
  deletePassword: () => Promise.reject(new Error(message)),
});

describe('KeytarSecretStore', () => {
  it('stores under the Grantbox service name by default and round-trips', async () => {
    const k = fakeKeytar();
    const store = new KeytarSecretStore({ keytar: k, lockProbe: async () => 'unlocked', platform: 'linux' });
    await store.set('john', 's3cr3t');
    expect(k.map.get(`${KEYCHAIN_SERVICE}/john`)).toBe('s3cr3t');
    expect(await store.get('john')).toBe('s3cr3t');
    expect(await store.delete('john')).toBe(true);
    expect(await store.get('john')).toBeNull();
    expect(await store.delete('john')).toBe(false);
  });

  it.each([
    ['Cannot autolaunch D-Bus without X11 $DISPLAY', 'KEYCHAIN_NO_DBUS'],
    ['The name org.freedesktop.secrets was not provided by any .service files', 'KEYCHAIN_UNAVAILABLE'],
    ['Object does not exist at path “/org/freedesktop/secrets/collection/login”', 'KEYCHAIN_UNAVAILABLE'],
    ['Cannot create an item in a locked collection', 'KEYCHAIN_LOCKED'],
    ['User interaction is not allowed.', 'KEYCHAIN_LOCKED'],
    ['User canceled the operation.', 'KEYCHAIN_DENIED'],
    ['The operation was cancelled', 'KEYCHAIN_DENIED'],
    ['Something entirely new', 'KEYCHAIN_FAILED'],
  ])('maps "%s" to %s with a plain message and a hint', async (message, code) => {
    const store = new KeytarSecretStore({ keytar: fakeKeytar(rejecting(message)), lockProbe: async () => 'unknown', platform: 'linux' });
    for (const run of [() => store.get('a'), () => store.set('a', 'x'), () => store.delete('a')]) {
      const e = await codeOf(run());
      expect(e.code).toBe(code);
      expect(String(e.details.hint).length).toBeGreaterThan(30);
      expect(e.details.keychainMessage).toBe(message);
      expect(e.message).not.toMatch(/undefined|null/);
    }
  });

  it('reports a missing native module as KEYCHAIN_MODULE_MISSING, lazily, not at construction', async () => {
    const load = vi.fn(() => {
      throw new Error("Cannot find module 'keytar'");
    });
    const store = new KeytarSecretStore({ keytar: load });
    expect(load).not.toHaveBeenCalled();
    const e = await codeOf(store.get('a'));
    expect(e.code).toBe('KEYCHAIN_MODULE_MISSING');
    expect(e.details.hint).toMatch(/Reinstall/);
  });

  it('answers KEYCHAIN_TIMEOUT within the bound when keytar never answers, then fails fast while it stays stuck', async () => {
    let release: (v: string | null) => void = () => undefined;
    const never = new Promise<string | null>((r) => (release = r));
    const getPassword = vi.fn(() => never);
    const store = new KeytarSecretStore({ keytar: fakeKeytar({ getPassword }), timeoutMs: 150, lockProbe: async () => 'unlocked' });
    const t0 = Date.now();
    const e = await codeOf(store.get('a'));
    expect(e.code).toBe('KEYCHAIN_TIMEOUT');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(Date.now() - t0).toBeLessThan(1000);
    // While the first call is still stuck, no second native call is started.
    const t1 = Date.now();
    const again = await codeOf(store.get('a'));
    expect(again.code).toBe('KEYCHAIN_TIMEOUT');
    expect(again.details.stillWaitingForEarlierCall).toBe(true);
    expect(Date.now() - t1).toBeLessThan(50);
    expect(getPassword).toHaveBeenCalledTimes(1);
    // Once the stuck call settles (the person answered the prompt), the store works again.
    release('late');
    await never;
    await new Promise((r) => setImmediate(r));
    getPassword.mockImplementation(() => Promise.resolve('fresh'));
    expect(await store.get('a')).toBe('fresh');
  });

  it('turns a null get or a false delete into KEYCHAIN_LOCKED when the Secret Service says the keyring is locked', async () => {
    let state: LockState = 'locked';
    const probe = vi.fn(async () => state);
    const store = new KeytarSecretStore({ keytar: fakeKeytar(), lockProbe: probe, platform: 'linux' });
    expect((await codeOf(store.get('a'))).code).toBe('KEYCHAIN_LOCKED');
    expect((await codeOf(store.delete('a'))).code).toBe('KEYCHAIN_LOCKED');
    state = 'unlocked';
    expect(await store.get('a')).toBeNull();
    state = 'unknown';
    expect(await store.delete('a')).toBe(false);
    // A found secret needs no probe.
    probe.mockClear();
    await store.set('a', 'x');
    expect(await store.get('a')).toBe('x');
    expect(probe).not.toHaveBeenCalled();
  });

  it('does not probe D-Bus on macOS or Windows', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const store = new KeytarSecretStore({ keytar: fakeKeytar(), platform });
      expect(await store.get('a')).toBeNull();
    }
  });

  it('never puts the secret into an error', async () => {
    const store = new KeytarSecretStore({ keytar: fakeKeytar(rejecting('Cannot create an item in a locked collection')) });
    const e = await codeOf(store.set('a', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'));
    expect(JSON.stringify(e.toJSON())).not.toContain('wJalrXUtnFEMI');
  });
});
