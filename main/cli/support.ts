// What every CLI command shares: the version, the exit-code wrapper for actions, the one way to open services (and
// what tests inject instead), prompts that read secrets without echo (never from argv), and output helpers.
// The services container (AWS SDK, isomorphic-git, keytar…) is imported only when a command runs, so that
// building the program for --help, --version or `grants lint` does not load it.
import type { Command } from 'commander';
import type { AppServices } from '../services/container';
import { AppError } from '../services/errors';
import { KeytarSecretStore } from '../services/identity/keytar-secret-store';
import type { SecretStore } from '../services/identity/secret-store';
import { defaultDataDir } from '../services/paths';
import type { MfaPrompt } from '../services/services';

declare const __GRANTBOX_VERSION__: string | undefined;
export const VERSION = typeof __GRANTBOX_VERSION__ === 'string' ? __GRANTBOX_VERSION__ : '0.0.0-dev';

/** What a command reaches outside itself; `buildProgram(deps)` replaces any of it (tests). */
export interface CliDeps {
  /** Services for one command: no background grant watching. */
  createServices(settingsPath: string | undefined): Promise<AppServices>;
  /** Whether progress may be drawn on stderr. */
  isTTY(): boolean;
  /** Where Grantbox keeps its data (git clones of grant repositories). */
  dataDir(): string;
  /** The keychain (the git token). */
  secrets(): SecretStore;
}

export const defaultDeps: CliDeps = {
  createServices: async (settingsPath) =>
    (await import('../services/container')).createServices({
      ...(settingsPath ? { settingsPath } : {}),
      appVersion: VERSION,
      liveGrants: false,
      openUrl: (await import('./open-url')).cliOpenUrl(),
    }),
  isTTY: () => Boolean(process.stderr.isTTY),
  dataDir: () => defaultDataDir(),
  // Light (keytar itself is required on first use).
  secrets: () => new KeytarSecretStore(),
};

/** One run of a program: its dependencies and the exit code its action returned. */
interface Run {
  deps: CliDeps;
  exitCode: number;
}
const runs = new WeakMap<Command, Run>();

function root(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

function runOf(cmd: Command): Run {
  const run = runs.get(root(cmd));
  if (!run) throw new Error('command not built by buildProgram');
  return run;
}

/** Called by buildProgram: gives the program (and every subcommand) its dependencies. */
export function attachDeps(program: Command, deps: CliDeps): void {
  runs.set(program, { deps, exitCode: 0 });
}

export function depsOf(cmd: Command): CliDeps {
  return runOf(cmd).deps;
}

/** The exit code the last action of `program` returned (0 when it returned nothing). */
export function takeExitCode(program: Command): number {
  const run = runs.get(program);
  const code = run?.exitCode ?? 0;
  if (run) run.exitCode = 0;
  return code;
}

/**
 * Wraps a command's action so it returns its exit code (commander ignores an action's return value). An action
 * that returns nothing exits 0; one that throws an AppError exits 1 with "grantbox: CODE message".
 */
export function action<Args extends unknown[]>(fn: (...args: Args) => Promise<number | void> | number | void): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    // commander passes the command itself as the last argument.
    const cmd = args[args.length - 1] as Command;
    const code = await fn(...args);
    runOf(cmd).exitCode = code ?? 0;
  };
}

/** Opens the services for one command (the caller closes them). */
export function openServices(cmd: Command): Promise<AppServices> {
  return depsOf(cmd).createServices(cmd.optsWithGlobals<{ settings?: string }>().settings);
}

/**
 * Services for one command, always closed afterwards. With `assume`, the grant's session is started first (this
 * process holds it until it exits), asking for an MFA code on the terminal when the grant needs one.
 */
export async function withServices<T>(cmd: Command, fn: (services: AppServices) => Promise<T>, options: { assume?: string } = {}): Promise<T> {
  const services = await openServices(cmd);
  try {
    if (options.assume !== undefined) await services.sessions.assume(options.assume, { mfaPrompt: terminalMfaPrompt });
    return await fn(services);
  } finally {
    await services.close();
  }
}

/** Reads all of stdin (piped input) and returns its first line, trimmed. */
async function readPipedLine(input: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]?.trim() ?? '';
}

/** Reads one line from the terminal; with `hidden`, nothing is echoed (secrets, MFA codes). */
export async function promptLine(label: string, options: { hidden?: boolean } = {}): Promise<string> {
  const input = process.stdin;
  const output = process.stderr;
  if (!input.isTTY) {
    throw new AppError('CLI_NO_TERMINAL', `Grantbox needs to ask for ${label.replace(/:\s*$/, '').toLowerCase()}, but there is no terminal to ask on.`, {
      details: { hint: 'Pipe the value on standard input, or run the command in a terminal.' },
    });
  }
  return new Promise((resolve, reject) => {
    output.write(label);
    let value = '';
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (err?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      output.write('\n');
      if (err) reject(err);
      else resolve(value.trim());
    };
    const onData = (data: string) => {
      for (const ch of data) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new AppError('CANCELLED', 'Cancelled.'));
        if (ch === '\u007f' || ch === '\b') {
          if (value.length > 0) {
            value = value.slice(0, -1);
            if (!options.hidden) output.write('\b \b');
          }
          continue;
        }
        value += ch;
        if (!options.hidden) output.write(ch);
      }
    };
    input.on('data', onData);
  });
}

/** A secret from stdin when piped, else a hidden prompt. Never from argv (shell history, `ps`). */
export async function readSecret(label: string): Promise<string> {
  if (!process.stdin.isTTY) return readPipedLine(process.stdin);
  return promptLine(label, { hidden: true });
}

/** MFA codes come from the terminal, hidden, and are never logged. */
export const terminalMfaPrompt: MfaPrompt = async (request) => {
  if (!process.stdin.isTTY) return null;
  const code = await promptLine(`MFA code for “${request.grantTitle}”${request.deviceName ? ` (${request.deviceName})` : ''}: `, { hidden: true });
  return code === '' ? null : code;
};

/** "11:05 (in 59 min)" — local time plus what is left. */
export function formatExpiry(iso: string, now = Date.now()): string {
  const at = new Date(iso);
  const minutes = Math.max(0, Math.round((at.getTime() - now) / 60_000));
  const left = minutes >= 120 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
  return `${at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })} (in ${left})`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
