// The keychain for real: KeytarSecretStore against gnome-keyring in private D-Bus sessions, one child process per
// prepared environment (test/helpers/keychain-env.sh), so every failure mode is produced by the real stack and
// must answer with its own code within a bounded time. Denied (a dismissed prompt) cannot be produced without a
// person at a prompt; it and the injected never-answering keytar are covered in the unit test.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const ENV_SCRIPT = path.join(ROOT, 'test/helpers/keychain-env.sh');
const CHILD = path.join(ROOT, 'test/helpers/keychain-child.ts');
const SERVICE = 'dev.grantbox.test';

type Op = ['get', string] | ['set', string, string] | ['delete', string];
interface Answer {
  ok: boolean;
  value?: unknown;
  code?: string;
  message?: string;
  hint?: string;
  ms: number;
}

async function runIn(mode: string, ops: Op[], timeoutMs = 3000): Promise<{ answers: Answer[]; wallMs: number }> {
  const t0 = Date.now();
  const child = spawn('bash', [ENV_SCRIPT, mode, process.execPath, '--import', 'tsx', CHILD, JSON.stringify({ service: SERVICE, timeoutMs, ops })], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const guard = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
  await new Promise<void>((resolve) => child.on('close', () => resolve()));
  clearTimeout(guard);
  // Daemons the environment started (gnome-keyring, the prompter, Xvfb) share the child's process group.
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
  const answers = out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Answer);
  if (answers.length !== ops.length) throw new Error(`expected ${ops.length} answers in ${mode}, got:\n${out}\n${err}`);
  return { answers, wallMs: Date.now() - t0 };
}

function expectAllFailWith(answers: Answer[], code: string, maxMs: number): void {
  for (const a of answers) {
    expect(a).toMatchObject({ ok: false, code });
    expect(a.message).toMatch(/keyring/);
    expect((a.hint ?? '').length).toBeGreaterThan(30);
    expect(a.ms).toBeLessThan(maxMs);
  }
}

describe('KeytarSecretStore against a real keychain', () => {
  it('stores, reads, overwrites, handles unicode and deletes in an unlocked gnome-keyring', async () => {
    const { answers } = await runIn('unlocked', [
      ['get', 'john'],
      ['set', 'john', 'first-secret'],
      ['get', 'john'],
      ['set', 'john', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
      ['get', 'john'],
      ['set', 'jürgen 🔑', 'pässwörd ✓ 秘密'],
      ['get', 'jürgen 🔑'],
      ['delete', 'john'],
      ['get', 'john'],
      ['delete', 'john'],
      ['get', 'jürgen 🔑'],
    ]);
    expect(answers.map((a) => (a.ok ? a.value : a.code))).toEqual([
      null,
      null,
      'first-secret',
      null,
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      null,
      'pässwörd ✓ 秘密',
      true,
      null,
      false,
      'pässwörd ✓ 秘密',
    ]);
  });

  it('no D-Bus session: KEYCHAIN_NO_DBUS at once', async () => {
    const { answers } = await runIn('no-dbus', [['get', 'john'], ['set', 'john', 'x'], ['delete', 'john']]);
    expectAllFailWith(answers, 'KEYCHAIN_NO_DBUS', 1000);
  });

  it('a bus without any Secret Service: KEYCHAIN_UNAVAILABLE at once', async () => {
    const { answers } = await runIn('no-secret-service', [['get', 'john'], ['set', 'john', 'x'], ['delete', 'john']]);
    expectAllFailWith(answers, 'KEYCHAIN_UNAVAILABLE', 1000);
  });

  it('a locked keyring without a display: KEYCHAIN_LOCKED, never a silent "nothing stored"', async () => {
    // "stored" exists in the locked keyring: keytar alone would answer get → null and delete → false.
    const { answers } = await runIn('locked', [['get', 'stored'], ['set', 'john', 'x'], ['delete', 'stored']]);
    expectAllFailWith(answers, 'KEYCHAIN_LOCKED', 1500);
  });

  it('a locked keyring with a display (prompt nobody answers): KEYCHAIN_TIMEOUT within the bound, then fails fast, and the process still exits', async () => {
    const { answers, wallMs } = await runIn('locked-display', [['set', 'john', 'x'], ['set', 'john', 'y'], ['get', 'stored']], 1500);
    const [first, second, third] = answers;
    expect(first).toMatchObject({ ok: false, code: 'KEYCHAIN_TIMEOUT' });
    expect(first!.ms).toBeGreaterThanOrEqual(1400);
    expect(first!.ms).toBeLessThan(2500);
    // The first call is still stuck behind the prompt: later calls answer at once instead of queueing.
    for (const a of [second!, third!]) {
      expect(a).toMatchObject({ ok: false, code: 'KEYCHAIN_TIMEOUT' });
      expect(a.ms).toBeLessThan(100);
    }
    expect(wallMs).toBeLessThan(15_000);
  });
});
