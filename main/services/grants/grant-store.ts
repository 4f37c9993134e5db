// The grant store: holds the active set of validated grants from the configured source and answers "which grants
// may this person use, and what exactly does each one send to STS". It keeps the last valid set: a later read that
// has errors leaves the active set in place and says so in status().notice, so a bad commit never takes grants away
// mid-day. Sources: a folder (watched and reloaded, debounced) or a git repository (git-grant-source.ts: fetched
// at start, every intervalMinutes and on sync(), with the active revision persisted). Every switch of the active
// set is announced with the names added, removed and changed (onSetChanged), so the app can end sessions of removed
// grants; resolvedFor() always answers from the active set, so a changed grant applies at the next refresh.
import type { Network } from '../network';
import path from 'node:path';
import { formatDiagnostics, type loadGrants, type Diagnostic, type LoadedGrant } from '../../../config/loader';
import { loadGrantsChecked } from './iam-catalog';
import { resolveGrant, type ResolvedGrant } from '../../../config/policy';
import type { Grant, Settings } from '../../../config/schema';
import type { GrantSummary, GrantsStatus, IdentityInfo } from '../../../preload/contract';
import type { SessionLogWriter } from '../audit/types';
import { AppError } from '../errors';
import type { SecretStore } from '../identity/secret-store';
import type { GrantService, Unsubscribe } from '../services';
import { GitGrantSource, type GitGrantSnapshot } from './git-grant-source';
import { readGrantFiles } from './read-grant-files';
import { watchDirectory, type DirectoryWatcher, type WatchOptions } from './watch';

/** What changed when the active set switched; names are metadata.name. */
export interface GrantSetChange {
  added: string[];
  removed: string[];
  changed: string[];
  status: GrantsStatus;
}

export interface GrantStoreDeps {
  /** Data folder (git clone and its state). Required for a git source. */
  dataDir?: string;
  /** Keychain, for a git token (settings grants.token: true). */
  secrets?: SecretStore;
  /** Session log: refused revisions, updates and failed fetches are recorded here. */
  log?: SessionLogWriter;
  /** Watch a folder source / fetch a git source periodically (default true; the CLI passes false). */
  live?: boolean;
  /**
   * Git: wait for the first fetch in open() ('await'), run it after open() ('background'), or not at all. Default
   * 'auto': wait only when there is no saved revision yet, so the app starts at once (offline too) from its copy and
   * fetches in the background; with live: false and a saved revision, no fetch.
   */
  initialSync?: 'auto' | 'await' | 'background' | 'none';
  watchOptions?: WatchOptions;
  /** Git: per-request time limit (ms). */
  timeoutMs?: number;
  /** Git: proxy and extra-CA rules. */
  network?: Network;
}

const grantKey = (g: LoadedGrant) => JSON.stringify(g.grant);

/** Names added, removed and changed between two sets. */
export function compareSets(before: LoadedGrant[], after: LoadedGrant[]): { added: string[]; removed: string[]; changed: string[] } {
  const a = new Map(before.map((g) => [g.grant.metadata.name, grantKey(g)]));
  const b = new Map(after.map((g) => [g.grant.metadata.name, grantKey(g)]));
  return {
    added: [...b.keys()].filter((n) => !a.has(n)).sort(),
    removed: [...a.keys()].filter((n) => !b.has(n)).sort(),
    changed: [...b.keys()].filter((n) => a.has(n) && a.get(n) !== b.get(n)).sort(),
  };
}

/**
 * Whether a grant subject names this identity: the exact ARN, or for an assumed-role session
 * (arn:aws:sts::A:assumed-role/R/s) the role arn:aws:iam::A:role/R (any path).
 */
export function subjectMatches(subject: string, identityArn: string): boolean {
  if (subject === identityArn) return true;
  const m = /^arn:([^:]+):sts::(\d*):assumed-role\/([^/]+)\/[^/]+$/.exec(identityArn);
  if (!m) return false;
  const [, partition, account, role] = m;
  return new RegExp(`^arn:${partition}:iam::${account}:role/(?:.*/)?${role!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`).test(subject);
}

/**
 * Whether a grant subject names this person: an IAM ARN for an access-key sign-in (see subjectMatches); for a
 * company sign-in `user:NAME` = the user claim (case-insensitive, as IdPs treat user names and emails) and
 * `group:NAME` = one of the groups claim's values, exactly as the provider sends it.
 */
export function subjectNames(subject: string, identity: IdentityInfo): boolean {
  const company = identity.method === 'oidc' || identity.method === 'identityCenter';
  if (subject.startsWith('user:')) return company && subject.slice(5).toLowerCase() === identity.userName.toLowerCase();
  if (subject.startsWith('group:')) return company && (identity.groups ?? []).includes(subject.slice(6));
  return !company && subjectMatches(subject, identity.arn);
}

/** The values {user} and {account} take for this person: a company sign-in has no AWS account of its own, so the role's. */
function varsFor(identity: IdentityInfo, grant: Grant): { user: string; account: string } {
  return { user: identity.userName, account: identity.account || (grant.spec.role.arn.split(':')[4] ?? '') };
}

/**
 * Signed in without confirmation and without a stated ARN (a service with no GetCallerIdentity): Grantbox cannot
 * tell which grants name this person, so it offers them all and lets STS decide at AssumeRole.
 */
export function identityUnknown(identity: IdentityInfo): boolean {
  return !identity.verified && identity.arn === '';
}

function summarize(r: ResolvedGrant): GrantSummary {
  return {
    name: r.name,
    title: r.title,
    ...(r.description !== undefined ? { description: r.description } : {}),
    ...(r.contact !== undefined ? { contact: r.contact } : {}),
    bucket: r.bucket,
    region: r.region,
    prefix: r.prefix,
    permissions: r.permissions,
    durationSeconds: r.durationSeconds,
    mfa: r.mfa,
    ...(r.maxFileSizeBytes !== undefined ? { maxFileSizeBytes: r.maxFileSizeBytes } : {}),
    onConflict: r.onConflict,
    allowReplace: r.allowReplace,
  };
}

export class GrantStore implements GrantService {
  private grants: LoadedGrant[] = [];
  private lastDiagnostics: Diagnostic[] = [];
  private updatedAt: string | undefined;
  private revision: string | undefined;
  private notice: string | undefined;
  private readonly listeners = new Set<(status: GrantsStatus) => void>();
  private readonly setListeners = new Set<(change: GrantSetChange) => void>();
  private watcher: DirectoryWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private git: GitGrantSource | undefined;
  private fetchError: AppError | undefined;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private log: SessionLogWriter | undefined;
  private lastRefusal: string | undefined;

  private constructor(
    private readonly source: 'directory' | 'git',
    private readonly location: string,
  ) {}

  /**
   * Opens the configured source and loads it now. A folder is read (and watched unless deps.live is false); a git
   * source starts from the saved revision and fetches (deps.initialSync), then every intervalMinutes.
   */
  static async open(settings: Settings, settingsDir: string, deps: GrantStoreDeps = {}): Promise<GrantStore> {
    const live = deps.live ?? true;
    const src = settings.grants;
    if (src.source === 'git') {
      if (!deps.dataDir) throw new AppError('UNEXPECTED', 'A git grant source needs the data folder.');
      const git = new GitGrantSource(src, {
        dataDir: deps.dataDir,
        settingsDir,
        ...(deps.secrets ? { secrets: deps.secrets } : {}),
        ...(deps.log ? { log: deps.log } : {}),
        ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
        ...(deps.network ? { network: deps.network } : {}),
      });
      const store = new GrantStore('git', git.location);
      store.git = git;
      store.apply(await git.openCached());
      // One-shot commands (live: false) with a saved revision use it as is: a background fetch could hold the process
      // open until its timeout when offline. `grantbox grants sync` fetches on purpose.
      const initial =
        deps.initialSync === 'auto' || deps.initialSync === undefined ? (!store.revision ? 'await' : live ? 'background' : 'none') : deps.initialSync;
      if (initial === 'await') await store.sync();
      else if (initial === 'background') void store.sync().catch(() => undefined);
      const minutes = src.intervalMinutes ?? 15;
      if (live && minutes > 0) {
        store.timer = setInterval(() => void store.sync().catch(() => undefined), minutes * 60_000);
        store.timer.unref?.();
      }
      return store;
    }
    const dir = path.resolve(settingsDir, src.path);
    const store = new GrantStore('directory', dir);
    store.log = deps.log;
    await store.load();
    if (live && src.watch !== false) {
      store.watcher = watchDirectory(dir, () => void store.sync().catch(() => undefined), deps.watchOptions);
    }
    return store;
  }

  /** Stops the folder watcher and the periodic fetch. */
  close(): void {
    this.closed = true;
    this.watcher?.close();
    clearInterval(this.timer);
  }

  /** The last fetch's failure (git source), for the CLI's exit code; undefined after a successful fetch. */
  lastFetchError(): AppError | undefined {
    return this.fetchError;
  }

  /** The git source, for `grants diff` against the clone; undefined for a folder source. */
  gitSource(): GitGrantSource | undefined {
    return this.git;
  }

  /** Called after every switch of the active set with the grant names added, removed and changed. */
  onSetChanged(listener: (change: GrantSetChange) => void): Unsubscribe {
    this.setListeners.add(listener);
    return () => this.setListeners.delete(listener);
  }

  all(): LoadedGrant[] {
    return [...this.grants];
  }

  get(name: string): LoadedGrant | undefined {
    return this.grants.find((g) => g.grant.metadata.name === name);
  }

  /** Problems found by the most recent read (also when the active set was kept from an earlier read). */
  diagnostics(): Diagnostic[] {
    return [...this.lastDiagnostics];
  }

  resolvedFor(name: string, identity: IdentityInfo): ResolvedGrant {
    const loaded = this.get(name);
    if (!loaded) {
      // A grant whose file does not validate is not loaded: say so, or "no grant called X" sends people looking
      // for a rename when the admin's file has a typo.
      const errors = this.lastDiagnostics.filter((d) => d.severity === 'error').length;
      throw new AppError('GRANT_NOT_FOUND', `There is no ${errors > 0 ? 'valid ' : ''}grant called "${name}".`, {
        details: {
          hint:
            errors > 0
              ? `Some grant files have problems (${errors}), so a grant in them may be missing. Ask the person who manages grants to run \`grantbox grants lint\` and fix them.`
              : 'Check the name with `grantbox grants list`, or ask the person who manages grants whether it was renamed or removed.',
        },
      });
    }
    const { grant } = loaded;
    if (!identityUnknown(identity) && !grant.spec.subjects.some((s) => subjectNames(s, identity))) {
      const company = identity.method === 'oidc' || identity.method === 'identityCenter';
      const groups = identity.groups ?? [];
      const whom = company ? `user:${identity.userName}${groups.length ? ` (or one of your groups: ${groups.slice(0, 5).map((g) => `group:${g}`).join(', ')})` : ''}` : identity.arn;
      throw new AppError('GRANT_NOT_FOR_YOU', `The grant "${grant.metadata.title}" is not available to ${identity.userName}.`, {
        details: {
          hint: `Ask ${grant.metadata.contact ?? 'the person who manages grants'} to add ${whom} to its subjects.`,
          ...(grant.metadata.contact ? { contact: grant.metadata.contact } : {}),
        },
      });
    }
    return resolveGrant(grant, varsFor(identity, grant));
  }

  forMe(identity: IdentityInfo): GrantSummary[] {
    const out: GrantSummary[] = [];
    const unknown = identityUnknown(identity);
    for (const { grant } of this.grants) {
      if (!unknown && !grant.spec.subjects.some((s) => subjectNames(s, identity))) continue;
      try {
        const summary = summarize(resolveGrant(grant, varsFor(identity, grant)));
        out.push(unknown ? { ...summary, serviceDecides: true } : summary);
      } catch {
        // A grant that cannot be resolved for this user (e.g. an unusual user name) is not offered; assume() explains why.
      }
    }
    return out.sort((a, b) => a.title.localeCompare(b.title));
  }

  status(): GrantsStatus {
    return {
      source: this.source,
      location: this.location,
      ...(this.revision ? { revision: this.revision } : {}),
      ...(this.updatedAt ? { updatedAt: this.updatedAt } : {}),
      ...(this.notice ? { notice: this.notice } : {}),
      total: this.grants.length,
    };
  }

  /** Re-reads (folder) or fetches (git) now. Calls run one after another, so a watcher reload and a click never interleave. */
  sync(): Promise<GrantsStatus> {
    const next = this.queue.then(() => this.syncNow());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async syncNow(): Promise<GrantsStatus> {
    if (this.closed && this.source === 'directory') return this.status();
    const before = this.grants;
    const beforeStatus = JSON.stringify(this.status());
    if (this.git) this.apply(await this.git.sync());
    else await this.load();
    const status = this.status();
    const change = compareSets(before, this.grants);
    const switched = change.added.length + change.removed.length + change.changed.length > 0;
    if (switched) for (const l of this.setListeners) l({ ...change, status });
    if (switched || JSON.stringify(status) !== beforeStatus) for (const l of this.listeners) l(status);
    return status;
  }

  /** Takes over a git snapshot (the git source already applied last-known-good). */
  private apply(snap: GitGrantSnapshot): void {
    this.grants = snap.grants;
    this.lastDiagnostics = snap.diagnostics;
    this.revision = snap.revision;
    this.updatedAt = snap.committedAt;
    this.notice = snap.notice;
    this.fetchError = snap.fetchError;
  }

  onChanged(listener: (status: GrantsStatus) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records a refused folder read in the session log, once per distinct set of problems (the watcher re-reads). */
  private async logRefused(diagnostics: Diagnostic[], reason: string): Promise<void> {
    const key = `${reason}\n${formatDiagnostics(diagnostics, 'text')}`;
    if (key === this.lastRefusal) return;
    this.lastRefusal = key;
    try {
      await this.log?.append({
        type: 'grants.rejected',
        source: 'directory',
        location: this.location,
        reason,
        diagnosticsCount: diagnostics.length,
        diagnostics: formatDiagnostics(diagnostics.slice(0, 5), 'text').split('\n').filter(Boolean),
      });
    } catch {
      // best effort: a full disk must not stop the store
    }
  }

  private async load(): Promise<void> {
    let result: ReturnType<typeof loadGrants>;
    try {
      result = await loadGrantsChecked(await readGrantFiles([this.location]));
    } catch (e) {
      if (this.updatedAt === undefined) throw e;
      this.notice = `The grants folder could not be read (${e instanceof Error ? e.message : String(e)}); still using the grants loaded earlier.`;
      return;
    }
    this.lastDiagnostics = result.diagnostics;
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    if (errors > 0 && this.updatedAt !== undefined) {
      // Keep the last valid set: never swap in a set that did not fully validate.
      this.notice = `The grant files have ${errors} problem${errors === 1 ? '' : 's'}; still using the grants loaded earlier. An admin can run \`grantbox grants lint\` to see them.`;
      await this.logRefused(result.diagnostics, `${errors} problem${errors === 1 ? '' : 's'} in the grant files`);
      return;
    }
    if (result.grants.length === 0 && this.grants.length > 0) {
      // An emptied folder is more often a checkout or sync in progress than "nobody gets anything": keep the set.
      this.notice = 'The grants folder has no grants now; still using the grants loaded earlier.';
      await this.logRefused(result.diagnostics, 'no grants found');
      return;
    }
    this.lastRefusal = undefined;
    // First read: offer the grants that validated and say that some did not.
    const change = compareSets(this.grants, result.grants);
    if (this.updatedAt === undefined || change.added.length + change.removed.length + change.changed.length > 0) {
      this.updatedAt = new Date().toISOString();
    }
    this.grants = result.grants;
    this.notice = errors > 0 ? `Some grants could not be loaded (${errors} problem${errors === 1 ? '' : 's'}). An admin can run \`grantbox grants lint\` to see them.` : undefined;
  }
}
