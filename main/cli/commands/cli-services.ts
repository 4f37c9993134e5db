// Shared by the identity/session commands (login, whoami, assume, exec, logout, grants list): opening the services
// for one command, reading secrets without echo (never from argv), asking for an MFA code, and printing times.
// The services container (AWS SDK, isomorphic-git, keytar…) is imported only when a command runs, so that
// building the program for --help, --version or `grants lint` does not load it.
import type { Command } from 'commander';
import type { AppServices } from '../../services/container';
import { AppError } from '../../services/errors';
import type { MfaPrompt } from '../../services/services';
import { VERSION } from '../program';

/** Services for one CLI command: no background grant watching; always closed by `withServices`. */
export async function withServices<T>(cmd: Command, fn: (services: AppServices) => Promise<T>): Promise<T> {
  const { settings } = cmd.optsWithGlobals<{ settings?: string }>();
  const { createServices } = await import('../../services/container');
  const services = await createServices({ ...(settings ? { settingsPath: settings } : {}), appVersion: VERSION, liveGrants: false });
  try {
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
