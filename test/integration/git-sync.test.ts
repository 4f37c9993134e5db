// The git grant set against a real smart-HTTP git server: first clone, a pushed valid change is picked up, a pushed
// invalid change is refused (last-known-good stays, with the notice and a session-log record), a restart keeps the
// same revision, server down → the saved copy stated as such, and signed-commit pinning.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GitGrantSource, type GitSourceSettings } from '../../main/services/grants/git-grant-source';
import { GrantStore, type GrantSetChange } from '../../main/services/grants/grant-store';
import type { Settings } from '../../config/schema';
import type { LogRecord, SessionLogWriter } from '../../main/services/audit/types';
import { commitSigned, pgpKey, useGitServer } from '../helpers/git-fixtures';
import { createGrantsRepo, startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server';
import { grantYaml } from '../helpers/grant-yaml';

class MemoryLog implements SessionLogWriter {
  records: LogRecord[] = [];
  async append(record: LogRecord): Promise<void> {
    this.records.push(record);
  }
}

const fixture = useGitServer();
let server: GitHttpServer;
let dataDir: string;
beforeEach(() => ({ server, dataDir } = fixture));

const names = (s: { grants: { grant: { metadata: { name: string } } }[] }) => s.grants.map((g) => g.grant.metadata.name).sort();

describe('GitGrantSource', () => {
  it('clones, picks up a valid change, refuses an invalid one (last-known-good), remembers it across a restart, and states an offline copy', async () => {
    const repo = await createGrantsRepo(server, 'lkg');
    const first = await repo.commit({ 'grants/hr-upload.yaml': grantYaml('hr-upload'), 'README.md': '# grants\n' });
    const settings: GitSourceSettings = { source: 'git', url: repo.url, branch: 'main', path: 'grants' };
    const log = new MemoryLog();
    const src = new GitGrantSource(settings, { dataDir, settingsDir: dataDir, log });

    const cached = await src.openCached();
    expect(cached.grants).toEqual([]);
    expect(cached.notice).toBeUndefined();
    let snap = await src.sync();
    expect(snap.revision).toBe(first);
    expect(snap.notice).toBeUndefined();
    expect(names(snap)).toEqual(['hr-upload']);

    // A valid change is picked up.
    const second = await repo.commit({ 'grants/finance.yaml': grantYaml('finance') }, 'add finance');
    snap = await src.sync();
    expect(snap.revision).toBe(second);
    expect(names(snap)).toEqual(['finance', 'hr-upload']);
    expect(log.records.filter((r) => r.type === 'grants.updated').map((r) => r.revision)).toEqual([first, second]);

    // Server down: the saved copy, stated as such.
    const offline = new GitGrantSource(settings, { dataDir, settingsDir: dataDir, timeoutMs: 2000 });
    await offline.openCached();
    await server.stop();
    try {
      snap = await offline.sync();
      expect(snap.revision).toBe(second);
      expect(names(snap)).toEqual(['finance', 'hr-upload']);
      expect(snap.fetchError?.code).toBe('GIT_UNREACHABLE');
      expect(snap.notice).toMatch(new RegExp(`^Using the saved copy of the grants from .* \\(${second.slice(0, 7)}\\): the grants repository could not be reached\\.$`));
    } finally {
      server = fixture.server = await startGitHttpServer({ root: server.root, port: server.port });
    }

    // An invalid change is refused: the active set stays, staff are told, the log says what was wrong.
    const bad = await repo.commit({ 'grants/finance.yaml': grantYaml('finance', { duration: '99h' }), 'grants/hr-upload.yaml': null }, 'broken');
    snap = await src.sync();
    expect(snap.revision).toBe(second);
    expect(names(snap)).toEqual(['finance', 'hr-upload']);
    expect(snap.notice).toMatch(new RegExp(`^Using grants from \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(${second.slice(0, 7)}\\); a newer version could not be used — your admin has been told\\.$`));
    const rejected = log.records.filter((r) => r.type === 'grants.rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ revision: bad, activeRevision: second, reason: expect.stringMatching(/problem/) });
    expect((rejected[0]!.diagnostics as string[])[0]).toMatch(/^grants\/finance\.yaml:\d+:\d+: error /);
    // The same refused revision is not logged again on the next periodic fetch.
    await src.sync();
    expect(log.records.filter((r) => r.type === 'grants.rejected')).toHaveLength(1);

    // A restart (new process, same data folder) uses the last-known-good revision before any network.
    const restarted = new GitGrantSource(settings, { dataDir, settingsDir: dataDir });
    snap = await restarted.openCached();
    expect(snap.revision).toBe(second);
    expect(names(snap)).toEqual(['finance', 'hr-upload']);
    expect(snap.notice).toMatch(/a newer version could not be used/);

    // The admin fixes it: the fix is picked up and the notice goes away.
    const fixed = new GitGrantSource(settings, { dataDir, settingsDir: dataDir });
    await fixed.openCached();
    const fix = await repo.commit({ 'grants/finance.yaml': grantYaml('finance', { duration: '2h' }) }, 'fix');
    snap = await fixed.sync();
    expect(snap.revision).toBe(fix);
    expect(snap.notice).toBeUndefined();
    expect(names(snap)).toEqual(['finance']);
  });

  it('refuses a revision with no grants at the sub-path rather than taking every grant away', async () => {
    const repo = await createGrantsRepo(server, 'empty');
    await repo.commit({ 'grants/hr-upload.yaml': grantYaml('hr-upload') });
    const src = new GitGrantSource({ source: 'git', url: repo.url, path: 'grants' }, { dataDir, settingsDir: dataDir });
    const ok = (await src.sync()).revision;
    await repo.commit({ 'grants/hr-upload.yaml': null, 'moved/hr-upload.yaml': grantYaml('hr-upload') });
    const snap = await src.sync();
    expect(snap.revision).toBe(ok);
    expect(snap.notice).toMatch(/a newer version could not be used/);
  });

  it('with signedBy, accepts a commit signed by a listed key and refuses an unsigned one', async () => {
    const admin = await pgpKey('admin');
    const repo = await createGrantsRepo(server, 'pinned');
    const signed = await commitSigned(repo, { 'grants/hr-upload.yaml': grantYaml('hr-upload') }, admin.privateKey, 'signed grants');
    await fs.writeFile(path.join(dataDir, 'admin.asc'), admin.publicKey);
    const log = new MemoryLog();
    const src = new GitGrantSource({ source: 'git', url: repo.url, path: 'grants', signedBy: ['admin.asc'] }, { dataDir, settingsDir: dataDir, log });
    let snap = await src.sync();
    expect(snap.revision).toBe(signed);
    expect(snap.notice).toBeUndefined();

    const unsigned = await repo.commit({ 'grants/finance.yaml': grantYaml('finance') }, 'unsigned but valid');
    snap = await src.sync();
    expect(snap.revision).toBe(signed);
    expect(names(snap)).toEqual(['hr-upload']);
    expect(snap.notice).toMatch(/a newer version could not be used/);
    expect(log.records.find((r) => r.type === 'grants.rejected')).toMatchObject({ revision: unsigned, reason: 'signature check failed: the commit is not signed' });

    // Pinning switched on after an unsigned revision was activated: the saved revision is not trusted at start.
    const other = await fs.mkdtemp(path.join(os.tmpdir(), 'grantbox-data-'));
    await new GitGrantSource({ source: 'git', url: repo.url, path: 'grants' }, { dataDir: other, settingsDir: dataDir }).sync();
    const pinned = new GitGrantSource({ source: 'git', url: repo.url, path: 'grants', signedBy: ['admin.asc'] }, { dataDir: other, settingsDir: dataDir });
    expect((await pinned.openCached()).grants).toEqual([]);
    snap = await pinned.sync();
    expect(snap.grants).toEqual([]);
    expect(snap.revision).toBeUndefined();
    expect(snap.notice).toBe(`The grants from the repository (${unsigned.slice(0, 7)}) could not be used — your admin has been told.`);
  });
});

describe('GrantStore with a git source', () => {
  it('reports git status, announces removed grants by name on sync, and resolves from the active revision', async () => {
    const repo = await createGrantsRepo(server, 'store');
    const first = await repo.commit({ 'hr-upload.yaml': grantYaml('hr-upload'), 'finance.yaml': grantYaml('finance') });
    const settings: Settings = { apiVersion: 'grantbox.dev/v1', kind: 'Settings', grants: { source: 'git', url: repo.url, intervalMinutes: 0 } };
    const store = await GrantStore.open(settings, dataDir, { dataDir });
    try {
      expect(store.status()).toMatchObject({ source: 'git', location: repo.url, revision: first, total: 2 });
      const john = { arn: 'arn:aws:iam::123456789012:user/john', account: '123456789012', userName: 'john', accessKeyIdLast4: 'ABCD', verified: true };
      expect(store.resolvedFor('finance', john).durationSeconds).toBe(3600);

      const changes: GrantSetChange[] = [];
      store.onSetChanged((c) => changes.push(c));
      const second = await repo.commit({ 'finance.yaml': null, 'hr-upload.yaml': grantYaml('hr-upload', { duration: '2h' }) });
      const status = await store.sync();
      expect(status).toMatchObject({ revision: second, total: 1 });
      expect(changes).toEqual([expect.objectContaining({ added: [], removed: ['finance'], changed: ['hr-upload'] })]);
      // A changed grant applies at the next resolve (the session manager re-resolves on refresh).
      expect(store.resolvedFor('hr-upload', john).durationSeconds).toBe(7200);
      // Nothing new: no announcement.
      await store.sync();
      expect(changes).toHaveLength(1);

      // A later start uses the saved revision at once: one-shot (live: false) does not fetch; the app fetches in the background.
      const third = await repo.commit({ 'finance.yaml': grantYaml('finance') });
      const before = server.requests;
      const oneShot = await GrantStore.open(settings, dataDir, { dataDir, live: false });
      expect(oneShot.status()).toMatchObject({ revision: second, total: 1 });
      expect(server.requests).toBe(before);
      oneShot.close();
      const app = await GrantStore.open(settings, dataDir, { dataDir });
      const seen: string[] = [];
      app.onChanged((s) => seen.push(s.revision ?? ''));
      expect(app.status().revision).toBe(second);
      const end = Date.now() + 10_000;
      while (!seen.includes(third) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(app.status()).toMatchObject({ revision: third, total: 2 });
      app.close();
    } finally {
      store.close();
    }
  });
});
