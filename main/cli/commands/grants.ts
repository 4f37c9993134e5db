// `grantbox grants …`: the admin's side of grants as code. This file owns the `grants` command itself (other
// commands add list, sync, status, diff, init through grantsCommand()) and its `lint` and `show` subcommands.
// lint exits 0 (valid), 1 (problems) or 2 (usage: bad flag, unreadable path, nothing to lint).
// Every command module is loaded to build the program, so the grant loader (yaml, zod) is imported when lint or
// show runs: --help, --version and the other commands do not pay for it.
import { type Command, Option } from 'commander';
import path from 'node:path';
import type { Diagnostic, LoadedGrant } from '../../../config/loader';
import { AppError, isAppError } from '../../services/errors';
import { resolveSettingsPath } from '../../services/paths';
import { action } from '../support';

/** The `grants` command, created on first use so every module registering a subcommand shares it. */
export function grantsCommand(program: Command): Command {
  const existing = program.commands.find((c) => c.name() === 'grants');
  if (existing) return existing;
  return program.command('grants').description('Check, show and manage grants (the YAML files that say who may upload where)');
}

/** Paths as the person typed them are best for editors and CI annotations: relative to the working folder. */
export function display(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** Prints a usage problem; the caller exits 2. */
function usageError(message: string, hint?: string): void {
  process.stderr.write(`grantbox: ${message}\n${hint ? `  ${hint}\n` : ''}`);
}

/** The folder named by the settings' directory source (--settings, GRANTBOX_SETTINGS, or the data folder's file). */
async function configuredGrantPaths(cmd: Command): Promise<string[]> {
  const { loadSettingsFile } = await import('../../services/settings');
  const { settings } = await loadSettingsFile(resolveSettingsPath(cmd.optsWithGlobals<{ settings?: string }>().settings));
  if (settings.grants.source !== 'directory') {
    throw new AppError('GRANTS_PATH_REQUIRED', 'The settings use a git grant source; give the folder to check.', {
      details: { hint: 'Run `grantbox grants lint PATH` with the folder of your grants checkout.' },
    });
  }
  return [settings.grants.path];
}

/** How people sign in per the settings, for lint checks that depend on it; undefined without usable settings. */
async function configuredSignInMethod(cmd: Command): Promise<'oidc' | 'identityCenter' | 'accessKey' | undefined> {
  try {
    const { loadSettingsFile } = await import('../../services/settings');
    const { settings } = await loadSettingsFile(resolveSettingsPath(cmd.optsWithGlobals<{ settings?: string }>().settings));
    return settings.signIn?.method ?? 'accessKey';
  } catch {
    return undefined;
  }
}

/** Reads and loads grants; returns null (the problem printed; exit 2) when the paths themselves are the problem. */
export async function load(cmd: Command, paths: string[]): Promise<{ grants: LoadedGrant[]; diagnostics: Diagnostic[]; files: number } | null> {
  try {
    const targets = paths.length > 0 ? paths : await configuredGrantPaths(cmd);
    const [{ readGrantFiles }, { loadGrantsChecked }] = await Promise.all([import('../../services/grants/read-grant-files'), import('../../services/grants/iam-catalog')]);
    const files = await readGrantFiles(targets);
    const signInMethod = await configuredSignInMethod(cmd);
    const { grants, diagnostics } = await loadGrantsChecked(files, signInMethod ? { signInMethod } : {});
    const shown = diagnostics.map((d) => ({ ...d, file: display(d.file), ...(d.related ? { related: d.related.map((r) => ({ ...r, file: display(r.file) })) } : {}) }));
    return { grants, diagnostics: shown, files: files.length };
  } catch (e) {
    if (!isAppError(e)) throw e;
    usageError(`${e.code} ${e.message}`, e.details.hint);
    return null;
  }
}

export function register(program: Command): void {
  const grants = grantsCommand(program);

  grants
    .command('lint')
    .description('Check grant files and report every problem with file:line:col (exit 0 valid, 1 invalid, 2 usage error)')
    .argument('[path...]', 'grant files or folders (default: the grants folder from the settings)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'github']).default('text'))
    .action(action(async (paths: string[], opts: { format: 'text' | 'json' | 'github' }, cmd: Command) => {
      const result = await load(cmd, paths);
      if (!result) return 2;
      const { diagnostics, grants: valid, files } = result;
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = diagnostics.length - errors;
      const { formatDiagnostics } = await import('../../../config/loader');
      const out = formatDiagnostics(diagnostics, opts.format);
      if (out) process.stdout.write(out + '\n');
      if (opts.format !== 'json') {
        process.stderr.write(
          `${files} file${files === 1 ? '' : 's'}, ${valid.length} valid grant${valid.length === 1 ? '' : 's'}, ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`,
        );
      }
      return errors > 0 ? 1 : 0;
    }));

  grants
    .command('show')
    .description('Print a grant as it resolves for a user, with the exact session policy sent to AWS STS and its size')
    .argument('<name>', 'the grant name (metadata.name)')
    .option('--user <name>', 'fill {user} with this IAM user name', 'USER')
    .option('--account <id>', 'fill {account} with this 12-digit account id (default: the account of the subject named --user, as sessions do)')
    .option('--path <path...>', 'grant files or folders (default: the grants folder from the settings)')
    .option('--json', 'print JSON instead of text')
    .action(action(async (name: string, opts: { user: string; account?: string; path?: string[]; json?: boolean }, cmd: Command) => {
      const result = await load(cmd, opts.path ?? []);
      if (!result) return 2;
      const found = result.grants.find((g) => g.grant.metadata.name === name);
      if (!found) {
        const broken = result.diagnostics.some((d) => d.severity === 'error');
        throw new AppError('GRANT_NOT_FOUND', `There is no valid grant called "${name}".`, {
          details: { hint: broken ? 'Some grant files have problems; run `grantbox grants lint` to see them.' : `Known grants: ${result.grants.map((g) => g.grant.metadata.name).join(', ') || '(none)'}.` },
        });
      }
      const [{ policyText, resolveGrant, subjectAccount }, { SESSION_POLICY_MAX_CHARS }] = await Promise.all([import('../../../config/policy'), import('../../../config/schema')]);
      // Sessions fill {account} with the signed-in person's account, so show it the same way (not the role's).
      const account = opts.account ?? subjectAccount(found.grant, opts.user);
      const usesAccount = /\{account\}/.test(`${found.grant.spec.target.prefix ?? ''}${found.grant.spec.role.sessionName ?? ''}`);
      if (account === undefined && usesAccount) {
        throw new AppError('GRANT_ACCOUNT_REQUIRED', `The subjects of "${name}" are in several AWS accounts, so {account} depends on who signs in.`, {
          details: { hint: `Name the person with --user (as in their subject ARN) or give --account ID.` },
        });
      }
      const r = resolveGrant(found.grant, { user: opts.user, ...(account ? { account } : {}) });
      if (opts.json) {
        // Escaped like the policy itself, so the text and size shown are what STS gets.
        process.stdout.write(policyText({ ...r, file: display(found.file), line: found.line, policyMax: SESSION_POLICY_MAX_CHARS }, 2) + '\n');
        return;
      }
      const lines = [
        `${r.name}: ${r.title}  (${display(found.file)}:${found.line})`,
        ...(r.description ? [`  ${r.description}`] : []),
        `subjects:     ${r.subjects.join(', ')}`,
        `role:         ${r.roleArn}`,
        `duration:     ${r.durationSeconds} s (${found.grant.spec.role.duration})`,
        `session name: ${r.sessionName}`,
        ...(r.externalId ? ['external id:  (set)'] : []),
        `mfa:          ${r.mfa ? 'required' : 'no'}`,
        `target:       s3://${r.bucket}/${r.prefix}  (${r.region})`,
        `permissions:  ${r.permissions.length ? r.permissions.join(', ') : '(raw sessionPolicy)'}`,
        `upload:       onConflict ${r.onConflict}, replace ${r.allowReplace ? 'allowed' : 'not allowed'}${r.maxFileSizeBytes !== undefined ? `, max ${r.maxFileSizeBytes} bytes` : ''}`,
        ...(r.contact ? [`contact:      ${r.contact}`] : []),
        `session policy for user ${opts.user} (size ${r.policySize} / ${SESSION_POLICY_MAX_CHARS}):`,
        r.policyJson,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    }));
}
