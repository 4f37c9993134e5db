// The admin CLI against a real git server: token set/clear (keychain seam), sync with a missing / wrong / right
// token, a refused revision reported by sync and status, and `grants diff` between the active and the fetched revision.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli';
import { MemorySecretStore } from '../../main/services/identity/secret-store';
import { createGrantsRepo, startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server';
import { grantYaml } from '../helpers/grant-yaml';

const run = (args: string[], stdin?: string) =>
  runCli(args, { ...(stdin === undefined ? {} : { stdin }), deps: { dataDir: () => path.join(dir, 'data'), secrets: () => secrets } });

let server: GitHttpServer;
let dir: string;
const secrets = new MemorySecretStore();
beforeAll(async () => {
  server = await startGitHttpServer({ token: 's3cret-token' });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grantbox-git-cli-'));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await server.stop();
});
beforeEach(() => vi.stubEnv('GRANTBOX_SETTINGS', path.join(dir, 'settings.yaml')));
afterEach(() => vi.unstubAllEnvs());

describe('grantbox grants sync/status/diff/token with a git source', () => {
  it('walks an admin and a staff machine through token, sync, a refused revision and the diff', async () => {
    const repo = await createGrantsRepo(server, 'cli');
    const first = await repo.commit({ 'grants/hr-upload.yaml': grantYaml('hr-upload') });
    await fs.writeFile(
      path.join(dir, 'settings.yaml'),
      `apiVersion: grantbox.dev/v1\nkind: Settings\ngrants:\n  source: git\n  url: ${repo.url}\n  path: grants\n  token: true\n  intervalMinutes: 0\n`,
    );

    let r = await run(['grants', 'sync']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^grantbox: GIT_AUTH_FAILED The grants repository needs an access token/);

    expect((await run(['grants', 'token', 'set'], 'wrong-token\n')).code).toBe(0);
    r = await run(['grants', 'sync']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('GIT_AUTH_FAILED The grants repository refused the access token');
    expect(r.err).toContain('Ask your admin for a new access token');
    expect(r.err + r.out).not.toContain('wrong-token');

    r = await run(['grants', 'token', 'set'], 's3cret-token\n');
    expect(r.out).toContain(`Token stored in the keychain for ${new URL(repo.url).host}`);
    r = await run(['grants', 'sync']);
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toContain(`revision:  ${first.slice(0, 7)}`);
    expect(r.out).toContain('grants:    1');

    // A pushed change that widens the prefix and breaks another file: refused; the diff still shows the widening.
    const bad = await repo.commit({
      'grants/hr-upload.yaml': grantYaml('hr-upload').replace('prefix: "hr-upload/{user}/"', 'prefix: "hr-upload/"'),
      'grants/broken.yaml': 'kind: Grant\n',
    });
    r = await run(['grants', 'sync']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`Using grants from .* \\(${first.slice(0, 7)}\\); a newer version could not be used — your admin has been told\\.`));
    r = await run(['grants', 'status', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ source: 'git', revision: first, total: 1, notice: expect.stringMatching(/could not be used/), lastCheckedAt: expect.any(String) });

    r = await run(['grants', 'diff']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Grant changes from ${first.slice(0, 7)} to ${bad.slice(0, 7)}:`);
    expect(r.out).toContain('+ the folder prefix was widened from "hr-upload/{user}/" to "hr-upload/"');
    expect(r.err).toMatch(new RegExp(`${bad.slice(0, 7)} has \\d+ problems?`));
    r = await run(['grants', 'diff', first.slice(0, 8), bad, '--format', 'json']);
    expect(JSON.parse(r.out)).toMatchObject({ widens: true, grants: [{ name: 'hr-upload', status: 'changed' }] });

    r = await run(['grants', 'token', 'clear']);
    expect(r.out).toContain('removed from the keychain');
    expect(await secrets.get(`git-token:${new URL(repo.url).host}`)).toBeNull();
  });
});
