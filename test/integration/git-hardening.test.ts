// Hostile and rewound grants repositories against a real smart-HTTP git server (git http-backend): a rewind or
// unrelated history is a rejected revision (rollback protection) until an admin resets; a tree entry named ".."
// and an oversized blob are rejected revisions too (record, notice, last good set kept), never an escaping error
// or a 100+ MiB sync; `grantbox grants sync` records what it refuses in the session log.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { GitGrantSource, type GitSourceSettings } from '../../main/services/grants/git-grant-source';
import type { LogRecord, SessionLogWriter } from '../../main/services/audit/types';
import { createGrantsRepo, git, startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server';
import { commitSigned, pgpKey } from '../helpers/git-fixtures';
import { grantYaml } from '../helpers/grant-yaml';
import { runCli } from '../helpers/run-cli';

class MemoryLog implements SessionLogWriter {
  records: LogRecord[] = [];
  async append(record: LogRecord): Promise<void> {
    this.records.push(record);
  }
}

let server: GitHttpServer;
let dataDir: string;
beforeAll(async () => {
  server = await startGitHttpServer();
});
afterAll(async () => {
  await server.stop();
});
beforeEach(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'grantbox-harden-'));
});

const names = (s: { grants: { grant: { metadata: { name: string } } }[] }) => s.grants.map((g) => g.grant.metadata.name).sort();
const rejected = (log: MemoryLog) => log.records.filter((r) => r.type === 'grants.rejected');

async function forcePush(work: string, branch = 'main'): Promise<string> {
  await git(work, 'push', '-q', '-f', 'origin', `HEAD:refs/heads/${branch}`);
  return git(work, 'rev-parse', 'HEAD');
}

describe('rollback protection', () => {
  it('refuses a rewind to an older revision and unrelated history, names them, and takes a new start only after grants reset', async () => {
    const repo = await createGrantsRepo(server, 'rewind');
    const withFinance = await repo.commit({ 'grants/hr-upload.yaml': grantYaml('hr-upload'), 'grants/finance.yaml': grantYaml('finance') }, 'both');
    const removed = await repo.commit({ 'grants/finance.yaml': null }, 'remove finance');
    const settings: GitSourceSettings = { source: 'git', url: repo.url, branch: 'main', path: 'grants' };
    const log = new MemoryLog();
    const src = new GitGrantSource(settings, { dataDir, settingsDir: dataDir, log });
    let snap = await src.sync();
    expect(snap.revision).toBe(removed);
    expect(names(snap)).toEqual(['hr-upload']);

    // The server (or anyone in between) serves the older revision that still had the removed grant.
    await git(repo.work, 'reset', '-q', '--hard', withFinance);
    expect(await forcePush(repo.work)).toBe(withFinance);
    snap = await src.sync();
    expect(snap.revision).toBe(removed);
    expect(names(snap)).toEqual(['hr-upload']);
    expect(snap.notice).toBe(
      `Using grants from ${snap.committedAt!.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC')} (${removed.slice(0, 7)}); the repository went back to an older version (${withFinance.slice(0, 7)}), which was not used — your admin has been told.`,
    );
    expect(rejected(log)).toEqual([
      expect.objectContaining({ revision: withFinance, kind: 'rewind', activeRevision: removed, reason: `rewind: ${withFinance.slice(0, 7)} is an older revision than the one in use (${removed.slice(0, 7)})` }),
    ]);

    // Unrelated history (a different repository behind the same address, or a rewritten one).
    await git(repo.work, 'checkout', '-q', '--orphan', 'other');
    await fs.writeFile(path.join(repo.work, 'grants', 'finance.yaml'), grantYaml('finance'));
    await git(repo.work, 'add', '-A');
    await git(repo.work, 'commit', '-q', '-m', 'rewritten');
    const orphan = await forcePush(repo.work);
    snap = await src.sync();
    expect(snap.revision).toBe(removed);
    expect(snap.notice).toMatch(new RegExp(`the repository now holds a different history \\(${orphan.slice(0, 7)}\\), which was not used`));
    expect(rejected(log).at(-1)).toMatchObject({ revision: orphan, kind: 'unrelated' });

    // A restart keeps refusing it (state is on disk), and `grants status` names it.
    await fs.writeFile(path.join(dataDir, 'settings.yaml'), `apiVersion: grantbox.dev/v1\nkind: Settings\ngrants:\n  source: git\n  url: ${repo.url}\n  branch: main\n  path: grants\n  intervalMinutes: 0\n`);
    vi.stubEnv('GRANTBOX_SETTINGS', path.join(dataDir, 'settings.yaml'));
    const cli = (args: string[]) => runCli(args, { deps: { dataDir: () => dataDir } });
    try {
      let r = await cli(['grants', 'status']);
      expect(r.out).toContain('now holds a different history');
      expect(r.out).not.toContain('a newer version');

      // The admin's deliberate reset takes the fetched tip as a new start (still validated), and logs it.
      r = await cli(['grants', 'reset']);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Forgot the revision in use (${removed.slice(0, 7)})`);
      expect(r.out).toContain(`revision:  ${orphan.slice(0, 7)}`);
      const lines = (await fs.readFile(path.join(dataDir, 'logs', 'session.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as LogRecord);
      expect(lines.map((l) => l.type)).toEqual(expect.arrayContaining(['grants.reset', 'grants.updated']));
      expect(lines.find((l) => l.type === 'grants.reset')).toMatchObject({ previous: removed });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('rollback protection with signed commits', () => {
  it('an older revision with a valid signature is still refused: it does not descend from the one in use', async () => {
    const admin = await pgpKey('admin');
    await fs.writeFile(path.join(dataDir, 'admin.asc'), admin.publicKey);
    const repo = await createGrantsRepo(server, 'signed-rewind');
    const withFinance = await commitSigned(repo, { 'grants/hr-upload.yaml': grantYaml('hr-upload'), 'grants/finance.yaml': grantYaml('finance') }, admin.privateKey, 'both');
    await git(repo.work, 'rm', '-q', 'grants/finance.yaml');
    const removed = await commitSigned(repo, {}, admin.privateKey, 'remove finance');
    const log = new MemoryLog();
    const src = new GitGrantSource({ source: 'git', url: repo.url, branch: 'main', path: 'grants', signedBy: ['admin.asc'] }, { dataDir, settingsDir: dataDir, log });
    expect((await src.sync()).revision).toBe(removed);

    // Replaying the older, properly signed revision would bring the removed grant back.
    await git(repo.work, 'reset', '-q', '--hard', withFinance);
    await forcePush(repo.work);
    const snap = await src.sync();
    expect(snap.revision).toBe(removed);
    expect(names(snap)).toEqual(['hr-upload']);
    expect(rejected(log)).toEqual([expect.objectContaining({ revision: withFinance, kind: 'rewind' })]);
  });
});

describe('hostile revisions are rejected revisions', () => {
  it('a tree entry named ".." is recorded as rejected (notice, log), never thrown, and the last good set stays', async () => {
    const repo = await createGrantsRepo(server, 'dotdot');
    const good = await repo.commit({ 'grants/hr-upload.yaml': grantYaml('hr-upload') });
    const log = new MemoryLog();
    const src = new GitGrantSource({ source: 'git', url: repo.url, branch: 'main', path: 'grants' }, { dataDir, settingsDir: dataDir, log });
    expect((await src.sync()).revision).toBe(good);

    // git itself refuses to check out such a tree, but will store and serve it.
    await fs.writeFile(path.join(repo.work, 'x.yaml'), grantYaml('finance'));
    const blob = await git(repo.work, 'hash-object', '-w', 'x.yaml');
    const sub = await execMktree(repo.work, `100644 blob ${blob}\t..\n100644 blob ${blob}\tfinance.yaml\n`);
    const root = await execMktree(repo.work, `040000 tree ${sub}\tgrants\n`);
    const commit = await git(repo.work, 'commit-tree', root, '-p', good, '-m', 'hostile');
    await git(repo.work, 'update-ref', 'refs/heads/main', commit);
    await repo.push();

    const snap = await src.sync();
    expect(snap.revision).toBe(good);
    expect(names(snap)).toEqual(['hr-upload']);
    expect(snap.notice).toMatch(/a newer version could not be used — your admin has been told/);
    expect(rejected(log)).toEqual([
      expect.objectContaining({ revision: commit, kind: 'invalid', reason: expect.stringMatching(/^the revision could not be read: .*outside the repository/) }),
    ]);
  });

  it('a blob over the object limit is refused from its pack header: the update is rejected without inflating it', async () => {
    const repo = await createGrantsRepo(server, 'bomb');
    const good = await repo.commit({ 'grants/hr-upload.yaml': grantYaml('hr-upload') });
    const log = new MemoryLog();
    const src = new GitGrantSource({ source: 'git', url: repo.url, branch: 'main', path: 'grants' }, { dataDir, settingsDir: dataDir, log });
    expect((await src.sync()).revision).toBe(good);

    // 128 MiB of zeros packs to well under 1 MB.
    const big = path.join(repo.work, 'grants', 'zeros.yaml');
    const fh = await fs.open(big, 'w');
    await fh.truncate(128 * 1024 * 1024);
    await fh.close();
    const bomb = await repo.commit({}, 'zeros');

    let peak = 0;
    const base = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - base)), 5);
    const snap = await src.sync();
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss - base);

    expect(snap.revision).toBe(good);
    expect(names(snap)).toEqual(['hr-upload']);
    expect(snap.fetchError).toBeUndefined();
    expect(rejected(log)).toEqual([expect.objectContaining({ revision: bomb, reason: expect.stringMatching(/a blob of 134217728 bytes, over the 8 MiB/) })]);
    // Inflating it would cost at least its 128 MiB.
    expect(peak).toBeLessThan(64 * 1024 * 1024);
    // The refused tip is not left behind as a remote ref naming a missing commit: the next fetch asks for the
    // history again, and (the blob still being in it) the new tip is the one refused.
    await fs.rm(big);
    const after = await repo.commit({ 'grants/finance.yaml': grantYaml('finance') }, 'drop zeros, add finance');
    const next = await src.sync();
    expect(next.revision).toBe(good);
    expect(rejected(log).map((r) => r.revision)).toEqual([bomb, after]);
    // Once the admin rewrites the blob out of history, a reset takes the clean tip.
    await git(repo.work, 'reset', '-q', '--hard', good);
    await fs.writeFile(path.join(repo.work, 'grants', 'finance.yaml'), grantYaml('finance'));
    await git(repo.work, 'add', '-A');
    await git(repo.work, 'commit', '-q', '-m', 'finance, without the zeros');
    const clean = await forcePush(repo.work);
    expect((await src.sync()).revision).toBe(clean);
    expect(names(await src.sync())).toEqual(['finance', 'hr-upload']);
  }, 60_000);

  it('a grant file over 1 MiB but within the object limit is reported from its header, never inflated', async () => {
    const repo = await createGrantsRepo(server, 'large-file');
    await repo.commit({ 'grants/hr-upload.yaml': grantYaml('hr-upload'), 'grants/huge.yaml': `# ${'x'.repeat(3 * 1024 * 1024)}\n` });
    const src = new GitGrantSource({ source: 'git', url: repo.url, branch: 'main', path: 'grants' }, { dataDir, settingsDir: dataDir });
    await src.git.fetchLatest();
    const tip = (await src.git.latestFetched())!;
    const pako = createRequire(require.resolve('isomorphic-git'))('pako') as { inflate: (b: Uint8Array) => Uint8Array };
    const inflated: number[] = [];
    const original = pako.inflate;
    pako.inflate = (b: Uint8Array) => {
      const out = original(b);
      inflated.push(out.byteLength);
      return out;
    };
    try {
      const files = await src.git.readFiles(tip);
      expect(files.find((f) => f.path === 'grants/huge.yaml')?.problem).toMatchObject({ code: 'FILE_TOO_LARGE', message: expect.stringMatching(/^this file is 3145731 bytes/) });
      expect(files.find((f) => f.path === 'grants/hr-upload.yaml')?.text).toContain('hr-upload');
      expect(inflated.length).toBeGreaterThan(0);
      expect(Math.max(...inflated)).toBeLessThan(1024 * 1024);
    } finally {
      pako.inflate = original;
    }
  });
});

describe('grantbox grants sync', () => {
  it('writes the grants.rejected record to the session log, as the app does', async () => {
    const repo = await createGrantsRepo(server, 'cli-log');
    await repo.commit({ 'grants/hr-upload.yaml': grantYaml('hr-upload') });
    await fs.writeFile(path.join(dataDir, 'settings.yaml'), `apiVersion: grantbox.dev/v1\nkind: Settings\ngrants:\n  source: git\n  url: ${repo.url}\n  path: grants\n  intervalMinutes: 0\n`);
    vi.stubEnv('GRANTBOX_SETTINGS', path.join(dataDir, 'settings.yaml'));
    const cli = (args: string[]) => runCli(args, { deps: { dataDir: () => dataDir } });
    try {
      expect((await cli(['grants', 'sync'])).code).toBe(0);
      const bad = await repo.commit({ 'grants/broken.yaml': 'kind: Grant\n' }, 'broken');
      const r = await cli(['grants', 'sync']);
      expect(r.code).toBe(1);
      const lines = (await fs.readFile(path.join(dataDir, 'logs', 'session.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as LogRecord);
      expect(lines.filter((l) => l.type === 'grants.rejected')).toEqual([expect.objectContaining({ revision: bad, reason: expect.stringMatching(/problem/) })]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

async function execMktree(cwd: string, input: string): Promise<string> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['mktree'], { cwd });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`git mktree exited ${code}`))));
    child.stdin.end(input);
  });
}
