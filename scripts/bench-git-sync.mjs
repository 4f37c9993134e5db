// Benchmark (not a test): a grants repository of 1,000 grant files on the loopback git server (git http-backend,
// test/helpers/git-http-server.ts), synced the way a staff machine does it (isomorphic-git, no git binary in the
// product path). Times: first clone + validate (empty data folder), fetch + validate after one changed grant,
// a fetch with nothing new, and a restart from the saved revision (no network).
// Usage: node scripts/bench-git-sync.mjs [--files N] [--rounds N]
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) || dflt : dflt);
const count = arg('--files', 1000);
const rounds = arg('--rounds', 3);

const load = (rel) => tsImport(path.join(root, rel), import.meta.url);
const { startGitHttpServer, createGrantsRepo, git } = await load('test/helpers/git-http-server.ts');
const { GitGrantSource } = await load('main/services/grants/git-grant-source.ts');

function grant(i, duration = '1h') {
  const team = `team-${String(i).padStart(4, '0')}`;
  return `apiVersion: grantbox.dev/v1
kind: Grant
metadata:
  name: ${team}-upload
  title: Uploads for ${team}
  contact: helpdesk@company1.example
spec:
  subjects:
    - arn:aws:iam::629470240201:user/user-${i}
    - arn:aws:iam::629470240201:role/${team}-admins
  role:
    arn: arn:aws:iam::629470240201:role/UploadRole
    duration: ${duration}
  target:
    region: us-east-1
    bucket: company1-uploads
    prefix: "${team}/{user}/"
  permissions: [list, upload]
  upload:
    maxFileSize: 5GiB
    onConflict: ask
`;
}

const time = async (fn) => {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const tmp = await mkdtemp(path.join(os.tmpdir(), 'grantbox-bench-git-'));
await mkdir(path.join(tmp, 'srv'), { recursive: true });
const server = await startGitHttpServer({ root: path.join(tmp, 'srv') });
try {
  const repo = await createGrantsRepo(server, 'bench');
  const files = {};
  for (let i = 0; i < count; i += 1) files[`grants/team-${String(i).padStart(4, '0')}.yaml`] = grant(i);
  await repo.commit(files, `${count} grants`);
  const packBytes = Number((await git(repo.bare, 'count-objects', '-v')).match(/size-pack: (\d+)/)?.[1] ?? 0) * 1024;

  const settings = { source: 'git', url: repo.url, path: 'grants', intervalMinutes: 0 };
  const clone = [];
  const change = [];
  const noop = [];
  const restart = [];
  for (let r = 0; r < rounds; r += 1) {
    const dataDir = path.join(tmp, `data-${r}`);
    const src = new GitGrantSource(settings, { dataDir, settingsDir: tmp });
    const first = await time(() => src.sync());
    if (first.value.grants.length !== count || first.value.notice) throw new Error(`clone: expected ${count} grants, got ${first.value.grants.length} (${first.value.notice})`);
    clone.push(first.ms);

    await writeFile(path.join(repo.work, 'grants', 'team-0000.yaml'), grant(0, `${2 + r}h`));
    const head = await repo.commit({}, `raise team-0000 to ${2 + r}h`);
    const next = await time(() => src.sync());
    if (next.value.revision !== head) throw new Error('fetch: the change was not picked up');
    change.push(next.ms);

    noop.push((await time(() => src.sync())).ms);

    const again = new GitGrantSource(settings, { dataDir, settingsDir: tmp });
    const reopened = await time(() => again.openCached());
    if (reopened.value.revision !== head || reopened.value.grants.length !== count) throw new Error('restart: wrong revision');
    restart.push(reopened.ms);
  }
  const f = (xs) => `${median(xs).toFixed(0)} ms (median of ${xs.length}; ${xs.map((x) => x.toFixed(0)).join(', ')})`;
  console.log(`grants repository: ${count} grant files, pack ${(packBytes / 1024).toFixed(0)} KiB, loopback git http-backend`);
  console.log(`first clone + validate:          ${f(clone)}`);
  console.log(`fetch + validate after 1 change: ${f(change)}`);
  console.log(`fetch, nothing new:              ${f(noop)}`);
  console.log(`restart from saved revision:     ${f(restart)}`);
} finally {
  await server.stop();
  await rm(tmp, { recursive: true, force: true });
}
