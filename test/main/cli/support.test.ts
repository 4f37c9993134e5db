// Secrets are typed without echo (hidden prompt on a TTY) or piped on stdin — never argv; Ctrl-C cancels.
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { runProgram } from '../../../main/cli/program';
import { action, attachDeps, defaultDeps, depsOf, formatExpiry, promptLine, readSecret, terminalMfaPrompt } from '../../../main/cli/support';

function fakeStdin(isTTY: boolean): PassThrough & { isTTY: boolean; setRawMode: (on: boolean) => void; raw: boolean[] } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (on: boolean) => void; raw: boolean[] };
  s.isTTY = isTTY;
  s.raw = [];
  s.setRawMode = (on) => void s.raw.push(on);
  return s;
}

let echoed: string;
let original: PropertyDescriptor | undefined;
function useStdin(stdin: PassThrough) {
  original = Object.getOwnPropertyDescriptor(process, 'stdin');
  Object.defineProperty(process, 'stdin', { value: stdin, configurable: true });
}
beforeEach(() => {
  echoed = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((echoed += String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  if (original) Object.defineProperty(process, 'stdin', original);
});

describe('CLI prompts', () => {
  it('a hidden prompt echoes nothing of the secret, handles backspace, and leaves raw mode', async () => {
    const stdin = fakeStdin(true);
    useStdin(stdin);
    const answer = readSecret('Secret access key (not shown): ');
    stdin.write('wJalrXUtnX');
    stdin.write('\u007f');
    stdin.write('FEMI\r');
    expect(await answer).toBe('wJalrXUtnFEMI');
    expect(echoed).toBe('Secret access key (not shown): \n');
    expect(stdin.raw).toEqual([true, false]);
  });

  it('a visible prompt echoes; Ctrl-C cancels with CANCELLED', async () => {
    const stdin = fakeStdin(true);
    useStdin(stdin);
    const id = promptLine('Access key ID: ');
    stdin.write('AKIA1\r');
    expect(await id).toBe('AKIA1');
    expect(echoed).toContain('AKIA1');
    const cancelled = promptLine('Access key ID: ');
    stdin.write('\u0003');
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('piped stdin gives its first line; no terminal means no MFA prompt', async () => {
    const stdin = fakeStdin(false);
    useStdin(stdin);
    const secret = readSecret('ignored');
    stdin.end('piped-secret\nsecond line\n');
    expect(await secret).toBe('piped-secret');
    expect(echoed).toBe('');
    expect(await terminalMfaPrompt({ requestId: 'r', grant: 'g', grantTitle: 'G' })).toBeNull();
    await expect(promptLine('Access key ID: ')).rejects.toMatchObject({ code: 'CLI_NO_TERMINAL' });
  });

  it('formats expiry with the time left', () => {
    const now = Date.parse('2026-11-27T10:00:00Z');
    expect(formatExpiry('2026-11-27T11:00:00Z', now)).toMatch(/\(in 60 min\)$/);
    expect(formatExpiry('2026-11-27T13:30:00Z', now)).toMatch(/\(in 3 h 30 min\)$/);
  });
});

describe('CLI actions', () => {
  function program(): Command {
    const p = new Command('grantbox').exitOverride();
    attachDeps(p, { ...defaultDeps, isTTY: () => true });
    p.command('fails').action(action(() => 3));
    p.command('quiet').action(action(async () => undefined));
    p.command('tty').action(action((_opts: unknown, cmd: Command) => (depsOf(cmd).isTTY() ? 7 : 0)));
    p.commands.forEach((c) => c.exitOverride());
    return p;
  }

  it('an action returns its exit code; returning nothing is 0, and each run starts from 0', async () => {
    const p = program();
    expect(await runProgram(p, ['node', 'grantbox', 'fails'])).toBe(3);
    expect(await runProgram(p, ['node', 'grantbox', 'quiet'])).toBe(0);
  });

  it('a subcommand reaches the dependencies its program was built with', async () => {
    expect(await runProgram(program(), ['node', 'grantbox', 'tty'])).toBe(7);
  });
});
