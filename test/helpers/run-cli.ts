// Runs the `grantbox` CLI in-process (the same program the bundle runs) and captures what it prints, so CLI tests
// need no build and see exit codes exactly. Optional stdin for commands that read a secret from a pipe, and `deps`
// for what the program reaches outside itself (services, terminal, data folder, keychain).
import { Readable } from 'node:stream';
import { vi } from 'vitest';
import { buildProgram, runProgram } from '../../main/cli/program';
import type { CliDeps } from '../../main/cli/support';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function runCli(args: string[], options: { stdin?: string; deps?: Partial<CliDeps> } = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  const i =
    options.stdin === undefined ? undefined : vi.spyOn(process, 'stdin', 'get').mockReturnValue(Readable.from([options.stdin]) as unknown as typeof process.stdin);
  try {
    return { code: await runProgram(buildProgram(options.deps), ['node', 'grantbox', ...args]), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    i?.mockRestore();
  }
}
