// Shared setup for the git grant-source integration tests: one real git smart-HTTP server per test file, a fresh
// data folder per test, and OpenPGP-signed commits made the way an admin's git would make them.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import git from 'isomorphic-git';
import * as openpgp from 'openpgp';
import { startGitHttpServer, type createGrantsRepo, type GitHttpServer } from './git-http-server';

type GrantsRepo = Awaited<ReturnType<typeof createGrantsRepo>>;

/**
 * Starts the server for the file and makes a new data folder before each test; read both inside tests. A test that
 * restarts the server stores the new one in `server`, so it is the one stopped at the end.
 */
export function useGitServer(): { server: GitHttpServer; readonly dataDir: string } {
  const state = {} as { server: GitHttpServer; dataDir: string };
  beforeAll(async () => {
    state.server = await startGitHttpServer();
  });
  afterAll(async () => {
    await state.server?.stop();
  });
  beforeEach(async () => {
    state.dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'grantbox-data-'));
  });
  return state;
}

/** A fresh OpenPGP key pair (armored), as `gpg --quick-gen-key` would give an admin. */
export function pgpKey(name: string): Promise<{ privateKey: string; publicKey: string }> {
  return openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name, email: `${name}@example.com` }], format: 'armored' });
}

/** Writes `files`, commits them signed with `armoredPrivate`, pushes, and returns the commit id. */
export async function commitSigned(repo: GrantsRepo, files: Record<string, string>, armoredPrivate: string, message: string): Promise<string> {
  for (const [file, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(repo.work, file)), { recursive: true });
    await fs.writeFile(path.join(repo.work, file), text);
    await git.add({ fs, dir: repo.work, filepath: file });
  }
  await git.commit({
    fs,
    dir: repo.work,
    message,
    author: { name: 'Grants Admin', email: 'admin@example.com' },
    signingKey: armoredPrivate,
    onSign: async ({ payload, secretKey }) => {
      const signingKeys = await openpgp.readPrivateKey({ armoredKey: secretKey });
      const msg = await openpgp.createMessage({ binary: new TextEncoder().encode(payload) });
      return { signature: (await openpgp.sign({ message: msg, signingKeys, detached: true, format: 'armored' })) as string };
    },
  });
  return repo.push();
}
