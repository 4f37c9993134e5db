// Builds the commander program. Each command lives in main/cli/commands/<name>.ts and exports
// `register(program)`; add it to COMMANDS below. Each action is wrapped in `action()` (./support) and returns its
// exit code, or throws an AppError, which is printed as "grantbox: CODE message" and exits 1.
import { Command, CommanderError } from 'commander';
import { isAppError } from '../services/errors';
import { attachDeps, defaultDeps, takeExitCode, VERSION, type CliDeps } from './support';
import { register as registerGrants } from './commands/grants';
import { register as registerLogin } from './commands/login';
import { register as registerLogout } from './commands/logout';
import { register as registerWhoami } from './commands/whoami';
import { register as registerGrantsList } from './commands/grants-list';
import { register as registerAssume } from './commands/assume';
import { register as registerExec } from './commands/exec';
import { register as registerDoctor } from './commands/doctor';
import { register as registerSandbox } from './commands/sandbox';
import { register as registerGrantsAdmin } from './commands/grants-admin';
import { register as registerGrantsIam } from './commands/grants-iam';
import { register as registerLs } from './commands/ls';
import { register as registerUpload } from './commands/upload';
import { register as registerLogs } from './commands/logs';
import { register as registerSetup } from './commands/setup';
import { register as registerVerify } from './commands/verify';

// Identity/session commands first so `grantbox --help` lists them in the order people use them.
const IDENTITY_COMMANDS = [registerLogin, registerWhoami, registerGrantsList, registerAssume, registerExec, registerLogout, registerDoctor, registerSandbox];

const COMMANDS: Array<(program: Command) => void> = [registerSetup, ...IDENTITY_COMMANDS, registerGrants, registerGrantsAdmin, registerGrantsIam, registerUpload, registerVerify, registerLs, registerLogs];

/** The program; `deps` replaces how commands reach services, the terminal, the data folder and the keychain. */
export function buildProgram(deps: Partial<CliDeps> = {}): Command {
  const program = new Command('grantbox')
    .description('Upload files to company S3 buckets with short-lived access from reviewed grants.')
    .version(VERSION)
    .option('--settings <file>', 'settings file (default: $GRANTBOX_SETTINGS, then settings.yaml in the data folder)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  attachDeps(program, { ...defaultDeps, ...deps });
  for (const register of COMMANDS) register(program);
  // Subcommands inherit exitOverride only when set on each; apply to the whole tree.
  const applyOverride = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(applyOverride);
  };
  applyOverride(program);
  return program;
}

export async function runProgram(program: Command, argv: string[]): Promise<number> {
  takeExitCode(program);
  try {
    await program.parseAsync(argv);
    return takeExitCode(program);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version are successes; anything else commander rejects is a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (isAppError(e)) {
      process.stderr.write(`grantbox: ${e.code} ${e.message}\n`);
      if (e.details.hint) process.stderr.write(`  ${e.details.hint}\n`);
      return 1;
    }
    throw e;
  }
}
