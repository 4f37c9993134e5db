// The built CLI (scripts/build-cli.mjs → one CommonJS bundle) keeps start-up cheap: building the program for
// --help/--version must not load the AWS SDK, isomorphic-git, openpgp, keytar or the grant loader, and
// `grants lint` (admins' CI, 1,000 files in under 1 s) loads yaml and zod but none of the rest. This depends on
// esbuild turning the commands' `await import()` into lazy initializers, so it is checked on a real bundle, by the
// packages Node actually required.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
// Inside the repository so the bundle's external require()s resolve from its node_modules (out/ is git-ignored).
let dir = '';
let bundle = '';
let probe = '';

beforeAll(() => {
  mkdirSync(path.join(root, 'out'), { recursive: true });
  dir = mkdtempSync(path.join(root, 'out', 'cli-startup-test-'));
  bundle = path.join(dir, 'index.cjs');
  execFileSync(process.execPath, [path.join(root, 'scripts/build-cli.mjs'), '--outfile', bundle], { cwd: root, stdio: 'pipe' });
  // Preloaded into the CLI: at exit, lists the npm packages that were required (from require.cache).
  probe = path.join(dir, 'probe.cjs');
  writeFileSync(
    probe,
    `process.on('exit', () => {
      const pkgs = new Set();
      for (const k of Object.keys(require.cache)) { const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(k); if (m) pkgs.add(m[1].replace(/\\\\/g, '/')); }
      process.stderr.write('\\nLOADED ' + JSON.stringify([...pkgs].sort()) + '\\n');
    });\n`,
  );
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string; loaded: string[] } {
  const p = spawnSync(process.execPath, ['-r', probe, bundle, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  const line = p.stderr.split('\n').find((l) => l.startsWith('LOADED '));
  return { status: p.status, stdout: p.stdout, stderr: p.stderr, loaded: line ? (JSON.parse(line.slice('LOADED '.length)) as string[]) : [] };
}

const HEAVY = /^(@aws-sdk\/|@smithy\/|isomorphic-git$|openpgp$|keytar$)/;

describe('built CLI start-up', () => {
  it('--version and --help load commander and nothing else', () => {
    for (const args of [['--version'], ['--help'], ['grants', '--help']]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.loaded, args.join(' ')).toEqual(['commander']);
    }
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('grants lint loads yaml and zod but no AWS SDK, git, OpenPGP or keychain module', () => {
    const r = run(['grants', 'lint', 'config/grants']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/valid grant/);
    expect(r.loaded).toEqual(expect.arrayContaining(['commander', 'yaml', 'zod']));
    expect(r.loaded.filter((p) => HEAVY.test(p))).toEqual([]);
  });

  it('a command that needs the services still loads them on demand and reports errors as before', () => {
    const r = run(['--settings', path.join(dir, 'no-such-settings.yaml'), 'whoami'], { GRANTBOX_HOME: path.join(dir, 'home') });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^grantbox: SETTINGS_MISSING /m);
    expect(r.loaded).toEqual(expect.arrayContaining(['@aws-sdk/client-s3', '@aws-sdk/client-sts']));
  });

  it('exits quietly when the reader of its output goes away (grantbox doctor | head -3)', async () => {
    // The read end is closed before the CLI writes anything, so every write it makes fails with EPIPE.
    const child = spawn(process.execPath, [bundle, '--settings', path.join(dir, 'no-such-settings.yaml'), 'doctor'], {
      cwd: root,
      env: { ...process.env, GRANTBOX_HOME: path.join(dir, 'home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled 'error' event|at /);
    // The reader left before any verdict was written: nothing failed on Grantbox's side.
    expect(code).toBe(0);
  }, 30_000);
});
