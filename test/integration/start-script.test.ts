// scripts/start.sh, the README's main command, when the desktop app cannot open: with Electron's binary missing it
// prints ONE plain line (why, and the CLI against the same sandbox instead), exits non-zero and leaves nothing
// running; when the binary exists but the app fails, the sandbox it started is stopped too. Runs the real script
// (setup skipped: it would reinstall node_modules) against a real moto sandbox.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-start-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function runStart(env: Record<string, string>): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('bash', ['scripts/start.sh'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: tmp, GRANTBOX_SKIP_SETUP: '1', GRANTBOX_SANDBOX_DIR: path.join(tmp, 'sandbox'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err, ms: Date.now() - started }));
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

describe('scripts/start.sh without a usable desktop app', () => {
  it('Electron binary missing: one plain line naming the CLI fallback, exit 1, no sandbox left running', async () => {
    const empty = path.join(tmp, 'no-electron');
    fs.mkdirSync(empty);
    const r = await runStart({ ELECTRON_OVERRIDE_DIST_PATH: empty, DISPLAY: ':99' });
    expect(r.code).toBe(1);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^start: The desktop app cannot open here: Electron's binary is missing \(.*no-electron\/electron\)\. Use the command line against the same sandbox instead: node bin\/grantbox\.cjs sandbox/);
    expect(r.err).not.toMatch(/\n\s+at |Error:/);
    expect(r.out).toBe('');
    // The check runs before anything starts: no sandbox folder, no settings, nothing to stop.
    expect(fs.existsSync(path.join(tmp, 'sandbox', 'settings.yaml'))).toBe(false);
  });

  it('no display: the same kind of line', async () => {
    const fake = path.join(tmp, 'electron');
    fs.writeFileSync(fake, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const r = await runStart({ ELECTRON_EXEC_PATH: fake });
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toEqual([expect.stringMatching(/^start: The desktop app cannot open here: there is no display \(DISPLAY is not set\)\. Use the command line/)]);
  });

  it('a binary that fails to start: the sandbox that was started is stopped, one line, exit 1', async () => {
    const broken = path.join(tmp, 'electron');
    fs.writeFileSync(broken, '#!/bin/sh\necho "broken electron: cannot open display" >&2\nexit 3\n', { mode: 0o755 });
    const r = await runStart({ ELECTRON_EXEC_PATH: broken, DISPLAY: ':99' });
    expect(r.code).toBe(1);
    const settings = fs.readFileSync(path.join(tmp, 'sandbox', 'settings.yaml'), 'utf8');
    const port = Number(/endpoint: http:\/\/127\.0\.0\.1:(\d+)/.exec(settings)![1]);
    expect(r.err.trim().split('\n')).toEqual([expect.stringMatching(/^start: the desktop app stopped with an error \(exit \d+; details in .*app\.log\)\. Use the command line against the same sandbox instead/)]);
    // The sandbox (moto_server) was really running and is stopped now.
    expect(r.out).toContain('john');
    await new Promise((res) => setTimeout(res, 500));
    expect(await accepts(port)).toBe(false);
  }, 60_000);
});
