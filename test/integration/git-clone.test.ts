// The grants repository clone (GitClone) against a real smart-HTTP git server (git http-backend on loopback): first clone, picking up a
// pushed change, server down, bad token, and signature checks on commits signed with OpenPGP and SSH keys.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { GitClone, gitTokenAccount } from '../../main/services/grants/git-clone';
import { loadTrustedKeys, verifyCommitSignature } from '../../main/services/grants/signatures';
import { MemorySecretStore } from '../../main/services/identity/secret-store';
import { commitSigned, pgpKey, useGitServer } from '../helpers/git-fixtures';
import { createGrantsRepo, git as gitCli, type GitHttpServer } from '../helpers/git-http-server';

const execFileP = promisify(execFile);
const fixture = useGitServer();
let server: GitHttpServer;
let dataDir: string;
beforeEach(() => ({ server, dataDir } = fixture));

describe('GitClone', () => {
  it('clones on first use, reads only grant files under the sub-path, and picks up a pushed change', async () => {
    const repo = await createGrantsRepo(server, 'basic');
    const first = await repo.commit({
      'grants/a.yaml': 'a: 1\n',
      'grants/sub/b.yml': 'b: 2\n',
      'grants/notes.txt': 'not a grant',
      'other/c.yaml': 'c: 3\n',
      '.github/workflows/lint-grants.yml': 'on: push\n',
    });
    const source = new GitClone({ url: repo.url, subPath: 'grants', dataDir });
    expect(source.hasClone()).toBe(false);
    expect(await source.fetchLatest()).toBe(first);
    expect(source.hasClone()).toBe(true);
    expect(await source.readFiles(first)).toEqual([
      { path: 'grants/a.yaml', text: 'a: 1\n' },
      { path: 'grants/sub/b.yml', text: 'b: 2\n' },
    ]);

    const second = await repo.commit({ 'grants/a.yaml': 'a: 10\n' }, 'raise a');
    const fresh = new GitClone({ url: repo.url, subPath: 'grants', dataDir });
    expect(await fresh.fetchLatest()).toBe(second);
    expect(await fresh.latestFetched()).toBe(second);
    expect((await fresh.readFiles(second))[0]).toEqual({ path: 'grants/a.yaml', text: 'a: 10\n' });
    // The old revision stays readable (last-known-good needs it).
    expect((await fresh.readFiles(first))[0]!.text).toBe('a: 1\n');
    const info = await fresh.commitInfo(second);
    expect(info.subject).toBe('raise a');
    expect(info.signature).toBeUndefined();
    expect(await fresh.resolve(second.slice(0, 7))).toBe(second);
  });

  it('reports an unreachable server as GIT_UNREACHABLE and a refused token as GIT_AUTH_FAILED', async () => {
    const repo = await createGrantsRepo(server, 'auth');
    await repo.commit({ 'a.yaml': 'a: 1\n' });
    const secrets = new MemorySecretStore();
    const source = new GitClone({ url: repo.url, dataDir, secrets });

    server.setToken('right-token');
    try {
      await expect(source.fetchLatest()).rejects.toMatchObject({ code: 'GIT_AUTH_FAILED', message: expect.stringMatching(/needs an access token/) });
      await secrets.set(gitTokenAccount(repo.url), 'wrong-token');
      const err = await source.fetchLatest().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'GIT_AUTH_FAILED', details: { hint: expect.stringMatching(/new access token/) } });
      expect(JSON.stringify((err as { toJSON(): unknown }).toJSON())).not.toContain('wrong-token');
      await secrets.set(gitTokenAccount(repo.url), 'right-token');
      expect(await source.fetchLatest()).toMatch(/^[0-9a-f]{40}$/);
    } finally {
      server.setToken(null);
    }

    const down = new GitClone({ url: 'http://127.0.0.1:1/nothing.git', dataDir: path.join(dataDir, 'other') });
    await expect(down.fetchLatest()).rejects.toMatchObject({ code: 'GIT_UNREACHABLE' });
  });

  it('gives up on a server that accepts the connection but never answers (bounded, GIT_UNREACHABLE)', async () => {
    const sockets: net.Socket[] = [];
    const hung = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    try {
      const { port } = hung.address() as net.AddressInfo;
      const source = new GitClone({ url: `http://127.0.0.1:${port}/grants.git`, dataDir, timeoutMs: 500 });
      const started = Date.now();
      await expect(source.fetchLatest()).rejects.toMatchObject({ code: 'GIT_UNREACHABLE' });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => hung.close(r));
    }
  });

  it('reports a missing branch plainly', async () => {
    const repo = await createGrantsRepo(server, 'branch');
    await repo.commit({ 'a.yaml': 'a: 1\n' });
    const source = new GitClone({ url: repo.url, branch: 'no-such-branch', dataDir });
    await expect(source.fetchLatest()).rejects.toMatchObject({ code: expect.stringMatching(/^GIT_(BRANCH_NOT_FOUND|FETCH_FAILED)$/) });
  });
});

describe('signed commits', () => {
  it('accepts an OpenPGP-signed commit by a trusted key and refuses unsigned or other-key commits', async () => {
    const admin = await pgpKey('admin');
    const stranger = await pgpKey('stranger');
    const repo = await createGrantsRepo(server, 'signed-pgp');
    const unsigned = await repo.commit({ 'a.yaml': 'a: 1\n' });

    const signCommit = (armoredPrivate: string, file: string) => commitSigned(repo, { [file]: 'x: 1\n' }, armoredPrivate, `signed ${file}`);
    const good = await signCommit(admin.privateKey, 'b.yaml');
    const bad = await signCommit(stranger.privateKey, 'c.yaml');

    const source = new GitClone({ url: repo.url, dataDir });
    await source.fetchLatest();
    const keyFile = path.join(dataDir, 'admin.asc');
    await fs.writeFile(keyFile, admin.publicKey);
    const trusted = await loadTrustedKeys(['admin.asc'], dataDir);
    expect(trusted).toHaveLength(1);

    // The machine's git agrees the signature is well-formed OpenPGP over the commit (cross-check of payload bytes).
    expect(await gitCli(repo.work, 'cat-file', '-p', good)).toContain('-----BEGIN PGP SIGNATURE-----');
    expect(await verifyCommitSignature(await source.commitInfo(good), trusted)).toMatchObject({ ok: true, signer: expect.stringMatching(/^OpenPGP /) });
    expect(await verifyCommitSignature(await source.commitInfo(unsigned), trusted)).toEqual({ ok: false, reason: 'the commit is not signed' });
    expect(await verifyCommitSignature(await source.commitInfo(bad), trusted)).toMatchObject({ ok: false, reason: expect.stringMatching(/not trusted/) });
    // Tampered payload: same signature, different bytes.
    const info = await source.commitInfo(good);
    expect(await verifyCommitSignature({ ...info, payload: info.payload.replace('signed', 'forged') }, trusted)).toMatchObject({ ok: false });
  });

  it('accepts an SSH-signed commit (made by git + ssh-keygen) by a trusted key and refuses another key', async () => {
    const keyDir = await fs.mkdtemp(path.join(os.tmpdir(), 'grantbox-ssh-'));
    for (const name of ['admin', 'other']) {
      await execFileP('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@example.com`, '-f', path.join(keyDir, name)]);
    }
    const repo = await createGrantsRepo(server, 'signed-ssh');
    const sshCommit = async (key: string, file: string) => {
      await fs.writeFile(path.join(repo.work, file), 'x: 1\n');
      await gitCli(repo.work, 'add', file);
      await gitCli(repo.work, '-c', 'gpg.format=ssh', '-c', `user.signingkey=${path.join(keyDir, key)}`, 'commit', '-q', '-S', '-m', `ssh ${file}`);
      return repo.push();
    };
    const good = await sshCommit('admin', 'a.yaml');
    const bad = await sshCommit('other', 'b.yaml');
    const source = new GitClone({ url: repo.url, dataDir });
    await source.fetchLatest();
    const trusted = await loadTrustedKeys([(await fs.readFile(path.join(keyDir, 'admin.pub'), 'utf8')).trim()], dataDir);
    expect(await verifyCommitSignature(await source.commitInfo(good), trusted)).toMatchObject({ ok: true, signer: expect.stringMatching(/^SSH SHA256:/) });
    expect(await verifyCommitSignature(await source.commitInfo(bad), trusted)).toMatchObject({ ok: false, reason: expect.stringMatching(/not trusted/) });
    const info = await source.commitInfo(good);
    expect(await verifyCommitSignature({ ...info, payload: `${info.payload}x` }, trusted)).toEqual({ ok: false, reason: 'the SSH signature does not match the commit' });
  });
});
