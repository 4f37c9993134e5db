// The CLI artifact admins' CI pins (out/cli/grantbox-standalone.cjs, built by `npm run build`): its .sha256 is
// right, and it runs `grants lint` and `grants iam` from a folder with no node_modules anywhere above it — exactly
// what the workflow `grantbox grants init` writes does after `sha256sum -c`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const artifact = path.join(root, 'out', 'cli', 'grantbox-standalone.cjs');

beforeAll(() => {
  if (!fs.existsSync(artifact)) execFileSync('node', ['scripts/build-cli.mjs'], { cwd: root });
}, 120_000);

describe('the standalone CLI for CI', () => {
  it('matches its sha256 file and lints grants with no node_modules in reach', () => {
    const [digest, name] = fs.readFileSync(`${artifact}.sha256`, 'utf8').trim().split(/\s+/);
    expect(name).toBe('grantbox-standalone.cjs');
    expect(createHash('sha256').update(fs.readFileSync(artifact)).digest('hex')).toBe(digest);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-ci-'));
    try {
      fs.copyFileSync(artifact, path.join(dir, 'grantbox.cjs'));
      fs.mkdirSync(path.join(dir, 'grants'));
      fs.copyFileSync(path.join(root, 'config', 'grants', 'hr-upload.yaml'), path.join(dir, 'grants', 'hr-upload.yaml'));
      const run = (...args: string[]) => execFileSync('node', [path.join(dir, 'grantbox.cjs'), ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
      expect(run('grants', 'lint', 'grants')).toBe('');
      const kit = JSON.parse(run('grants', 'iam', 'hr-upload', '--path', 'grants', '--format', 'json')) as { role: unknown };
      expect(kit.role).toBeTruthy();
      fs.writeFileSync(path.join(dir, 'grants', 'broken.yaml'), 'apiVersion: grantbox.dev/v1\nkind: Grant\n');
      let code = 0;
      try {
        run('grants', 'lint', '--format', 'github', 'grants');
      } catch (e) {
        code = (e as { status: number }).status;
      }
      expect(code).toBe(1);

      // Commands that load the services (openpgp inside, which locates itself with import.meta.url) start too: with
      // no settings they stop at the settings check, not at a module that could not find its own path.
      let stderr = '';
      try {
        run('upload', 'hr-upload', path.join(dir, 'grants', 'hr-upload.yaml'));
      } catch (e) {
        stderr = String((e as { stderr: string }).stderr);
      }
      expect(stderr).toMatch(/^grantbox: SETTINGS_MISSING /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
