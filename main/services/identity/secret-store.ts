// The secret store: where the long-term "refresh" secret (and a git token) lives — the OS keychain and nowhere
// else. One implementation talks to keytar (keytar-secret-store.ts); tests may use MemorySecretStore.
// Every call is bounded in time and every failure is an AppError with its own code (see KEYCHAIN_* codes).

export const KEYCHAIN_SERVICE = 'dev.grantbox.app';

export interface SecretStore {
  /** null = nothing stored under this account. Rejects with AppError KEYCHAIN_* when the keychain fails. */
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** true when something was deleted. */
  delete(account: string): Promise<boolean>;
}

/** In-memory store for unit tests and for the e2e harness's isolated runs. Never used by the app. */
export class MemorySecretStore implements SecretStore {
  private readonly map = new Map<string, string>();
  async get(account: string): Promise<string | null> {
    return this.map.get(account) ?? null;
  }
  async set(account: string, secret: string): Promise<void> {
    this.map.set(account, secret);
  }
  async delete(account: string): Promise<boolean> {
    return this.map.delete(account);
  }
}
