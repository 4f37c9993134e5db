// `grantbox grants init | diff | status | sync` over folders (the git side is in test/integration/git-cli.test.ts).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../../helpers/run-cli';

const ROOT = path.resolve(__dirname, '../../../..');
const TUTORIAL = path.join(ROOT, 'config/grants/hr-upload.yaml');

const run = (...args: string[]) => runCli(args);

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'grantbox-admin-cli-'));
  vi.stubEnv('GRANTBOX_HOME', path.join(dir, 'home'));
  vi.stubEnv('GRANTBOX_SETTINGS', path.join(dir, 'settings.yaml'));
});
afterEach(() => vi.unstubAllEnvs());

describe('grantbox grants init', () => {
  it('scaffolds a repository whose grants lint clean, and refuses a second run', async () => {
    const repo = path.join(dir, 'repo');
    const first = await run('grants', 'init', repo);
    expect(first.code).toBe(0);
    expect(first.out).toContain(`created ${path.join(repo, 'grants/hr-upload.yaml')}`);
    expect((await run('grants', 'lint', path.join(repo, 'grants'))).code).toBe(0);
    const again = await run('grants', 'init', repo);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/^grantbox: INIT_WOULD_OVERWRITE /);
  });
});

describe('grantbox grants diff (folders)', () => {
  it('prints the changes per grant in words, as text and as markdown, and exits 0', async () => {
    const tutorial = await fs.readFile(TUTORIAL, 'utf8');
    await fs.mkdir(path.join(dir, 'old'));
    await fs.mkdir(path.join(dir, 'new'));
    await fs.writeFile(path.join(dir, 'old', 'hr.yaml'), tutorial.replace('permissions: [list, read, upload]', 'permissions: [list, upload]').replace('prefix: ""', 'prefix: "forms/{user}/"'));
    await fs.writeFile(
      path.join(dir, 'new', 'hr.yaml'),
      tutorial.replace('duration: 1h', 'duration: 4h').replace('prefix: ""', 'prefix: "forms/"').replace('    - arn:aws:iam::629470240201:user/john', '    - arn:aws:iam::629470240201:user/john\n    - arn:aws:iam::629470240201:user/mary'),
    );
    const text = await run('grants', 'diff', path.join(dir, 'old'), path.join(dir, 'new'));
    expect(text.code).toBe(0);
    expect(text.out).toContain('hr-upload (changed) — HR documents');
    expect(text.out).toContain('+ arn:aws:iam::629470240201:user/mary can now use hr-upload');
    expect(text.out).toContain('+ staff may now read (download) files');
    expect(text.out).toContain('+ the folder prefix was widened from "forms/{user}/" to "forms/"');
    expect(text.out).toContain('+ the session length was raised from 1 h to 4 h');
    const md = await run('grants', 'diff', path.join(dir, 'old'), path.join(dir, 'new'), '--format', 'markdown');
    expect(md.out).toMatch(/^### Grant changes: `.*old` → `.*new`/);
    expect(md.out).toContain('- ⚠️ the session length was raised from 1 h to 4 h');
    expect((await run('grants', 'diff', path.join(dir, 'old'), path.join(dir, 'new'), '--format', 'yaml')).code).toBe(2);
  });

  it('warns when a side has problems and compares the valid grants', async () => {
    await fs.mkdir(path.join(dir, 'a'));
    await fs.mkdir(path.join(dir, 'b'));
    await fs.writeFile(path.join(dir, 'a', 'hr.yaml'), await fs.readFile(TUTORIAL, 'utf8'));
    await fs.writeFile(path.join(dir, 'b', 'hr.yaml'), 'kind: Grant\n');
    const r = await run('grants', 'diff', path.join(dir, 'a'), path.join(dir, 'b'));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/has 1 problem|has \d+ problems/);
    expect(r.out).toContain('hr-upload (removed)');
  });
});

describe('grantbox grants status / sync (folder source)', () => {
  it('reports the folder, the count and a kept-last-good notice', async () => {
    await fs.mkdir(path.join(dir, 'grants'));
    await fs.copyFile(TUTORIAL, path.join(dir, 'grants', 'hr.yaml'));
    await fs.writeFile(path.join(dir, 'settings.yaml'), 'apiVersion: grantbox.dev/v1\nkind: Settings\ngrants:\n  source: directory\n  path: grants\n');
    const status = await run('grants', 'status');
    expect(status.code).toBe(0);
    expect(status.out).toContain(`source:    directory ${path.join(dir, 'grants')}`);
    expect(status.out).toContain('grants:    1');
    const sync = await run('grants', 'sync', '--json');
    expect(sync.code).toBe(0);
    expect(JSON.parse(sync.out)).toMatchObject({ source: 'directory', total: 1 });
    // token commands need a git source
    const token = await run('grants', 'token', 'clear');
    expect(token.code).toBe(1);
    expect(token.err).toMatch(/^grantbox: GRANTS_NOT_GIT /);
  });
});
