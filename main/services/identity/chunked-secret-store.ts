// Keychains have size limits: Windows Credential Manager refuses a secret over 2,560 bytes ("The stub received bad
// data"), and Entra ID refresh tokens often exceed it. This wraps any SecretStore: a secret is stored as one item
// wherever it fits; only when the platform refuses a big one is it split across numbered items, with the account's
// own item holding a small header (part count, generation, digest). Reading a partial or mismatching set is
// "nothing stored" — never half a token. New parts are written under a new generation before the header flips to
// them, so a crash mid-write leaves the previous secret readable.
import { createHash, randomBytes } from 'node:crypto';
import type { SecretStore } from './secret-store';

/** Windows' CRED_MAX_CREDENTIAL_BLOB_SIZE (5 × 512 bytes). */
export const MAX_ITEM_BYTES = 2560;
const HEADER = 'grantbox-chunked:v1:';
/** Leaves room for how a platform may encode the text (keytar stores UTF-8; ASCII tokens stay 1 byte each). */
const PART_CHARS = 2000;

interface Header {
  parts: number;
  generation: string;
  digest: string;
}

function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 32);
}

function parseHeader(value: string): Header | null {
  if (!value.startsWith(HEADER)) return null;
  const [parts, generation, sum] = value.slice(HEADER.length).split(':');
  const n = Number(parts);
  if (!Number.isInteger(n) || n < 1 || n > 64 || !generation || !sum) return null;
  return { parts: n, generation, digest: sum };
}

const partAccount = (account: string, generation: string, i: number) => `${account}#${generation}#${i}`;

export class ChunkingSecretStore implements SecretStore {
  constructor(
    private readonly inner: SecretStore,
    private readonly maxItemBytes = MAX_ITEM_BYTES,
  ) {}

  async get(account: string): Promise<string | null> {
    const value = await this.inner.get(account);
    if (value === null) return null;
    const header = parseHeader(value);
    if (!header) return value;
    const parts: string[] = [];
    for (let i = 1; i <= header.parts; i++) {
      const part = await this.inner.get(partAccount(account, header.generation, i));
      if (part === null) return null;
      parts.push(part);
    }
    const secret = parts.join('');
    return digest(secret) === header.digest ? secret : null;
  }

  async set(account: string, secret: string): Promise<void> {
    const before = await this.inner.get(account).catch(() => null);
    const old = before === null ? null : parseHeader(before);
    try {
      await this.inner.set(account, secret);
    } catch (e) {
      // Split only when the platform refused something bigger than its limit; anything else is the real error.
      if (Buffer.byteLength(secret, 'utf8') <= this.maxItemBytes) throw e;
      const generation = randomBytes(4).toString('hex');
      const count = Math.ceil(secret.length / PART_CHARS);
      for (let i = 0; i < count; i++) await this.inner.set(partAccount(account, generation, i + 1), secret.slice(i * PART_CHARS, (i + 1) * PART_CHARS));
      await this.inner.set(account, `${HEADER}${count}:${generation}:${digest(secret)}`);
    }
    if (old) await this.deleteParts(account, old);
  }

  async delete(account: string): Promise<boolean> {
    const value = await this.inner.get(account);
    const header = value === null ? null : parseHeader(value);
    if (header) await this.deleteParts(account, header);
    return this.inner.delete(account);
  }

  private async deleteParts(account: string, header: Header): Promise<void> {
    for (let i = 1; i <= header.parts; i++) await this.inner.delete(partAccount(account, header.generation, i)).catch(() => false);
  }
}
