// The grant store: holds the active set of validated grants from the configured source and answers "which grants
// may this person use, and what exactly does each one send to STS". It keeps the last valid set: a later read that
// has errors leaves the active set in place and says so in status().notice, so a bad commit never takes grants away
// mid-day. This first version reads a directory source on open() and sync(); no watching.
import path from 'node:path';
import { loadGrants, type Diagnostic, type LoadedGrant } from '../../../config/loader';
import { resolveGrant, type ResolvedGrant } from '../../../config/policy';
import type { Settings } from '../../../config/schema';
import type { GrantSummary, GrantsStatus, IdentityInfo } from '../../../preload/contract';
import { AppError } from '../errors';
import type { GrantService, Unsubscribe } from '../services';
import { readGrantFiles } from './read-grant-files';

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
  private notice: string | undefined;
  private readonly listeners = new Set<(status: GrantsStatus) => void>();

  private constructor(private readonly location: string) {}

  /** Opens the configured source and loads it now. Only the directory source is handled here. */
  static async open(settings: Settings, settingsDir: string): Promise<GrantStore> {
    if (settings.grants.source !== 'directory') {
      throw new AppError('GRANT_SOURCE_UNSUPPORTED', `This version of the grant store reads grants from a folder, not from "${settings.grants.source}".`, {
        details: { hint: 'Set grants.source to directory in the settings file, or use a Grantbox build with git sources.' },
      });
    }
    const store = new GrantStore(path.resolve(settingsDir, settings.grants.path));
    await store.load();
    return store;
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
      throw new AppError('GRANT_NOT_FOUND', `There is no grant called "${name}".`, {
        details: { hint: 'Check the name with `grantbox grants list`, or ask the person who manages grants whether it was renamed or removed.' },
      });
    }
    const { grant } = loaded;
    if (!grant.spec.subjects.some((s) => subjectMatches(s, identity.arn))) {
      throw new AppError('GRANT_NOT_FOR_YOU', `The grant "${grant.metadata.title}" is not available to ${identity.userName}.`, {
        details: {
          hint: `Ask ${grant.metadata.contact ?? 'the person who manages grants'} to add ${identity.arn} to its subjects.`,
          ...(grant.metadata.contact ? { contact: grant.metadata.contact } : {}),
        },
      });
    }
    return resolveGrant(grant, { user: identity.userName, account: identity.account });
  }

  forMe(identity: IdentityInfo): GrantSummary[] {
    const out: GrantSummary[] = [];
    for (const { grant } of this.grants) {
      if (!grant.spec.subjects.some((s) => subjectMatches(s, identity.arn))) continue;
      try {
        out.push(summarize(resolveGrant(grant, { user: identity.userName, account: identity.account })));
      } catch {
        // A grant that cannot be resolved for this user (e.g. an unusual user name) is not offered; assume() explains why.
      }
    }
    return out.sort((a, b) => a.title.localeCompare(b.title));
  }

  status(): GrantsStatus {
    return {
      source: 'directory',
      location: this.location,
      ...(this.updatedAt ? { updatedAt: this.updatedAt } : {}),
      ...(this.notice ? { notice: this.notice } : {}),
      total: this.grants.length,
    };
  }

  async sync(): Promise<GrantsStatus> {
    await this.load();
    const status = this.status();
    for (const l of this.listeners) l(status);
    return status;
  }

  onChanged(listener: (status: GrantsStatus) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async load(): Promise<void> {
    let result: ReturnType<typeof loadGrants>;
    try {
      result = loadGrants(await readGrantFiles([this.location]));
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
      return;
    }
    // First read: offer the grants that validated and say that some did not.
    this.grants = result.grants;
    this.updatedAt = new Date().toISOString();
    this.notice = errors > 0 ? `Some grants could not be loaded (${errors} problem${errors === 1 ? '' : 's'}). An admin can run \`grantbox grants lint\` to see them.` : undefined;
  }
}
