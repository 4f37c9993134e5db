// The grants repository clone (GitClone; which revision is in use is git-grant-source.ts): a bare clone of the
// admins' grants repository under <dataDir>/grants-git/, fetched with
// isomorphic-git (pure JS) so staff machines need no git installed. It never checks out a working tree: files of a
// revision are read straight from the object store, which lets the store validate a revision before switching to
// it and keeps the last-known-good revision readable offline. Owns: fetch, token handling, git → AppError mapping,
// reading a revision's grant files at the configured sub-path.
// One concept over 400 lines: the clone's whole life (fetch, limits, reading a revision) behind one object store.
import fs from 'node:fs';
import path from 'node:path';
import git, { type HttpClient, type GitHttpRequest } from 'isomorphic-git';
import nodeHttp from 'isomorphic-git/http/node';
import { AppError } from '../errors';
import { redactString } from '../audit/redact';
import type { SourceFile } from '../../../config/loader';
import type { SecretStore } from '../identity/secret-store';
import { grantsUrlProblem, isLoopbackHost } from '../../../config/grants-url';
import { MAX_FILE_BYTES, MAX_FILES } from './read-grant-files';
import { MAX_PACK_BYTES, MAX_REVISION_ENTRIES, ObjectSizes, checkPack, packTooLarge } from './git-objects';
import { certificateAppError, type Network } from '../network';

export interface CommitInfo {
  oid: string;
  /** ISO time the commit was made (committer time). */
  date: string;
  /** First line of the message. */
  subject: string;
  author: string;
  /** Armored signature (OpenPGP or SSH), when the commit is signed. */
  signature?: string;
  /** The exact bytes that were signed (the commit without its gpgsig header). */
  payload: string;
}

export interface GitCloneOptions {
  url: string;
  /** Branch to follow; default: the remote's default branch. */
  branch?: string;
  /** Folder inside the repository holding the grants ('' = root). */
  subPath?: string;
  dataDir: string;
  /** When set, the token for the remote comes from this store under gitTokenAccount(url). */
  secrets?: SecretStore;
  /** Per-request time limit (ms) so a hung server never hangs a sync. */
  timeoutMs?: number;
  http?: HttpClient;
  /** Commits are pinned to signing keys (settings signedBy): plain http is then allowed, with a warning. */
  pinned?: boolean;
  /** Proxy and extra-CA rules (../network): the fetch goes through its node:http agent. */
  network?: Network;
}

/** Errors that refuse what a fetch brought (not the connection): the revision it named counts as rejected. */
export const REFUSED_CONTENT_CODES: ReadonlySet<string> = new Set(['GIT_PACK_TOO_LARGE', 'GIT_OBJECT_TOO_LARGE', 'GIT_PACK_INVALID']);

/** How a fetched tip relates to the revision in use. */
export type Lineage = 'same' | 'descends' | 'rewind' | 'unrelated';

const FETCH_REF = 'refs/remotes/origin/grants';

/** Keychain account of a git token: one per host, so two repositories on one server share it. */
export function gitTokenAccount(url: string): string {
  return `git-token:${new URL(url).host}`;
}

/** The remote URL without any user:password part, for status lines and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/** A token may travel over https, or to this computer itself (a local mirror or test server). */
export function tokenTransportSafe(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
  } catch {
    return false;
  }
}

function urlHasCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return false;
  }
}

export function gitCloneDir(dataDir: string): string {
  return path.join(dataDir, 'grants-git', 'repo.git');
}

/** Stops reading a response once it carries more than a pack may be (plus pkt-line framing). */
async function* bounded(body: AsyncIterableIterator<Uint8Array>, limit: number): AsyncIterableIterator<Uint8Array> {
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > limit) throw packTooLarge(total);
    yield chunk;
  }
}

function withTimeout(client: HttpClient, timeoutMs: number): HttpClient {
  return {
    async request(req: GitHttpRequest) {
      const signal = AbortSignal.timeout(timeoutMs);
      const res = await Promise.race([
        // simple-get's socket timeout also catches a server that stalls mid-body.
        client.request({ ...req, signal, fetchOptions: { ...(req.fetchOptions ?? {}), timeout: timeoutMs } }),
        new Promise<never>((_, reject) => {
          signal.addEventListener('abort', () => reject(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })), {
            once: true,
          });
        }),
      ]);
      return res.body ? { ...res, body: bounded(res.body, MAX_PACK_BYTES + 1024 * 1024) } : res;
    },
  };
}

/**
 * The file system isomorphic-git's fetch writes through: a received pack is checked (checkPack) before it is
 * written and indexed, because indexing inflates every object in it.
 */
const packCheckingFs = {
  ...fs,
  promises: {
    ...fs.promises,
    writeFile: async (file: fs.PathLike | fs.promises.FileHandle, data: Uint8Array | string, options?: fs.WriteFileOptions) => {
      if (typeof file === 'string' && file.endsWith('.pack') && typeof data !== 'string') checkPack(data);
      return fs.promises.writeFile(file, data, options);
    },
  },
};
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** isomorphic-git's node client with the network's agent (proxy, extra CAs) and certificate annotation. */
function networkHttp(network: Network): HttpClient {
  const agent = network.nodeAgent({ keepAlive: false });
  return {
    async request(req: GitHttpRequest) {
      try {
        return await nodeHttp.request({ ...req, agent } as GitHttpRequest);
      } catch (e) {
        await network.annotate(e, req.url);
        throw e;
      }
    },
  };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** Maps what isomorphic-git and the network throw to plain-language AppErrors. */
export function toGitError(e: unknown, url: string, hadToken: boolean): AppError {
  const cert = certificateAppError(e, hostOf(url));
  if (cert) return cert;
  if (e instanceof AppError) return e;
  const err = e as { code?: string; name?: string; message?: string; data?: { statusCode?: number; statusMessage?: string } };
  const where = redactUrl(url);
  const status = err.data?.statusCode;
  // UserCanceledError comes from our onAuthFailure: the server refused the credentials we offered.
  if ((err.code === 'HttpError' && (status === 401 || status === 403)) || err.code === 'UserCanceledError') {
    return new AppError(
      'GIT_AUTH_FAILED',
      hadToken
        ? 'The grants repository refused the access token on this computer.'
        : 'The grants repository needs an access token, and none is set on this computer.',
      {
        cause: e,
        details: {
          httpStatus: status ?? 401,
          url: where,
          hint: hadToken
            ? 'Ask your admin for a new access token, then run "grantbox grants token set".'
            : 'Ask your admin for an access token, then run "grantbox grants token set".',
        },
      },
    );
  }
  if (err.code === 'HttpError' && status === 404) {
    return new AppError('GIT_REPO_NOT_FOUND', 'The grants repository could not be found at the address in the settings.', {
      cause: e,
      details: { httpStatus: status, url: where, hint: 'Ask your admin to check the grants repository address in the settings.' },
    });
  }
  const code = err.code ?? (e as { cause?: { code?: string } }).cause?.code;
  if ((code && NETWORK_CODES.has(code)) || err.name === 'AbortError' || err.name === 'TimeoutError' || /timed out/i.test(err.message ?? '')) {
    return new AppError('GIT_UNREACHABLE', 'The grants repository could not be reached.', {
      cause: e,
      details: { url: where, networkCode: code, hint: 'Check your internet connection; Grantbox keeps using the grants it already has.' },
    });
  }
  if (err.code === 'NotFoundError') {
    return new AppError('GIT_BRANCH_NOT_FOUND', 'The branch named in the settings does not exist in the grants repository.', {
      cause: e,
      details: { url: where, hint: 'Ask your admin to check the branch in the settings.' },
    });
  }
  // isomorphic-git quotes the remote URL in some messages (UnknownTransportError, UrlParseError): the message goes
  // to the window, the terminal and the log, so any user:token@ part and token-shaped text is removed first.
  return new AppError('GIT_FETCH_FAILED', `Grant updates could not be downloaded: ${redactString(err.message ?? String(e))}`, {
    cause: e,
    details: { url: where, gitCode: err.code, httpStatus: status, hint: 'Try again later; if it keeps failing, tell your admin.' },
  });
}

/** Splits a raw commit object into the bytes git signed (without the gpgsig header) and the signature. */
export function splitSignedCommit(raw: string): { payload: string; signature?: string } {
  const end = raw.indexOf('\n\n');
  const headerText = end < 0 ? raw : raw.slice(0, end);
  const rest = end < 0 ? '' : raw.slice(end);
  const kept: string[] = [];
  const sig: string[] = [];
  let inSig = false;
  for (const line of headerText.split('\n')) {
    if (line.startsWith('gpgsig ')) {
      inSig = true;
      sig.push(line.slice('gpgsig '.length));
    } else if (inSig && line.startsWith(' ')) {
      sig.push(line.slice(1));
    } else {
      inSig = false;
      kept.push(line);
    }
  }
  const payload = kept.join('\n') + rest;
  return sig.length ? { payload, signature: sig.join('\n') } : { payload };
}

/**
 * Anything that goes wrong reading a revision (a tree entry named "..", a missing or corrupt object) as an
 * AppError, so the revision is refused like any other bad one instead of the error escaping the sync.
 */
export function revisionUnreadable(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const err = e as { code?: string; message?: string };
  const why = err.code === 'UnsafeFilepathError' ? 'it names a file outside the repository (a path with "..")' : redactString(err.message ?? String(e));
  return new AppError('GIT_REVISION_UNREADABLE', `This revision of the grants repository could not be read: ${why}.`, {
    cause: e,
    details: { gitCode: err.code, hint: 'Tell your admin; Grantbox keeps using the grants it has.' },
  });
}

export class GitClone {
  readonly gitdir: string;
  private readonly http: HttpClient;
  private readonly subPath: string;
  // isomorphic-git's pack/object cache; shared across calls of one instance for speed.
  private cache: object = {};
  private readonly sizes: ObjectSizes;

  constructor(private readonly options: GitCloneOptions) {
    this.gitdir = gitCloneDir(options.dataDir);
    this.http = withTimeout(options.http ?? (options.network ? networkHttp(options.network) : nodeHttp), options.timeoutMs ?? 30_000);
    this.subPath = (options.subPath ?? '').replace(/^\/+|\/+$/g, '');
    this.sizes = new ObjectSizes(this.gitdir);
  }

  get url(): string {
    return this.options.url;
  }

  /** True when a clone exists on disk (from an earlier run). */
  hasClone(): boolean {
    return fs.existsSync(path.join(this.gitdir, 'HEAD'));
  }

  private async token(): Promise<string | null> {
    if (!this.options.secrets) return null;
    return this.options.secrets.get(gitTokenAccount(this.options.url));
  }

  /** Fetches the branch (cloning on first use) and returns the fetched tip commit. Never touches the active set. */
  async fetchLatest(): Promise<string> {
    const token = await this.token();
    if ((token !== null || urlHasCredentials(this.options.url)) && !tokenTransportSafe(this.options.url)) {
      // The token goes as Basic auth: over http:// anyone on the network path could read and reuse it.
      throw new AppError('GIT_TOKEN_NEEDS_HTTPS', 'Grantbox will not send the grants repository’s access token over an unencrypted (http://) connection.', {
        details: { url: redactUrl(this.options.url), hint: 'Ask your admin to change the grants repository address in the settings to one starting with https://.' },
      });
    }
    const insecure = grantsUrlProblem(this.options.url, this.options.pinned ?? false);
    if (insecure?.severity === 'error') {
      throw new AppError('GRANTS_URL_INSECURE', 'Grantbox will not take grants over a connection that is not encrypted (the grants repository address does not start with https://).', {
        details: { url: redactUrl(this.options.url), hint: 'Ask your admin to change the grants repository address in the settings to one starting with https://.' },
      });
    }
    try {
      if (!this.hasClone()) {
        await fs.promises.mkdir(this.gitdir, { recursive: true });
        await git.init({ fs, gitdir: this.gitdir, bare: true, defaultBranch: 'grants' });
      }
      // force: the settings may have moved the repository to a new address since the clone was made.
      // The clone's config (a plain file) records the address without user:password; the full address, with any
      // credentials the settings carry, is handed to this fetch only.
      await git.addRemote({ fs, gitdir: this.gitdir, remote: 'origin', url: redactUrl(this.options.url), force: true });
      const result = await git.fetch({
        fs: packCheckingFs,
        http: this.http,
        gitdir: this.gitdir,
        remote: 'origin',
        url: this.options.url,
        ...(this.options.branch ? { ref: this.options.branch } : {}),
        remoteRef: this.options.branch,
        singleBranch: true,
        tags: false,
        cache: this.cache,
        // Token as password: GitHub, GitLab and Gitea all accept a personal access token this way.
        ...(token ? { onAuth: () => ({ username: 'x-access-token', password: token }) } : {}),
        onAuthFailure: () => ({ cancel: true }),
      });
      if (!result.fetchHead) {
        throw new AppError('GIT_BRANCH_NOT_FOUND', 'The branch named in the settings does not exist in the grants repository.', {
          details: { url: redactUrl(this.options.url), hint: 'Ask your admin to check the branch in the settings.' },
        });
      }
      await git.writeRef({ fs, gitdir: this.gitdir, ref: FETCH_REF, value: result.fetchHead, force: true });
      return result.fetchHead;
    } catch (e) {
      if (e instanceof AppError && REFUSED_CONTENT_CODES.has(e.code)) throw await this.forgetRefused(e);
      throw toGitError(e, this.options.url, token !== null);
    } finally {
      this.sizes.reset();
    }
  }

  /**
   * isomorphic-git moves the remote-tracking refs before it writes the pack, so a refused pack leaves them naming a
   * commit this clone does not have; the next fetch would then claim to have it. They are put back, and the
   * refused tip is named in the error so it can be recorded as a rejected revision.
   */
  private async forgetRefused(e: AppError): Promise<AppError> {
    let refused: string | undefined;
    const kept = await this.latestFetched();
    for (const branch of await git.listBranches({ fs, gitdir: this.gitdir, remote: 'origin' }).catch(() => [] as string[])) {
      const ref = `refs/remotes/origin/${branch}`;
      const oid = await git.resolveRef({ fs, gitdir: this.gitdir, ref }).catch(() => null);
      if (!oid || (await this.hasCommit(oid))) continue;
      refused ??= oid;
      if (kept) await git.writeRef({ fs, gitdir: this.gitdir, ref, value: kept, force: true }).catch(() => undefined);
      else await git.deleteRef({ fs, gitdir: this.gitdir, ref }).catch(() => undefined);
    }
    this.cache = {};
    return new AppError(e.code, e.message, { cause: e, details: { ...e.details, ...(refused ? { revision: refused } : {}) } });
  }

  /** Whether `tip` descends from `current` (a fast-forward), is one of its ancestors (a rewind), or neither. */
  async lineage(current: string, tip: string): Promise<Lineage> {
    if (current === tip) return 'same';
    if (await git.isDescendent({ fs, gitdir: this.gitdir, oid: tip, ancestor: current, depth: -1, cache: this.cache })) return 'descends';
    if (await git.isDescendent({ fs, gitdir: this.gitdir, oid: current, ancestor: tip, depth: -1, cache: this.cache })) return 'rewind';
    return 'unrelated';
  }

  /** The last fetched tip, or null before the first successful fetch. */
  async latestFetched(): Promise<string | null> {
    try {
      return await git.resolveRef({ fs, gitdir: this.gitdir, ref: FETCH_REF });
    } catch {
      return null;
    }
  }

  /** Resolves a commit id, short id or ref name in the clone. */
  async resolve(ref: string): Promise<string> {
    try {
      if (/^[0-9a-f]{4,40}$/i.test(ref)) {
        return ref.length === 40 ? ref : await git.expandOid({ fs, gitdir: this.gitdir, oid: ref, cache: this.cache });
      }
      return await git.resolveRef({ fs, gitdir: this.gitdir, ref });
    } catch (e) {
      throw new AppError('GIT_REVISION_NOT_FOUND', `The revision "${ref}" is not in the local copy of the grants repository.`, {
        cause: e,
        details: { hint: 'Run "grantbox grants sync" first, or check the commit id.' },
      });
    }
  }

  async hasCommit(oid: string): Promise<boolean> {
    try {
      await git.readCommit({ fs, gitdir: this.gitdir, oid, cache: this.cache });
      return true;
    } catch {
      return false;
    }
  }

  async commitInfo(oid: string): Promise<CommitInfo> {
    const { commit } = await git.readCommit({ fs, gitdir: this.gitdir, oid, cache: this.cache });
    // The signed payload is cut from the raw object here: isomorphic-git's own `payload` is only right for PGP
    // signatures (it duplicates headers for SSH ones), and signature checks need the exact signed bytes.
    const raw = await git.readObject({ fs, gitdir: this.gitdir, oid, format: 'content', cache: this.cache });
    const { payload, signature } = splitSignedCommit(Buffer.from(raw.object as Uint8Array).toString('utf8'));
    return {
      oid,
      date: new Date(commit.committer.timestamp * 1000).toISOString(),
      subject: commit.message.split('\n')[0] ?? '',
      author: commit.author.name,
      ...(signature ? { signature } : {}),
      payload,
    };
  }

  /**
   * The grant files (*.yaml, *.yml) of a revision under the sub-path, read from the object store. Folders whose
   * name starts with "." (.github, .git…) are skipped: they hold CI config, not grants.
   */
  async readFiles(oid: string): Promise<SourceFile[]> {
    const sub = this.subPath;
    const files: SourceFile[] = [];
    // Same bounds as a folder source (read-grant-files.ts): a revision is input we do not control.
    const refuse = (file: string, code: string, message: string): SourceFile => ({
      path: file,
      text: '',
      problem: { file, line: 1, col: 1, path: [], code, severity: 'error', message },
    });
    const decoder = new TextDecoder('utf-8');
    let entries = 0;
    try {
      await git.walk({
      fs,
      gitdir: this.gitdir,
      cache: this.cache,
      trees: [git.TREE({ ref: oid })],
      map: async (filepath, walked) => {
        const entry = walked[0];
        if (!entry || filepath === '.') return true;
        if (++entries > MAX_REVISION_ENTRIES) {
          throw new AppError('GIT_REVISION_TOO_LARGE', `This revision of the grants repository has more than ${MAX_REVISION_ENTRIES} files and folders, far more than grants need.`, {
            details: { limit: MAX_REVISION_ENTRIES, hint: 'Tell your admin: point the grants path at the grants folder, or keep other files out of the repository.' },
          });
        }
        const type = await entry.type();
        const inSub = sub === '' || filepath === sub || filepath.startsWith(`${sub}/`);
        if (type === 'tree') {
          // Descend only into the sub-path or folders on the way to it.
          const onTheWay = sub.startsWith(`${filepath}/`);
          if (!(inSub || onTheWay)) return null;
          if (path.posix.basename(filepath).startsWith('.')) return null;
          return true;
        }
        const base = path.posix.basename(filepath);
        if (type !== 'blob' || !inSub || !/\.ya?ml$/i.test(base) || base.startsWith('.')) return null;
        if (files.length >= MAX_FILES) {
          if (files.length === MAX_FILES) files.push(refuse(sub || '.', 'TOO_MANY_FILES', `more than ${MAX_FILES} grant files in this revision`));
          return null;
        }
        // The size from the object's header: a blob over the limit is never inflated.
        const stated = await this.sizes.size(await entry.oid());
        if (stated !== null && stated > MAX_FILE_BYTES) {
          files.push(refuse(filepath, 'FILE_TOO_LARGE', `this file is ${stated} bytes; grant files are limited to ${MAX_FILE_BYTES} bytes (1 MiB), split it up`));
          return null;
        }
        const content = await entry.content();
        if (!content) return null;
        if (content.byteLength > MAX_FILE_BYTES) {
          files.push(refuse(filepath, 'FILE_TOO_LARGE', `this file is ${content.byteLength} bytes; grant files are limited to ${MAX_FILE_BYTES} bytes (1 MiB), split it up`));
        } else files.push({ path: filepath, text: decoder.decode(content) });
        return null;
      },
      });
    } catch (e) {
      throw revisionUnreadable(e);
    }
    files.sort((a, b) => a.path.localeCompare(b.path));
    return files;
  }
}
