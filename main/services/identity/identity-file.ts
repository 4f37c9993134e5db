// The data folder's identity file (identity.json): who is signed in and with which method — never a secret. Every
// sign-in method keeps its record here (the `method` field says whose it is; records without one are access-key
// sign-ins) and names the keychain account holding its secret in `keychainAccount`, so sign-out can always remove
// the secret, even when the settings switched to another method since.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SignInMethodKind } from '../../../config/schema';
import { AppError } from '../errors';

export const IDENTITY_FILE = 'identity.json';

/** What every record has; each method adds its own fields and checks them itself. */
export interface IdentityRecord {
  version: 1;
  /** Absent in access-key records written before company sign-in existed. */
  method?: SignInMethodKind;
  keychainAccount: string;
  signedInAt: string;
  [field: string]: unknown;
}

export function identityFilePath(dataDir: string): string {
  return path.join(dataDir, IDENTITY_FILE);
}

export function recordMethod(record: IdentityRecord): SignInMethodKind {
  return record.method ?? 'accessKey';
}

export function damagedIdentityFile(cause?: unknown): AppError {
  return new AppError('IDENTITY_FILE_DAMAGED', 'The record of who is signed in on this computer is damaged.', {
    ...(cause !== undefined ? { cause } : {}),
    details: { hint: 'Sign in again; Grantbox will replace it.' },
  });
}

/** The record, or null when nobody is signed in. IDENTITY_FILE_UNREADABLE / IDENTITY_FILE_DAMAGED otherwise. */
export async function readIdentityRecord(dataDir: string): Promise<IdentityRecord | null> {
  const file = identityFilePath(dataDir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AppError('IDENTITY_FILE_UNREADABLE', 'Grantbox could not read who is signed in on this computer.', {
      cause: e,
      details: { hint: `Check the permissions of ${file}, or sign in again.` },
    });
  }
  let parsed: Partial<IdentityRecord>;
  try {
    parsed = JSON.parse(text) as Partial<IdentityRecord>;
  } catch (e) {
    throw damagedIdentityFile(e);
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.version !== 1 || typeof parsed.keychainAccount !== 'string') throw damagedIdentityFile();
  return parsed as IdentityRecord;
}

/** Write-then-rename so a crash never leaves half a file; 0600 because it says who works here. */
export async function writeIdentityRecord(dataDir: string, record: IdentityRecord): Promise<void> {
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = identityFilePath(dataDir);
  const tmp = `${file}.${randomUUID()}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await fs.rename(tmp, file);
}

export async function removeIdentityRecord(dataDir: string): Promise<void> {
  await fs.rm(identityFilePath(dataDir), { force: true });
}
