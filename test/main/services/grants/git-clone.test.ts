// The grants repository clone's pure parts: signed-payload extraction, error mapping, URL redaction, keychain account names.
// (Fetching against a real server: test/integration/git-clone.test.ts.)
import { AppError } from '../../../../main/services/errors';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitClone, gitTokenAccount, redactUrl, splitSignedCommit, toGitError, tokenTransportSafe } from '../../../../main/services/grants/git-clone';
import { MemorySecretStore } from '../../../../main/services/identity/secret-store';

describe('splitSignedCommit', () => {
  const raw = [
    'tree 1111111111111111111111111111111111111111',
    'parent 2222222222222222222222222222222222222222',
    'author A <a@example.com> 1700000000 +0000',
    'committer A <a@example.com> 1700000000 +0000',
    'gpgsig -----BEGIN SSH SIGNATURE-----',
    ' U1NIU0lH',
    ' -----END SSH SIGNATURE-----',
    '',
    'message',
    ' indented body line',
    '',
  ].join('\n');

  it('cuts the gpgsig header out of the signed bytes and unfolds the signature', () => {
    const { payload, signature } = splitSignedCommit(raw);
    expect(signature).toBe('-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----');
    expect(payload).toBe(
      'tree 1111111111111111111111111111111111111111\nparent 2222222222222222222222222222222222222222\nauthor A <a@example.com> 1700000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\n\nmessage\n indented body line\n',
    );
  });

  it('leaves an unsigned commit as it is', () => {
    const unsigned = 'tree 1\nauthor A\ncommitter A\n\nmsg\n';
    expect(splitSignedCommit(unsigned)).toEqual({ payload: unsigned });
  });
});

describe('toGitError', () => {
  const url = 'https://user:pw@git.example.com/it/grants.git';
  it.each([
    [{ code: 'HttpError', data: { statusCode: 401 } }, true, 'GIT_AUTH_FAILED', /refused the access token/],
    [{ code: 'HttpError', data: { statusCode: 403 } }, false, 'GIT_AUTH_FAILED', /needs an access token/],
    [{ code: 'UserCanceledError' }, true, 'GIT_AUTH_FAILED', /refused/],
    [{ code: 'HttpError', data: { statusCode: 404 } }, false, 'GIT_REPO_NOT_FOUND', /could not be found/],
    [{ code: 'ECONNREFUSED' }, false, 'GIT_UNREACHABLE', /could not be reached/],
    [{ code: 'ENOTFOUND' }, false, 'GIT_UNREACHABLE', /could not be reached/],
    [{ name: 'TimeoutError' }, false, 'GIT_UNREACHABLE', /could not be reached/],
    [{ message: 'Request timed out' }, false, 'GIT_UNREACHABLE', /could not be reached/],
    [{ code: 'NotFoundError' }, false, 'GIT_BRANCH_NOT_FOUND', /branch/],
    [{ code: 'SomethingElse', message: 'boom' }, false, 'GIT_FETCH_FAILED', /boom/],
  ])('%o → %s', (thrown, hadToken, code, message) => {
    const e = toGitError(Object.assign(new Error((thrown as { message?: string }).message ?? 'x'), thrown), url, hadToken);
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.details.hint).toEqual(expect.any(String));
    // The URL in details never carries credentials.
    expect(JSON.stringify(e.toJSON())).not.toContain('pw@');
  });

  it('removes credentials from a message that quotes the remote URL (isomorphic-git does for unknown transports)', () => {
    const token = 'ghp_' + 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2';
    const remote = `ssh://git:${token}@git.example.com/it/grants.git`;
    const thrown = Object.assign(new Error(`Git remote "${remote}" uses an unrecognized transport protocol: "ssh"`), { code: 'UnknownTransportError' });
    const e = toGitError(thrown, remote, false);
    expect(e.code).toBe('GIT_FETCH_FAILED');
    expect(e.message).toContain('"ssh://git.example.com/it/grants.git"');
    expect(JSON.stringify(e.toJSON())).not.toContain(token);
  });

  it('passes an AppError through', () => {
    const original = new AppError('X', 'y');
    expect(toGitError(original, url, false)).toBe(original);
  });
});

describe('redactUrl and gitTokenAccount', () => {
  it('drops user:password and keys tokens by host', () => {
    expect(redactUrl('https://u:p@git.example.com:8443/a.git')).toBe('https://git.example.com:8443/a.git');
    expect(redactUrl('not a url')).toBe('not a url');
    expect(gitTokenAccount('https://git.example.com:8443/a.git')).toBe('git-token:git.example.com:8443');
  });
});

describe('the git token never travels in clear text', () => {
  it('allows https and this computer itself, nothing else', () => {
    expect(tokenTransportSafe('https://git.example.com/g.git')).toBe(true);
    for (const local of ['http://127.0.0.1:8080/g.git', 'http://localhost/g.git', 'http://[::1]:9/g.git']) expect(tokenTransportSafe(local)).toBe(true);
    for (const bad of ['http://git.example.com/g.git', 'http://127.0.0.1.evil.example/g.git', 'git://git.example.com/g.git', 'not a url']) expect(tokenTransportSafe(bad)).toBe(false);
  });

  it('refuses to fetch over http:// with a stored token, before any request is made', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-gittok-'));
    try {
      const url = 'http://git.example.com/grants.git';
      const secrets = new MemorySecretStore();
      await secrets.set(gitTokenAccount(url), 'ghp_' + 'a'.repeat(36));
      const requests: string[] = [];
      const http = { request: async (req: { url: string }) => { requests.push(req.url); throw new Error('no network in this test'); } };
      const source = new GitClone({ url, dataDir, secrets, http: http as never });
      const err = await source.fetchLatest().then(() => null, (e: unknown) => e as AppError);
      expect(err).toMatchObject({ code: 'GIT_TOKEN_NEEDS_HTTPS', details: { url, hint: expect.stringMatching(/https:\/\//) } });
      expect(requests).toEqual([]);
      // The same for credentials written into the settings URL itself.
      const inUrl = new GitClone({ url: 'http://deploy:pat@git.example.com/grants.git', dataDir, http: http as never });
      await expect(inUrl.fetchLatest()).rejects.toMatchObject({ code: 'GIT_TOKEN_NEEDS_HTTPS' });
      expect(requests).toEqual([]);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('credentials in the settings URL', () => {
  it('are used for the fetch but never written into the clone’s config file', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-giturl-'));
    try {
      const requests: Array<{ url: string; headers?: Record<string, string> }> = [];
      const http = {
        request: async (req: { url: string; headers?: Record<string, string> }) => {
          requests.push(req);
          throw Object.assign(new Error('offline'), { code: 'ECONNREFUSED' });
        },
      };
      const source = new GitClone({ url: 'https://deploy:s3cr3t-pat@git.example.com/it/grants.git', dataDir, http: http as never });
      await expect(source.fetchLatest()).rejects.toMatchObject({ code: 'GIT_UNREACHABLE' });
      const config = fs.readFileSync(path.join(source.gitdir, 'config'), 'utf8');
      expect(config).toContain('url = https://git.example.com/it/grants.git');
      expect(config).not.toContain('s3cr3t-pat');
      // The fetch still carried them (isomorphic-git moves URL credentials into an Authorization header).
      expect(requests[0]?.url).toBe('https://git.example.com/it/grants.git/info/refs?service=git-upload-pack');
      expect(requests[0]?.headers?.Authorization).toBe(`Basic ${Buffer.from('deploy:s3cr3t-pat').toString('base64')}`);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
