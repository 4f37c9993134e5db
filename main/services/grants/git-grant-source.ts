// The git grant set with last-known-good: decides which revision of the grants repository is active. A fetched
// revision becomes active only when it fully validates (signature when pinning is on, then the loader with no
// errors and at least one grant); otherwise it is recorded in the session log (once per revision) and the active
// revision stays. The active revision is persisted in <dataDir>/grants-git/state.json, so a restart — also one
// without network — uses the same grants. Owns the notices staff see about updates, refusals and being offline.
// Fetching and reading revisions is the clone's job (git-clone.ts).
import fs from 'node:fs/promises';
import path from 'node:path';
import { formatDiagnostics, type Diagnostic, type LoadedGrant } from '../../../config/loader';
import { loadGrantsChecked } from './iam-catalog';
import type { Settings } from '../../../config/schema';
import type { SessionLogWriter } from '../audit/types';
import type { SerializedAppError } from '../../../preload/contract';
import { AppError, toAppError } from '../errors';
import type { SecretStore } from '../identity/secret-store';
import type { Network } from '../network';
import { GitClone, REFUSED_CONTENT_CODES, redactUrl, revisionUnreadable, type CommitInfo } from './git-clone';
import { loadTrustedKeys, verifyCommitSignature, type TrustedKey } from './signatures';

export type GitSourceSettings = Extract<Settings['grants'], { source: 'git' }>;

interface RevisionRef {
  commit: string;
  /** ISO commit time. */
  committedAt: string;
}

/** Why a revision was refused: its content, or where it sits in history relative to the one in use. */
export type RejectionKind = 'invalid' | 'rewind' | 'unrelated';

interface GitState {
  url: string;
  active?: RevisionRef & { activatedAt: string };
  rejected?: RevisionRef & { at: string; reason: string; errors: number; kind?: RejectionKind };
  lastFetch?: { at: string; ok: boolean; error?: SerializedAppError };
}

export interface GitGrantSnapshot {
  grants: LoadedGrant[];
  revision?: string;
  committedAt?: string;
  notice?: string;
  /** Diagnostics of the most recently validated revision (the refused one, when one was refused). */
  diagnostics: Diagnostic[];
  /** The last fetch failed (offline, server down, token refused): the error, for the CLI. */
  fetchError?: AppError;
  /** ISO time of the last fetch attempt (this run or, after a restart, the saved one). */
  lastCheckedAt?: string;
}

export interface RevisionCheck {
  commit: CommitInfo;
  grants: LoadedGrant[];
  diagnostics: Diagnostic[];
  /** Why the revision cannot be used; undefined = valid. */
  problem?: string;
  kind?: RejectionKind;
}

/** A commit that could not be read at all: only its id is known. */
const unknownCommit = (oid: string): CommitInfo => ({ oid, date: '', subject: '', author: '', payload: '' });

const short = (oid: string) => oid.slice(0, 7);
const day = (iso: string) => iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');

export class GitGrantSource {
  readonly git: GitClone;
  private state: GitState;
  private grants: LoadedGrant[] = [];
  private diagnostics: Diagnostic[] = [];
  private fetchError: AppError | undefined;
  private trusted: TrustedKey[] | undefined;
  private readonly stateFile: string;
  private running: Promise<GitGrantSnapshot> | undefined;

  constructor(
    private readonly settings: GitSourceSettings,
    private readonly deps: { dataDir: string; settingsDir: string; secrets?: SecretStore; log?: SessionLogWriter; timeoutMs?: number; network?: Network },
  ) {
    this.git = new GitClone({
      url: settings.url,
      pinned: (settings.signedBy?.length ?? 0) > 0,
      ...(settings.branch ? { branch: settings.branch } : {}),
      subPath: settings.path ?? '',
      dataDir: deps.dataDir,
      ...(settings.token && deps.secrets ? { secrets: deps.secrets } : {}),
      ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
      ...(deps.network ? { network: deps.network } : {}),
    });
    this.stateFile = path.join(deps.dataDir, 'grants-git', 'state.json');
    this.state = { url: redactUrl(settings.url) };
  }

  get location(): string {
    return redactUrl(this.settings.url);
  }

  /** Loads the persisted active revision from the local clone (no network). */
  async openCached(): Promise<GitGrantSnapshot> {
    try {
      const saved = JSON.parse(await fs.readFile(this.stateFile, 'utf8')) as GitState;
      // A clone of another repository (settings changed) is not last-known-good for this one.
      if (saved.url === redactUrl(this.settings.url)) this.state = saved;
    } catch {
      // no state yet: first start
    }
    // A status shown before any new fetch (e.g. `grantbox grants status`) still says the last check failed.
    const last = this.state.lastFetch;
    if (last && !last.ok && last.error) this.fetchError = new AppError(last.error.code, last.error.message, { details: last.error.details ?? {} });
    if (this.state.active && (await this.git.hasCommit(this.state.active.commit))) {
      // Re-checked at every start: pinning may have been switched on (or a key removed) since it was activated.
      const check = await this.check(this.state.active.commit);
      if (check.problem?.startsWith('signature') || check.problem?.startsWith('the revision could not be read')) {
        delete this.state.active;
      } else {
        // Lint problems in a revision that was valid when activated (a newer Grantbox is stricter): keep what validates.
        this.grants = check.grants;
        this.diagnostics = check.diagnostics;
      }
    } else {
      delete this.state.active;
    }
    return this.snapshot();
  }

  /** Fetches and switches to the fetched revision when it is valid. Concurrent calls share one run. */
  sync(): Promise<GitGrantSnapshot> {
    this.running ??= this.doSync().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async doSync(): Promise<GitGrantSnapshot> {
    let tip: string;
    try {
      tip = await this.git.fetchLatest();
      this.fetchError = undefined;
      this.state.lastFetch = { at: new Date().toISOString(), ok: true };
    } catch (e) {
      const error = toAppError(e);
      if (REFUSED_CONTENT_CODES.has(error.code)) {
        // The server answered, but with something too large or broken to read: a rejected revision, not "offline".
        this.state.lastFetch = { at: new Date().toISOString(), ok: true };
        this.fetchError = undefined;
        const revision = typeof error.details.revision === 'string' ? error.details.revision : 'unknown';
        await this.reject({ commit: unknownCommit(revision), grants: [], diagnostics: [], problem: `the revision could not be read: ${error.message}`, kind: 'invalid' });
        await this.save();
        return this.snapshot();
      }
      this.fetchError = error;
      this.state.lastFetch = { at: new Date().toISOString(), ok: false, error: this.fetchError.toJSON() };
      await this.save();
      await this.log({ type: 'grants.fetch_failed', url: this.location, error: this.fetchError.toJSON(), revision: this.state.active?.commit });
      return this.snapshot();
    }
    if (tip !== this.state.active?.commit) {
      // Rollback protection: only a fast-forward from the revision in use is taken. An older revision (a rewind) or
      // unrelated history would otherwise bring back a removed grant, signed or not.
      const lineage = await this.lineageCheck(tip);
      const check = lineage ?? (await this.check(tip));
      this.diagnostics = check.diagnostics;
      if (check.problem) {
        await this.reject(check);
      } else {
        const previous = this.state.active?.commit;
        this.grants = check.grants;
        this.state.active = { commit: tip, committedAt: check.commit.date, activatedAt: new Date().toISOString() };
        delete this.state.rejected;
        await this.log({ type: 'grants.updated', url: this.location, revision: tip, previous, committedAt: check.commit.date, total: check.grants.length });
      }
    } else if (this.state.rejected) {
      // The remote went back to the active revision (a revert): nothing newer is refused any more.
      delete this.state.rejected;
    }
    await this.save();
    return this.snapshot();
  }

  /** A rejected-revision check when `tip` does not descend from the revision in use; null when it does. */
  private async lineageCheck(tip: string): Promise<RevisionCheck | null> {
    const active = this.state.active?.commit;
    if (!active) return null;
    let lineage;
    try {
      lineage = await this.git.lineage(active, tip);
    } catch (e) {
      const commit = await this.git.commitInfo(tip).catch(() => unknownCommit(tip));
      return { commit, grants: [], diagnostics: [], problem: `the revision could not be read: ${revisionUnreadable(e).message}`, kind: 'invalid' };
    }
    if (lineage === 'descends' || lineage === 'same') return null;
    const commit = await this.git.commitInfo(tip).catch(() => unknownCommit(tip));
    return lineage === 'rewind'
      ? { commit, grants: [], diagnostics: [], kind: 'rewind', problem: `rewind: ${short(tip)} is an older revision than the one in use (${short(active)})` }
      : { commit, grants: [], diagnostics: [], kind: 'unrelated', problem: `unrelated history: ${short(tip)} does not descend from the revision in use (${short(active)})` };
  }

  /** Records a refused revision (state, and the session log once per revision). */
  private async reject(check: RevisionCheck): Promise<void> {
    const tip = check.commit.oid;
    const already = this.state.rejected?.commit === tip;
    this.state.rejected = {
      commit: tip,
      committedAt: check.commit.date,
      at: new Date().toISOString(),
      reason: check.problem ?? 'refused',
      errors: check.diagnostics.filter((d) => d.severity === 'error').length,
      kind: check.kind ?? 'invalid',
    };
    // Logged once per refused revision, not on every periodic fetch.
    if (already) return;
    await this.log({
      type: 'grants.rejected',
      url: this.location,
      revision: tip,
      ...(check.commit.date ? { committedAt: check.commit.date } : {}),
      ...(check.commit.author ? { author: check.commit.author } : {}),
      reason: check.problem,
      kind: check.kind ?? 'invalid',
      diagnosticsCount: check.diagnostics.length,
      diagnostics: formatDiagnostics(check.diagnostics.slice(0, 5), 'text').split('\n').filter(Boolean),
      activeRevision: this.state.active?.commit,
    });
  }

  /**
   * An admin's deliberate reset (`grantbox grants reset`): forgets the revision in use and any refusal, so the next
   * sync takes the fetched tip as a new starting point (still checked: signature, then every grant file). The only
   * way past rollback protection after history was rewritten on purpose.
   */
  async reset(): Promise<{ previous?: string }> {
    await this.openCached();
    const previous = this.state.active?.commit;
    delete this.state.active;
    delete this.state.rejected;
    this.grants = [];
    this.diagnostics = [];
    await this.save();
    await this.log({ type: 'grants.reset', url: this.location, ...(previous ? { previous } : {}) });
    return previous ? { previous } : {};
  }

  /** Validates one revision of the clone without activating it. Never throws: an unreadable revision is a problem. */
  async check(oid: string): Promise<RevisionCheck> {
    let commit: CommitInfo;
    try {
      commit = await this.git.commitInfo(oid);
    } catch (e) {
      return { commit: unknownCommit(oid), grants: [], diagnostics: [], problem: `the revision could not be read: ${revisionUnreadable(e).message}`, kind: 'invalid' };
    }
    try {
      return await this.checkContent(commit);
    } catch (e) {
      return { commit, grants: [], diagnostics: [], problem: `the revision could not be read: ${revisionUnreadable(e).message}`, kind: 'invalid' };
    }
  }

  private async checkContent(commit: CommitInfo): Promise<RevisionCheck> {
    const oid = commit.oid;
    if (this.settings.signedBy?.length) {
      this.trusted ??= await loadTrustedKeys(this.settings.signedBy, this.deps.settingsDir);
      const sig = await verifyCommitSignature(commit, this.trusted);
      if (!sig.ok) return { commit, grants: [], diagnostics: [], problem: `signature check failed: ${sig.reason}` };
    }
    const { grants, diagnostics } = await loadGrantsChecked(await this.git.readFiles(oid));
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    if (errors > 0) return { commit, grants, diagnostics, problem: `${errors} problem${errors === 1 ? '' : 's'} in the grant files` };
    if (grants.length === 0) {
      // An empty revision is far more often a wrong sub-path or a bad merge than a deliberate "nobody gets anything".
      return { commit, grants, diagnostics, problem: `no grants found${this.settings.path ? ` under "${this.settings.path}"` : ''}` };
    }
    return { commit, grants, diagnostics };
  }

  snapshot(): GitGrantSnapshot {
    const { active, rejected } = this.state;
    let notice: string | undefined;
    if (!active) {
      notice = this.fetchError
        ? `Grants could not be downloaded yet: ${this.fetchError.message}`
        : rejected
          ? `The grants from the repository (${short(rejected.commit)}) could not be used — your admin has been told.`
          : undefined;
    } else {
      const why = !this.fetchError
        ? undefined
        : this.fetchError.code === 'GIT_UNREACHABLE'
          ? 'the grants repository could not be reached'
          : this.fetchError.message.replace(/\.$/, '');
      if (rejected && rejected.commit !== active.commit) {
        const offered =
          rejected.kind === 'rewind'
            ? `the repository went back to an older version (${short(rejected.commit)}), which was not used`
            : rejected.kind === 'unrelated'
              ? `the repository now holds a different history (${short(rejected.commit)}), which was not used`
              : 'a newer version could not be used';
        notice = `Using grants from ${day(active.committedAt)} (${short(active.commit)}); ${offered} — your admin has been told.`;
        if (why) notice += ` Updates could not be checked just now: ${why}.`;
      } else if (why) {
        notice = `Using the saved copy of the grants from ${day(active.committedAt)} (${short(active.commit)}): ${why}.`;
      }
    }
    return {
      grants: [...this.grants],
      ...(active ? { revision: active.commit, committedAt: active.committedAt } : {}),
      ...(notice ? { notice } : {}),
      diagnostics: [...this.diagnostics],
      ...(this.fetchError ? { fetchError: this.fetchError } : {}),
      ...(this.state.lastFetch ? { lastCheckedAt: this.state.lastFetch.at } : {}),
    };
  }

  private async save(): Promise<void> {
    await fs.mkdir(path.dirname(this.stateFile), { recursive: true });
    const tmp = `${this.stateFile}.${process.pid}.tmp`;
    await fs.writeFile(tmp, `${JSON.stringify(this.state, null, 2)}\n`);
    await fs.rename(tmp, this.stateFile);
  }

  private async log(record: { type: string; [key: string]: unknown }): Promise<void> {
    try {
      await this.deps.log?.append(record);
    } catch {
      // The session log is best effort here; a full disk must not stop grants from updating.
    }
  }
}
