#!/usr/bin/env node
// Packages the app offline (`electron-builder --linux dir` with electronDist pointing at a stub folder, since the
// Electron binary cannot be downloaded here) and checks what went into the asar:
//   - only built code: out/main, out/preload, out/renderer, package.json and production node_modules;
//   - no sources, tests, dev tools, source maps or devDependencies;
//   - keytar's .node unpacked (app.asar.unpacked) and marked unpacked in the asar header;
//   - every package the built main process requires resolves (and loads, except native/electron) from the asar;
//   - electron-builder.yml flips the security fuses.
// What the stub cannot show: fuse flipping itself (needs the real binary), native rebuild for Electron's ABI,
// AppImage/deb/nsis/dmg targets (downloads). Usage: node scripts/check-package.mjs [--no-build] [--keep] [--report=FILE]
import asar from '@electron/asar';
import { execFileSync } from 'node:child_process';
import { builtinModules, createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = new Set(process.argv.slice(2).filter((a) => !a.startsWith('--report=')));
/** --report=FILE: also write the findings as JSON (electron-builder prints to stdout, so not there). */
const reportFile = process.argv.slice(2).find((a) => a.startsWith('--report='))?.slice('--report='.length);
const problems = [];
const fail = (msg) => problems.push(msg);
const log = (msg) => console.log(`check-package: ${msg}`);

const REQUIRED_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
};
/** Dev-only packages that must never ship (a sample of the heavy ones; all devDependencies are checked below too). */
const NEVER_SHIP = ['electron', 'electron-builder', 'electron-vite', 'vite', 'vitest', 'typescript', 'esbuild', 'playwright-core', 'jsdom', 's3rver', 'aws-sdk-client-mock', 'eslint', 'tsx'];
const BUILT = ['out/main/index.js', 'out/preload/index.js', 'out/renderer/index.html'];

// ---- 1. build (unless told the build is fresh) ----
if (!args.has('--no-build') || BUILT.some((f) => !fs.existsSync(path.join(root, f)))) {
  log('building with electron-vite…');
  execFileSync(path.join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
}

// ---- 2. the config, and its fuses ----
const config = YAML.parse(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));
for (const [fuse, value] of Object.entries(REQUIRED_FUSES)) {
  if (config.electronFuses?.[fuse] !== value) fail(`electron-builder.yml: electronFuses.${fuse} must be ${value}`);
}
if (!(config.asarUnpack ?? []).some((p) => p.includes('.node'))) fail('electron-builder.yml: asarUnpack must unpack native .node modules');
// Fleet installers (docs/admins.md "Roll out to many desktops"): per-machine Windows installers, a pkg for Jamf,
// deb/rpm, and the grantbox:// scheme registered by each (protocols; the .desktop MimeType on Linux).
const targets = (os) => (config[os]?.target ?? []).map((t) => (typeof t === 'string' ? t : t.target));
if (!(config.protocols ?? []).some((p) => (p.schemes ?? []).includes('grantbox'))) fail('electron-builder.yml: protocols must register the grantbox scheme (setup links)');
if (config.nsis?.perMachine !== true) fail('electron-builder.yml: nsis.perMachine must be true (Intune/GPO install for all users)');
for (const [os, want] of [['win', ['nsis', 'msi']], ['mac', ['pkg']], ['linux', ['deb', 'rpm']]]) {
  for (const t of want) if (!targets(os).includes(t)) fail(`electron-builder.yml: ${os}.target must include ${t}`);
}
if (config.msi?.perMachine !== true) fail('electron-builder.yml: msi.perMachine must be true');
if (!(config.linux?.mimeTypes ?? []).includes('x-scheme-handler/grantbox')) fail('electron-builder.yml: linux.mimeTypes must include x-scheme-handler/grantbox');

// ---- 3. package with a stub Electron ----
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'grantbox-package-'));
const stub = path.join(tmp, 'electron-stub');
fs.mkdirSync(stub);
fs.writeFileSync(path.join(stub, 'electron'), '#!/bin/sh\necho "stub Electron: packaging check only" >&2\nexit 1\n', { mode: 0o755 });
const output = path.join(tmp, 'release');
const electronVersion = JSON.parse(fs.readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const started = Date.now();
log(`packaging (electron-builder --linux dir, electronDist=${stub})…`);
const { build, Platform } = require('electron-builder');
try {
  await build({
    projectDir: root,
    targets: Platform.LINUX.createTarget('dir'),
    publish: 'never',
    config: {
      ...config,
      electronVersion,
      electronDist: stub,
      directories: { ...config.directories, output },
      // Offline: no native rebuild for Electron's ABI (needs headers from the network) and no fuse flipping
      // (needs the real binary's sentinel). Both run in a real release build.
      npmRebuild: false,
      electronFuses: null,
    },
  });
} catch (e) {
  fail(`electron-builder failed: ${e?.message ?? e}`);
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);

// ---- 4. what is in the asar ----
const resources = path.join(output, 'linux-unpacked', 'resources');
const asarFile = path.join(resources, 'app.asar');
const report = { seconds: Number(seconds), entries: 0, asarBytes: 0, unpacked: [], packages: [] };
if (fs.existsSync(asarFile)) {
  report.asarBytes = fs.statSync(asarFile).size;
  const entries = asar.listPackage(asarFile, { isPack: false }).map((e) => e.replaceAll('\\', '/'));
  report.entries = entries.length;
  const allowed = [/^\/package\.json$/, /^\/out(\/(main|preload|renderer)(\/.*)?)?$/, /^\/node_modules(\/.*)?$/];
  for (const e of entries) {
    if (!allowed.some((re) => re.test(e))) fail(`asar holds something that is not built code: ${e}`);
    if (/\.(map|tsx?|mts|cts)$/.test(e) && !e.endsWith('.d.ts')) fail(`asar holds a source or source map: ${e}`);
    if (/^\/out\/cli(\/|$)/.test(e)) fail(`asar holds the CLI build: ${e}`);
  }
  for (const f of BUILT) if (!entries.includes(`/${f}`)) fail(`asar lacks ${f}`);

  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const shipped = new Set(
    entries
      .map((e) => /^\/node_modules\/((?:@[^/]+\/)?[^/@][^/]*)$/.exec(e)?.[1])
      .filter(Boolean),
  );
  report.packages = [...shipped].sort();
  for (const name of NEVER_SHIP) if (shipped.has(name)) fail(`asar holds the dev-only package ${name}`);
  for (const name of Object.keys(pkg.devDependencies ?? {})) {
    if (shipped.has(name) && !NEVER_SHIP.includes(name)) log(`note: devDependency ${name} ships (needed by a production dependency)`);
  }
  for (const name of Object.keys(pkg.dependencies ?? {})) if (!shipped.has(name)) fail(`asar lacks the dependency ${name}`);

  // keytar's native module: unpacked on disk and flagged unpacked in the header.
  const nodeFiles = entries.filter((e) => e.endsWith('.node'));
  const keytarNode = nodeFiles.find((e) => e.startsWith('/node_modules/keytar/'));
  if (!keytarNode) fail('asar lists no keytar .node file');
  for (const e of nodeFiles) {
    const onDisk = path.join(resources, 'app.asar.unpacked', e);
    const stat = asar.statFile(asarFile, e.slice(1));
    if (!stat.unpacked) fail(`${e} is packed inside the asar (native modules must be unpacked)`);
    if (!fs.existsSync(onDisk)) fail(`${e} is missing from app.asar.unpacked`);
    else report.unpacked.push(e);
  }

  // Every bare module the built main process requires must resolve from inside the package.
  const extracted = path.join(tmp, 'extracted');
  asar.extractAll(asarFile, extracted);
  // extractAll leaves unpacked files out; put them where the asar says they are.
  fs.cpSync(path.join(resources, 'app.asar.unpacked'), extracted, { recursive: true });
  const mainJs = path.join(extracted, 'out', 'main', 'index.js');
  const needed = new Set();
  for (const file of fs.readdirSync(path.dirname(mainJs), { recursive: true })) {
    if (!String(file).endsWith('.js')) continue;
    const code = fs.readFileSync(path.join(path.dirname(mainJs), String(file)), 'utf8');
    for (const m of code.matchAll(/require\(["']([^"'./][^"']*)["']\)|from ["']([^"'./][^"']*)["']/g)) needed.add(m[1] ?? m[2]);
  }
  // keytar is loaded lazily (createRequire) so the app opens even where the keychain library is missing.
  needed.add('keytar');
  const fromMain = createRequire(mainJs);
  const builtins = new Set([...builtinModules, ...builtinModules.map((b) => `node:${b}`)]);
  for (const id of needed) {
    if (builtins.has(id) || id === 'electron' || id.startsWith('node:')) continue;
    try {
      const resolved = fromMain.resolve(id);
      if (!resolved.startsWith(extracted)) fail(`${id} resolves outside the package (${resolved})`);
      // Load pure-JS packages to catch files the file filters stripped; keytar is native (built for Node here).
      else if (id !== 'keytar') fromMain(id);
    } catch (e) {
      fail(`the built main process needs ${id}, which does not load from the package: ${e.message.split('\n')[0]}`);
    }
  }
  report.required = [...needed].filter((id) => !builtins.has(id) && !id.startsWith('node:')).sort();
} else if (problems.length === 0) {
  fail(`no app.asar at ${asarFile}`);
}

if (!args.has('--keep')) fs.rmSync(tmp, { recursive: true, force: true });
else log(`kept ${tmp}`);

if (reportFile) fs.writeFileSync(reportFile, JSON.stringify({ ok: problems.length === 0, problems, ...report }, null, 2));
log(`packaged in ${seconds} s; asar ${(report.asarBytes / 2 ** 20).toFixed(1)} MiB, ${report.entries} entries, ${report.packages.length} top-level packages`);
log(`unpacked native modules: ${report.unpacked.join(', ') || 'none'}`);
for (const p of problems) console.error(`check-package: FAIL ${p}`);
if (problems.length === 0) log('OK');
process.exit(problems.length === 0 ? 0 : 1);
