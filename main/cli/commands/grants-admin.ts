// `grantbox grants sync | reset | status | diff | init | token set|clear` — the GitOps side of grants: check for
// updates now (recording refusals in the session log), let an admin past rollback protection deliberately, say which
// grants are in use and why, show a pull request's permission changes in plain words, scaffold a grants
// repository, and keep the git token in the OS keychain. Registered under A's `grants` command (grantsCommand).
// Exit codes: 0 done; 1 the update could not be fetched or was refused (sync) / nothing usable (status); 2 usage.
// The grant store, isomorphic-git, the loader (yaml, zod) and the settings are imported when a subcommand runs,
// so registering these commands (for --help, --version, `grants lint`) stays cheap.
import fs from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import type { LoadedGrant } from '../../../config/loader';
import type { EffectiveSettings } from '../../services/settings';
import type { Settings } from '../../../config/schema';
import type { GrantsStatus } from '../../../preload/contract';
import { AppError } from '../../services/errors';
import type { GitGrantSource } from '../../services/grants/git-grant-source';
import type { GrantStore } from '../../services/grants/grant-store';
import type { SessionLogWriter } from '../../services/audit/types';
import { resolveSettingsPath } from '../../services/paths';
import { action, depsOf, readSecret } from '../support';
import { grantsCommand } from './grants';

async function settingsOf(cmd: Command): Promise<EffectiveSettings> {
  const { loadSettingsFile } = await import('../../services/settings');
  return loadSettingsFile(resolveSettingsPath(cmd.optsWithGlobals<{ settings?: string }>().settings));
}

function gitSettings(settings: Settings): Extract<Settings['grants'], { source: 'git' }> {
  if (settings.grants.source !== 'git') {
    throw new AppError('GRANTS_NOT_GIT', 'The settings take grants from a folder, not from a git repository.', {
      details: { hint: 'This command is for a git grant source (grants.source: git in the settings).' },
    });
  }
  return settings.grants;
}

function printStatus(status: GrantsStatus, extra: { lastCheckedAt?: string } = {}): void {
  const lines = [
    `source:    ${status.source} ${status.location}`,
    ...(status.revision ? [`revision:  ${status.revision.slice(0, 7)}${status.updatedAt ? ` (${status.updatedAt})` : ''}`] : status.updatedAt ? [`loaded:    ${status.updatedAt}`] : []),
    `grants:    ${status.total}`,
    ...(extra.lastCheckedAt ? [`checked:   ${extra.lastCheckedAt}`] : []),
    ...(status.notice ? ['', status.notice] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * The session log of this computer, so a revision refused by `grants sync` is recorded (grants.rejected) just as
 * when the app fetched it: the helpdesk export is how admins hear about it.
 */
async function sessionLog(cmd: Command, settings: Settings): Promise<SessionLogWriter> {
  const { SessionLog } = await import('../../services/audit/session-log');
  return new SessionLog({
    dataDir: depsOf(cmd).dataDir(),
    ...(settings.log?.maxAgeDays !== undefined ? { maxAgeDays: settings.log.maxAgeDays } : {}),
    ...(settings.log?.maxSize !== undefined ? { maxSize: settings.log.maxSize } : {}),
  });
}
/** The last settings openStore read, for `grants status` to say where each value came from. */
let lastEffective: EffectiveSettings | undefined;

async function openStore(cmd: Command, initialSync: 'await' | 'none'): Promise<GrantStore> {
  const effective = await settingsOf(cmd);
  lastEffective = effective;
  const { settings, dir } = effective;
  const git = settings.grants.source === 'git';
  const [{ GrantStore }, { createNetwork }] = await Promise.all([import('../../services/grants/grant-store'), import('../../services/network')]);
  // The git fetch goes through the same proxy and CA rules as everything else.
  const network = git ? await createNetwork({ ...(settings.network ? { settings: settings.network } : {}) }) : undefined;
  return GrantStore.open(settings, dir, {
    live: false,
    initialSync,
    ...(initialSync === 'await' ? { log: await sessionLog(cmd, settings) } : {}),
    ...(network ? { network } : {}),
    ...(git ? { dataDir: depsOf(cmd).dataDir() } : {}),
    ...(git && settings.grants.source === 'git' && settings.grants.token ? { secrets: depsOf(cmd).secrets() } : {}),
  });
}

/** A side of a diff: a folder of grant files, or a revision of the configured git source's clone. */
async function grantsAt(ref: string, git: GitGrantSource | undefined): Promise<{ label: string; grants: LoadedGrant[]; errors: number }> {
  const isDir = await fs.stat(ref).then((s) => s.isDirectory(), () => false);
  const [{ loadGrantsChecked }, { readGrantFiles }] = await Promise.all([import('../../services/grants/iam-catalog'), import('../../services/grants/read-grant-files')]);
  let result: Awaited<ReturnType<typeof loadGrantsChecked>>;
  let label = ref;
  if (isDir) {
    result = await loadGrantsChecked(await readGrantFiles([path.resolve(ref)]));
  } else {
    if (!git) {
      throw new AppError('GRANTS_DIFF_SOURCE', `"${ref}" is not a folder, and the settings have no git grant source to look up a revision in.`, {
        details: { hint: 'Give two folders of grant files, or set up a git grant source and run `grantbox grants sync`.' },
      });
    }
    const oid = await git.git.resolve(ref);
    result = await loadGrantsChecked(await git.git.readFiles(oid));
    label = oid.slice(0, 7);
  }
  return { label, grants: result.grants, errors: result.diagnostics.filter((d) => d.severity === 'error').length };
}

export function register(program: Command): void {
  const grants = grantsCommand(program);

  grants
    .command('sync')
    .description('Check for grant updates now (git: fetch and validate the newest revision; folder: re-read it)')
    .option('--json', 'print the status as JSON')
    .action(action(async (opts: { json?: boolean }, cmd: Command) => {
      const store = await openStore(cmd, 'await');
      store.close();
      const status = store.status();
      const failed = store.lastFetchError();
      if (opts.json) process.stdout.write(`${JSON.stringify({ ...status, ...(failed ? { error: failed.toJSON() } : {}) }, null, 2)}\n`);
      else printStatus(status);
      if (failed && status.total === 0) throw failed;
      if (failed && !opts.json) process.stderr.write(`grantbox: ${failed.code} ${failed.message}\n${failed.details.hint ? `  ${failed.details.hint}\n` : ''}`);
      return failed || status.notice ? 1 : 0;
    }));

  grants
    .command('reset')
    .description('Admin: forget the revision in use and take the newest fetched one as a new start (after history was rewritten on purpose)')
    .option('--json', 'print the status as JSON')
    .action(action(async (opts: { json?: boolean }, cmd: Command) => {
      const { settings, dir } = await settingsOf(cmd);
      const { GitGrantSource } = await import('../../services/grants/git-grant-source');
      const source = new GitGrantSource(gitSettings(settings), {
        dataDir: depsOf(cmd).dataDir(),
        settingsDir: dir,
        log: await sessionLog(cmd, settings),
        ...(gitSettings(settings).token ? { secrets: depsOf(cmd).secrets() } : {}),
      });
      const { previous } = await source.reset();
      const snap = await source.sync();
      const status: GrantsStatus = {
        source: 'git',
        location: source.location,
        ...(snap.revision ? { revision: snap.revision } : {}),
        ...(snap.committedAt ? { updatedAt: snap.committedAt } : {}),
        ...(snap.notice ? { notice: snap.notice } : {}),
        total: snap.grants.length,
      };
      if (opts.json) process.stdout.write(`${JSON.stringify({ ...status, ...(previous ? { previous } : {}) }, null, 2)}\n`);
      else {
        process.stdout.write(`Forgot the revision in use${previous ? ` (${previous.slice(0, 7)})` : ''}; rollback protection now starts from the newest revision.\n`);
        printStatus(status);
      }
      if (snap.fetchError) process.stderr.write(`grantbox: ${snap.fetchError.code} ${snap.fetchError.message}\n`);
      return snap.revision && !snap.notice ? 0 : 1;
    }));

  grants
    .command('status')
    .description('Which grants are in use (revision, date, count) and why, without contacting the server')
    .option('--json', 'print the status as JSON')
    .action(action(async (opts: { json?: boolean }, cmd: Command) => {
      const store = await openStore(cmd, 'none');
      store.close();
      const status = store.status();
      const lastCheckedAt = store.gitSource()?.snapshot().lastCheckedAt;
      const { describeSettings, formatProvenance } = await import('../../services/settings');
      if (opts.json) {
        const settings = lastEffective ? { settings: describeSettings(lastEffective), ...(lastEffective.managed ? { managed: lastEffective.managed } : {}) } : {};
        process.stdout.write(`${JSON.stringify({ ...status, ...(lastCheckedAt ? { lastCheckedAt } : {}), ...settings }, null, 2)}\n`);
      } else {
        printStatus(status, lastCheckedAt ? { lastCheckedAt } : {});
        // Where each setting came from: an admin debugging a desktop sees at once what IT locked.
        if (lastEffective) process.stdout.write(`\nsettings:\n${formatProvenance(lastEffective).map((l) => `  ${l}`).join('\n')}\n`);
      }
      return status.total > 0 ? 0 : 1;
    }));

  grants
    .command('diff')
    .description('What changes between two versions of the grants, per grant in plain words (folders or git revisions)')
    .argument('[old]', 'folder or git revision (default: the revision in use)')
    .argument('[new]', 'folder or git revision (default: the newest fetched revision)')
    .addOption(new Option('--format <format>', 'output format (markdown for a pull-request comment)').choices(['text', 'markdown', 'json']).default('text'))
    .action(action(async (oldRef: string | undefined, newRef: string | undefined, opts: { format: 'text' | 'markdown' | 'json' }, cmd: Command) => {
      let git: GitGrantSource | undefined;
      const bothFolders =
        oldRef !== undefined && newRef !== undefined && (await Promise.all([oldRef, newRef].map((r) => fs.stat(r).then((s) => s.isDirectory(), () => false)))).every(Boolean);
      if (!bothFolders) {
        const { settings, dir } = await settingsOf(cmd);
        if (settings.grants.source === 'git') {
          const { GitGrantSource } = await import('../../services/grants/git-grant-source');
          git = new GitGrantSource(gitSettings(settings), { dataDir: depsOf(cmd).dataDir(), settingsDir: dir });
          const snap = await git.openCached();
          oldRef ??= snap.revision;
          newRef ??= (await git.git.latestFetched()) ?? undefined;
        } else {
          newRef ??= settings.grants.path;
        }
        if (!oldRef || !newRef) {
          throw new AppError('GRANTS_DIFF_SOURCE', 'There is nothing to compare yet.', {
            details: { hint: 'Run `grantbox grants sync` first, or give two folders: grantbox grants diff OLD NEW.' },
          });
        }
      }
      const a = await grantsAt(oldRef!, git);
      const b = await grantsAt(newRef!, git);
      for (const side of [a, b]) {
        if (side.errors > 0) {
          process.stderr.write(`grantbox: ${side.label} has ${side.errors} problem${side.errors === 1 ? '' : 's'}; grants with problems are left out of the comparison (run \`grantbox grants lint\`).\n`);
        }
      }
      const { diffGrantSets, formatDiff } = await import('../../services/grants/diff');
      const diff = diffGrantSets(a.grants.map((g) => g.grant), b.grants.map((g) => g.grant), { old: a.label, new: b.label });
      process.stdout.write(formatDiff(diff, opts.format));
      return 0;
    }));

  grants
    .command('init')
    .description('Create a grants repository: README for admins, an example grant, the JSON Schema, a CI workflow')
    .argument('<dir>', 'folder to create it in (existing files are never overwritten)')
    .option('--cli-url <url>', 'where your CI downloads the pinned CLI (out/cli/grantbox-standalone.cjs you host)')
    .option('--cli-sha256 <hex>', 'its sha256 (out/cli/grantbox-standalone.cjs.sha256)')
    .action(action(async (dir: string, opts: { cliUrl?: string; cliSha256?: string }) => {
      const { initGrantsRepo } = await import('../../services/grants/init');
      if (Boolean(opts.cliUrl) !== Boolean(opts.cliSha256)) {
        throw new AppError('INIT_CLI_ARTIFACT_INVALID', 'Give both --cli-url and --cli-sha256 (or neither, and fill them in later).', {
          details: { hint: 'The workflow checks the downloaded CLI against the sha256 before running it.' },
        });
      }
      const written = await initGrantsRepo(path.resolve(dir), opts.cliUrl && opts.cliSha256 ? { url: opts.cliUrl, sha256: opts.cliSha256 } : undefined);
      process.stdout.write(`${written.map((f) => `created ${path.join(dir, f)}`).join('\n')}\n`);
      process.stdout.write(`\nNext: cd ${dir} && git init && git add . && git commit -m "Grants" — then push it to your git host.\n`);
    }));

  const token = grants.command('token').description('The access token for the grants repository, kept in the OS keychain');
  token
    .command('set')
    .description('Store the token (read from stdin, or typed at a hidden prompt)')
    .action(action(async (_opts: unknown, cmd: Command) => {
      const { settings } = await settingsOf(cmd);
      const url = gitSettings(settings).url;
      const { gitTokenAccount, redactUrl } = await import('../../services/grants/git-clone');
      const secret = await readSecret(`Access token for ${redactUrl(url)}: `);
      if (!secret) {
        process.stderr.write('grantbox: no token given; nothing stored.\n');
        return 2;
      }
      await depsOf(cmd).secrets().set(gitTokenAccount(url), secret);
      process.stdout.write(`Token stored in the keychain for ${new URL(url).host}.\n`);
      if (!gitSettings(settings).token) process.stdout.write('Note: set "token: true" under grants in the settings so Grantbox uses it.\n');
    }));
  token
    .command('clear')
    .description('Remove the stored token')
    .action(action(async (_opts: unknown, cmd: Command) => {
      const { settings } = await settingsOf(cmd);
      const url = gitSettings(settings).url;
      const { gitTokenAccount } = await import('../../services/grants/git-clone');
      const removed = await depsOf(cmd).secrets().delete(gitTokenAccount(url));
      process.stdout.write(removed ? `Token for ${new URL(url).host} removed from the keychain.\n` : `No token was stored for ${new URL(url).host}.\n`);
    }));
}
