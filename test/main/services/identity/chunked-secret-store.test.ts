// Big secrets on keychains with an item size limit (Windows: 2,560 bytes): one item where it fits, numbered parts
// only when the platform refuses, a partial set reads as "nothing stored".
import { ChunkingSecretStore } from '../../../../main/services/identity/chunked-secret-store';
import { AppError } from '../../../../main/services/errors';
import { MemorySecretStore } from '../../../../main/services/identity/secret-store';

/** A keychain that refuses secrets over 2,560 bytes the way Windows Credential Manager does. */
class LimitedStore extends MemorySecretStore {
  override async set(account: string, secret: string): Promise<void> {
    if (Buffer.byteLength(secret) > 2560) throw new AppError('KEYCHAIN_FAILED', 'The keychain refused.', { details: { keychainMessage: 'The stub received bad data.' } });
    return super.set(account, secret);
  }
  accounts(): string[] {
    return [...(this as unknown as { map: Map<string, string> }).map.keys()];
  }
}

const BIG = 'eyJ'.padEnd(6000, 'x') + 'END';

describe('ChunkingSecretStore', () => {
  it('stores a secret that fits as one item, exactly the secret', async () => {
    const inner = new LimitedStore();
    const store = new ChunkingSecretStore(inner);
    await store.set('oidc:1', 'small-refresh-token');
    expect(await inner.get('oidc:1')).toBe('small-refresh-token');
    expect(inner.accounts()).toEqual(['oidc:1']);
    expect(await store.get('oidc:1')).toBe('small-refresh-token');
  });

  it('splits a big secret only when the keychain refuses it, and reads it back whole', async () => {
    const inner = new LimitedStore();
    const store = new ChunkingSecretStore(inner);
    await store.set('oidc:1', BIG);
    expect(inner.accounts().length).toBeGreaterThan(2);
    expect(await inner.get('oidc:1')).toMatch(/^grantbox-chunked:v1:\d+:/);
    expect(await store.get('oidc:1')).toBe(BIG);
    // A rotation to a small token leaves no parts behind.
    await store.set('oidc:1', 'rotated');
    expect(inner.accounts()).toEqual(['oidc:1']);
    expect(await store.get('oidc:1')).toBe('rotated');
  });

  it('a keychain that takes big items keeps one item', async () => {
    const inner = new MemorySecretStore();
    await new ChunkingSecretStore(inner).set('a', BIG);
    expect(await inner.get('a')).toBe(BIG);
  });

  it('a partial set of parts is "nothing stored", never half a token', async () => {
    const inner = new LimitedStore();
    const store = new ChunkingSecretStore(inner);
    await store.set('oidc:1', BIG);
    const part = inner.accounts().find((a) => a.endsWith('#2'))!;
    await inner.delete(part);
    expect(await store.get('oidc:1')).toBeNull();
  });

  it('delete removes the parts too; other failures are not hidden', async () => {
    const inner = new LimitedStore();
    const store = new ChunkingSecretStore(inner);
    await store.set('oidc:1', BIG);
    expect(await store.delete('oidc:1')).toBe(true);
    expect(inner.accounts()).toEqual([]);
    const locked = new ChunkingSecretStore({
      get: async () => null,
      set: async () => Promise.reject(new AppError('KEYCHAIN_LOCKED', 'locked')),
      delete: async () => false,
    });
    await expect(locked.set('x', 'small')).rejects.toMatchObject({ code: 'KEYCHAIN_LOCKED' });
  });
});
