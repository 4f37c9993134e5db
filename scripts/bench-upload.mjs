#!/usr/bin/env node
// `npm run bench:upload` — Grantbox's upload engine against `aws s3 cp` on the same files and the same local
// backends: moto_server (what the tests use, a Python S3 stand-in) and s3rver (a faster Node one). Workloads: one
// 256 MiB file, 500 files of 20 KiB (aws: --recursive), and a 1 GiB file for Grantbox's peak RSS.
// Each client runs in its own process under scripts/bench/measure.py (wall time, user+sys CPU, peak RSS measured
// identically for both); Grantbox's process also reports its event loop's p99 delay while uploading.
// Not a test: it prints numbers. Options: --runs N (median of N, default 1), --no-1g, --only moto|s3rver, --small (only
// the small files). The server's own CPU time per run (Linux /proc) shows when the server, not the client, is the limit.
//
// WAN mode: --rtt MS puts the latency rig (test/helpers/latency-proxy.ts, in its own process) between every client
// and the server — MS/2 one way each direction, --bw MiB/s to cap bandwidth, --window KiB per connection (default
// 4096) — and switches the workloads to 2,000 × 20 KiB and one 1 GiB file (--files N, --large-mib N change them).
// rclone (`apt-get install rclone`) is a second baseline when installed, with its defaults; skipped with a note if
// not. Large files also run `aws s3 cp --checksum-algorithm SHA256` (row aws-sha256): the same per-part integrity as
// Grantbox's, the like-for-like baseline for CPU per GiB. The rig counts TCP connections per client run (keep-alive
// at work). --engine DIR bundles the upload runner
// from another checkout (A/B against an older engine, same files, same run). --trace FILE writes the adaptive
// controller's limit over time for each Grantbox run. --no-rclone skips that baseline.
//
// The servers and the rig stand for machines on the far side of a network, yet share this machine's cores with the
// client being measured: they run under `nice -n 10` (--no-nice to switch off), so a client is not slowed by the
// server it is waiting for. The same for every client.
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) > 0 && args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 1;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const smallOnly = args.includes('--small');
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const rtt = opt('--rtt') !== undefined ? Number(opt('--rtt')) : undefined;
const bwMiB = Number(opt('--bw') ?? 0);
const windowKiB = Number(opt('--window') ?? 4096);
const engineRoot = opt('--engine') ? path.resolve(opt('--engine')) : undefined;
const traceFile = opt('--trace');
const smallCount = Number(opt('--files') ?? (rtt !== undefined ? 2000 : 500));
const largeMiB = Number(opt('--large-mib') ?? (rtt !== undefined ? 1024 : 256));
const withGiB = !args.includes('--no-1g') && !smallOnly && rtt === undefined;
const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const niceRemote = !args.includes('--no-nice');

/** Starts a server or the rig: the far side of the network, at a lower CPU priority than the clients. */
function spawnRemote(cmd, cmdArgs, options) {
  return niceRemote ? spawn('nice', ['-n', '10', cmd, ...cmdArgs], options) : spawn(cmd, cmdArgs, options);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-bench-'));
const children = [];
const cleanup = () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function writeRandomFile(file, bytes) {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.allocUnsafe(Math.min(bytes, 8 * MIB));
  for (let done = 0; done < bytes; ) {
    const n = Math.min(chunk.length, bytes - done);
    randomFillSync(chunk, 0, n);
    fs.writeSync(fd, chunk, 0, n);
    done += n;
  }
  fs.closeSync(fd);
}

async function waitHttp(url, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

/** The latency rig in front of `backend`: same interface, endpoint through the proxy. */
async function behindLatency(backend) {
  const bundle = path.join(root, 'node_modules/.cache/grantbox-bench/latency-proxy.cjs');
  await build({ entryPoints: [path.join(root, 'scripts/bench/latency-proxy-child.ts')], outfile: bundle, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'warning' });
  const targetPort = new URL(backend.endpoint).port;
  const child = spawnRemote(process.execPath, [bundle, targetPort, String(rtt / 2), String(bwMiB * MIB), String(windowKiB * 1024)], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  const waiters = [];
  child.stdout.on('data', (d) => {
    out += d;
    let nl;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (waiters.length && (line.startsWith('PORT') || line.startsWith('STATS'))) waiters.shift()(line);
    }
  });
  const next = () => new Promise((resolve) => waiters.push(resolve));
  const port = Number((await next()).split(' ')[1]);
  const stats = async () => {
    const p = next();
    child.stdin.write('stats\n');
    return JSON.parse((await p).slice(6));
  };
  return {
    ...backend,
    name: `${backend.name}+${rtt}ms`,
    endpoint: `http://127.0.0.1:${port}`,
    proxyPid: child.pid,
    stats,
    stop: () => {
      child.kill('SIGTERM');
      backend.stop();
    },
  };
}

async function startMotoBackend() {
  const port = await freePort();
  const child = spawnRemote(process.env.MOTO_SERVER ?? 'moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: '0' },
    stdio: 'ignore',
  });
  children.push(child);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitHttp(`${endpoint}/moto-api/`, 20_000);
  // Dummy credentials, like the s3rver run: the benchmark measures transfer, not moto's SigV4 checks.
  await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: 'inf', headers: { 'content-type': 'text/plain' } });
  const reset = async () => {
    await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: 'inf', headers: { 'content-type': 'text/plain' } });
    const r = await fetch(`${endpoint}/bench`, { method: 'PUT' });
    if (!r.ok) throw new Error(`moto: create bucket answered ${r.status}`);
  };
  await reset();
  return { name: 'moto', endpoint, reset, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

async function startS3rverBackend() {
  const dir = path.join(tmp, 's3rver-data');
  fs.mkdirSync(dir);
  const child = spawnRemote(process.execPath, [path.join(root, 'scripts/bench/s3rver-child.mjs'), dir], { stdio: ['ignore', 'pipe', 'inherit'], cwd: root });
  children.push(child);
  const port = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code})`)));
  });
  const reset = async () => {
    // s3rver keeps objects on disk: empty the bucket's folder between runs so disk use stays bounded.
    for (const e of fs.readdirSync(path.join(dir, 'bench'), { withFileTypes: true })) fs.rmSync(path.join(dir, 'bench', e.name), { recursive: true, force: true });
  };
  return { name: 's3rver', endpoint: `http://127.0.0.1:${port}`, reset, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

/** CPU seconds (user+sys) a process has used so far; NaN where /proc is not there. */
function cpuOf(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return NaN;
  }
}

/** Runs `fn` and adds the server's CPU seconds used meanwhile (srvCpu). */
function withServerCpu(backend, fn) {
  const before = cpuOf(backend.pid);
  const m = fn();
  return { ...m, srvCpu: cpuOf(backend.pid) - before };
}

function measure(cmd, env) {
  const r = spawnSync('python3', [path.join(root, 'scripts/bench/measure.py'), ...cmd], { env, encoding: 'utf8', maxBuffer: 64 * MIB });
  if (r.status !== 0) throw new Error(`measure.py failed: ${r.stderr}`);
  const m = JSON.parse(r.stdout.trim().split('\n').pop());
  if (m.code !== 0) throw new Error(`${cmd.slice(0, 3).join(' ')} … exited ${m.code}: ${m.stderr || m.stdout}`);
  return m;
}

const clientEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: path.join(tmp, 'aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'aws-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
};

const traces = [];

function runGrantbox(runner, backend, prefix, paths, label, env = clientEnv) {
  // GB_NODE_ARGS: extra node flags for the runner only (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const nodeArgs = process.env.GB_NODE_ARGS ? process.env.GB_NODE_ARGS.split(' ').filter(Boolean) : [];
  const m = measure([process.execPath, ...nodeArgs, runner, backend.endpoint, 'bench', prefix, ...paths], env);
  const out = JSON.parse(m.stdout.trim().split('\n').pop());
  if (out.done !== out.files) throw new Error(`grantbox: ${out.files - out.done} of ${out.files} files not uploaded: ${JSON.stringify(out.failed)}`);
  if (out.logRecords !== out.files) throw new Error(`grantbox: ${out.logRecords} session-log records for ${out.files} files`);
  if (out.concurrency) traces.push({ run: label, seconds: out.seconds, ...out.concurrency });
  return { ...m, loopP99Ms: out.loopP99Ms, loopMaxMs: out.loopMaxMs, loopBusy: out.loopBusy, events: out.events, eventsPerSec: out.events / out.seconds, receipts: out.receipts };
}

function rcloneAvailable() {
  return spawnSync('rclone', ['version'], { encoding: 'utf8' }).status === 0;
}

function runRclone(backend, prefix, source) {
  // An on-the-fly remote: no rclone config is read or written. rclone's own defaults otherwise (4 transfers).
  const remote = `:s3,provider=Other,endpoint='${backend.endpoint}',access_key_id=S3RVER,secret_access_key=S3RVER,region=us-east-1,force_path_style=true,no_check_bucket=true:bench/${prefix}`;
  // rclone 1.60 refuses AWS_CA_BUNDLE with its own HTTP transport ("unsupported transport"); the rig is plain HTTP.
  const { AWS_CA_BUNDLE: _unused, ...env } = clientEnv;
  return measure(['rclone', 'copy', '--config', path.join(tmp, 'rclone.conf'), source, remote], env);
}

/** Runs `fn` and adds the TCP connections the latency rig saw meanwhile. */
async function withConnections(backend, fn) {
  if (!backend.stats) return fn();
  const before = await backend.stats();
  const m = fn();
  const after = await backend.stats();
  return { ...m, connections: after.connections - before.connections, requests: after.requests - before.requests };
}

function runAws(backend, prefix, source, recursive, extra = []) {
  const dest = `s3://bench/${prefix}${recursive ? '' : path.basename(source)}`;
  return measure(['aws', 's3', 'cp', ...(recursive ? ['--recursive'] : []), ...extra, '--only-show-errors', '--endpoint-url', backend.endpoint, source, dest], clientEnv);
}

/** Each number is the median of the runs (wall, CPU, RSS, event loop, server CPU each on its own). */
function median(list) {
  const mid = (xs) => {
    const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
    if (!v.length) return NaN;
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const out = { ...list[0] };
  for (const k of Object.keys(out)) if (typeof out[k] === 'number') out[k] = mid(list.map((m) => m[k]));
  return out;
}

const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '–');

async function main() {
  fs.writeFileSync(clientEnv.AWS_CONFIG_FILE, '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n');
  fs.writeFileSync(clientEnv.AWS_SHARED_CREDENTIALS_FILE, '[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n');
  const awsVersion = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  if (awsVersion.status !== 0) throw new Error('`aws` (awscli) is not installed; the benchmark compares against it.');

  process.stderr.write('bench: bundling the upload runner…\n');
  // Per checkout: node_modules may be shared between worktrees, and another checkout's bench must not swap the engine.
  const runner = path.join(root, `node_modules/.cache/grantbox-bench-${path.basename(root)}/upload-runner.cjs`);
  const runnerRoot = engineRoot ?? root;
  await build({ entryPoints: [path.join(runnerRoot, 'scripts/bench/upload-runner.ts')], outfile: runner, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', nodePaths: [path.join(root, 'node_modules')], logLevel: 'warning' });
  const withRclone = !args.includes('--no-rclone') && rcloneAvailable();
  fs.writeFileSync(path.join(tmp, 'rclone.conf'), '');

  process.stderr.write('bench: writing test files…\n');
  const large = path.join(tmp, `large-${largeMiB}MiB.bin`);
  if (!smallOnly) writeRandomFile(large, largeMiB * MIB);
  const smallDir = path.join(tmp, 'small');
  fs.mkdirSync(smallDir);
  for (let i = 0; i < smallCount; i++) writeRandomFile(path.join(smallDir, `f${String(i).padStart(4, '0')}.bin`), 20 * 1024);

  const backends = [];
  if (!only || only === 'moto') backends.push(await startMotoBackend());
  if (!only || only === 's3rver') backends.push(await startS3rverBackend());
  if (rtt !== undefined) for (let i = 0; i < backends.length; i++) backends[i] = await behindLatency(backends[i]);

  const rows = [];
  for (const backend of backends) {
    for (const w of [
      ...(smallOnly ? [] : [{ name: `1 × ${largeMiB >= 1024 ? `${largeMiB / 1024} GiB` : `${largeMiB} MiB`}`, bytes: largeMiB * MIB, files: 1, gb: () => [large], aws: () => [large, false] }]),
      { name: `${smallCount.toLocaleString('en')} × 20 KiB`, bytes: smallCount * 20 * 1024, files: smallCount, gb: () => [smallDir], aws: () => [smallDir, true] },
    ]) {
      const g = [];
      const a = [];
      const rc = [];
      const noHash = [];
      const awsSha = [];
      for (let r = 0; r < runs; r++) {
        await backend.reset();
        process.stderr.write(`bench: ${backend.name} ${w.name} grantbox (run ${r + 1})…\n`);
        g.push(await withConnections(backend, () => withServerCpu(backend, () => runGrantbox(runner, backend, `gb${r}/`, w.gb(), `${backend.name} ${w.name} run ${r + 1}`))));
        if (w.files === 1 && !engineRoot) {
          // The whole-file SHA-256's cost: the same engine and file with it switched off, right after.
          await backend.reset();
          process.stderr.write(`bench: ${backend.name} ${w.name} grantbox without the whole-file SHA-256 (run ${r + 1})…\n`);
          noHash.push(await withServerCpu(backend, () => runGrantbox(runner, backend, `nohash${r}/`, w.gb(), `${backend.name} ${w.name} no-hash run ${r + 1}`, { ...clientEnv, GB_WHOLE_FILE_CHECKSUM: '0' })));
        }
        await backend.reset();
        process.stderr.write(`bench: ${backend.name} ${w.name} aws s3 cp (run ${r + 1})…\n`);
        const [src, rec] = w.aws();
        a.push(await withConnections(backend, () => withServerCpu(backend, () => runAws(backend, `aws${r}/`, src, rec))));
        if (w.files === 1) {
          // The same integrity as Grantbox's parts (a SHA-256 per part, which S3 verifies) instead of aws's default
          // CRC32: the fair baseline for CPU per GiB. Grantbox still hashes once more (the receipt's whole-file digest).
          await backend.reset();
          process.stderr.write(`bench: ${backend.name} ${w.name} aws s3 cp --checksum-algorithm SHA256 (run ${r + 1})…\n`);
          awsSha.push(await withConnections(backend, () => withServerCpu(backend, () => runAws(backend, `awssha${r}/`, src, rec, ['--checksum-algorithm', 'SHA256']))));
        }
        if (withRclone) {
          await backend.reset();
          process.stderr.write(`bench: ${backend.name} ${w.name} rclone copy (run ${r + 1})…\n`);
          rc.push(await withConnections(backend, () => withServerCpu(backend, () => runRclone(backend, `rclone${r}/`, src))));
        }
      }
      rows.push({ backend: backend.name, workload: w.name, bytes: w.bytes, files: w.files, gb: median(g), aws: median(a), ...(rc.length ? { rclone: median(rc) } : {}), ...(noHash.length ? { noHash: median(noHash) } : {}), ...(awsSha.length ? { awsSha: median(awsSha) } : {}) });
    }
  }

  let gib;
  if (withGiB && backends.some((b) => b.name === 's3rver')) {
    const b = backends.find((x) => x.name === 's3rver');
    const huge = path.join(tmp, 'huge-1GiB.bin');
    fs.rmSync(large, { force: true });
    writeRandomFile(huge, GIB);
    await b.reset();
    process.stderr.write('bench: s3rver 1 × 1 GiB grantbox (peak RSS)…\n');
    gib = runGrantbox(runner, b, 'gib/', [huge]);
    await b.reset();
  }
  for (const b of backends) b.stop();

  // The event-loop numbers' noise floor: an idle Node process on this machine, right now (shared CPUs show up here).
  const idle = spawnSync(
    process.execPath,
    ['-e', "const h=require('perf_hooks').monitorEventLoopDelay({resolution:5});h.enable();setTimeout(()=>{h.disable();console.log(JSON.stringify({p99:h.percentile(99)/1e6,max:h.max/1e6}))},3000)"],
    { encoding: 'utf8' },
  );
  const floor = JSON.parse(idle.stdout.trim() || '{}');

  const lines = [];
  lines.push(`Upload benchmark — ${new Date().toISOString()} — ${os.cpus().length} cores, Node ${process.version}, ${awsVersion.stdout.trim() || awsVersion.stderr.trim()}`);
  lines.push('wall = process start to exit (aws includes its ≈1 s start-up); CPU = user+sys of the uploading process; loop busy = share of the time the uploader\'s main thread was busy (event-loop utilization); srv CPU = the server\'s meanwhile; median of ' + runs + (niceRemote ? '; servers and rig at nice 10' : ''));
  lines.push('');
  lines.push(
    ['backend', 'workload', 'client', 'wall s', 'MiB/s', 'files/s', '× aws', 'CPU s', 'CPU s/GiB', 'CPU × aws', 'RSS MiB', 'loop p99 ms', 'loop busy', 'srv CPU s', 'TCP conns'].map((h, i) => (i < 3 ? h.padEnd(i === 1 ? 14 : i === 0 ? 12 : 10) : h.padStart(10))).join(' '),
  );
  for (const r of rows) {
    for (const [label, m] of [
      ['grantbox', r.gb],
      ['aws', r.aws],
      ...(r.awsSha ? [['aws-sha256', r.awsSha]] : []),
      ...(r.rclone ? [['rclone', r.rclone]] : []),
    ]) {
      const cpu = m.user + m.sys;
      const perGiB = cpu / (r.bytes / GIB);
      const awsCpu = r.aws.user + r.aws.sys;
      lines.push(
        [
          r.backend.padEnd(12),
          r.workload.padEnd(14),
          label.padEnd(10),
          fmt(m.wall),
          fmt(r.bytes / MIB / m.wall, 1),
          fmt(r.files / m.wall, 1),
          label === 'aws' ? '1.00' : fmt(r.aws.wall / m.wall),
          fmt(cpu),
          fmt(perGiB, 1),
          label === 'aws' ? '1.00' : fmt(cpu / awsCpu),
          fmt(m.maxrssMiB, 0),
          m.loopP99Ms !== undefined ? fmt(m.loopP99Ms, 1) : '–',
          m.loopBusy !== undefined ? `${fmt(m.loopBusy * 100, 0)} %` : '–',
          fmt(m.srvCpu),
          m.connections !== undefined ? String(m.connections) : '–',
        ]
          .map((v, i) => (i < 3 ? v : String(v).padStart(10)))
          .join(' '),
      );
    }
  }
  for (const r of rows.filter((x) => x.awsSha)) {
    const gbCpu = r.gb.user + r.gb.sys;
    const shaCpu = r.awsSha.user + r.awsSha.sys;
    lines.push(
      `same per-part integrity, ${r.backend} ${r.workload}: grantbox ${fmt(gbCpu)} s CPU (parts + whole-file SHA-256) vs aws --checksum-algorithm SHA256 ${fmt(shaCpu)} s (parts only) — CPU ${fmt(gbCpu / shaCpu)}×; speed ${fmt(r.awsSha.wall / r.gb.wall)}× aws-sha256's`,
    );
  }
  for (const r of rows.filter((x) => x.noHash)) {
    const withCpu = r.gb.user + r.gb.sys;
    const withoutCpu = r.noHash.user + r.noHash.sys;
    lines.push(
      `whole-file SHA-256, ${r.backend} ${r.workload}: with ${fmt(r.gb.wall)} s wall / ${fmt(withCpu)} s CPU, without ${fmt(r.noHash.wall)} s / ${fmt(withoutCpu)} s CPU — cost ${fmt(r.gb.wall - r.noHash.wall)} s wall (${fmt(((r.gb.wall - r.noHash.wall) / r.noHash.wall) * 100, 1)}%), ${fmt(withCpu - withoutCpu)} s CPU (${fmt(((withCpu - withoutCpu) / withoutCpu) * 100, 1)}%); receipts ${r.gb.receipts ?? '?'} vs ${r.noHash.receipts ?? '?'}`,
    );
  }
  if (gib) {
    lines.push('');
    lines.push(`grantbox 1 × 1 GiB on s3rver: ${fmt(gib.wall)} s, ${fmt(1024 / gib.wall, 1)} MiB/s, CPU ${fmt(gib.user + gib.sys)} s, peak RSS ${fmt(gib.maxrssMiB, 0)} MiB, event-loop p99 ${fmt(gib.loopP99Ms, 1)} ms (max ${fmt(gib.loopMaxMs, 1)} ms)`);
  }
  lines.push(`event-loop noise floor (idle Node process, same machine, just now): p99 ${fmt(floor.p99, 1)} ms, max ${fmt(floor.max, 1)} ms; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  lines.push('');
  if (rtt !== undefined) {
    lines.push(
      `latency rig: ${rtt} ms round trip (${rtt / 2} ms each way), ${bwMiB ? `${bwMiB} MiB/s cap` : 'no bandwidth cap'}, ${windowKiB} KiB TCP window per connection (≤ ${fmt(windowKiB / 1024 / (rtt / 1000), 1)} MiB/s each), a handshake round trip per new connection${engineRoot ? `; engine from ${engineRoot}` : ''}`,
    );
    lines.push('Goals (WAN): 2,000 × 20 KiB ≥ 4× aws; 1 GiB ≥ 1.5× aws; peak RSS < 200 MiB; CPU/GiB ≤ aws; loop p99 < 20 ms.');
  } else {
    lines.push('Goals: large file wall ≥ aws on both backends; 500 small files ≥ 1.5× aws; CPU/GiB ≤ aws; RSS < 200 MiB (1 GiB file); loop p99 < 20 ms.');
  }
  if (!withRclone && !args.includes('--no-rclone')) lines.push('rclone baseline skipped: rclone is not installed (Debian/Ubuntu: `sudo apt-get install rclone`).');
  for (const t of traces) {
    const steps = t.history.map((h) => `${h.limit}@${(h.t / 1000).toFixed(1)}s${h.reason === 'start' || h.reason === 'grow' || h.reason === 'latency-bound' ? '' : `(${h.reason})`}`);
    lines.push(`controller, ${t.run} (${t.seconds.toFixed(1)} s): ${steps.length > 40 ? [...steps.slice(0, 20), '…', ...steps.slice(-19)].join(' ') : steps.join(' ')}`);
  }
  if (traceFile) fs.writeFileSync(traceFile, JSON.stringify(traces, null, 1));
  process.stdout.write(`${lines.join('\n')}\n`);
}

main()
  .then(() => cleanup())
  .catch((e) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    cleanup();
    process.exit(1);
  });
