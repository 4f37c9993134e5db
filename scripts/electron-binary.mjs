#!/usr/bin/env node
// Can the desktop app open on this machine? Exit 0 and print the Electron executable when its binary is installed
// and there is a display; otherwise exit 1 after ONE plain line saying why and what to do instead (scripts/start.sh
// prints it as is). Reads what electron-vite and the electron package read (ELECTRON_EXEC_PATH,
// ELECTRON_OVERRIDE_DIST_PATH, node_modules/electron/path.txt) without triggering a download.
// --quiet: only the binary, no display check and no output (scripts/setup.sh).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const quiet = process.argv.includes('--quiet');
const INSTEAD = 'Use the command line against the same sandbox instead: node bin/grantbox.cjs sandbox (then follow what it prints)';

function electronBinary() {
  if (process.env.ELECTRON_EXEC_PATH) {
    return fs.existsSync(process.env.ELECTRON_EXEC_PATH) ? { ok: true, exe: process.env.ELECTRON_EXEC_PATH } : { ok: false, why: `Electron's binary is missing (${process.env.ELECTRON_EXEC_PATH})` };
  }
  let dir;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { ok: false, why: 'the electron package is not installed (run scripts/setup.sh)' };
  }
  const pathFile = path.join(dir, 'path.txt');
  const rel = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!override && !rel) return { ok: false, why: "Electron's binary is not installed (its download failed or is blocked on this network)" };
  const exe = override ? path.join(override, rel || 'electron') : path.join(dir, 'dist', rel);
  if (!fs.existsSync(exe)) return { ok: false, why: `Electron's binary is missing (${exe})` };
  return { ok: true, exe };
}

const binary = electronBinary();
if (!binary.ok) {
  if (!quiet) console.log(`The desktop app cannot open here: ${binary.why}. ${INSTEAD}.`);
  process.exit(1);
}
if (!quiet && process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  console.log(`The desktop app cannot open here: there is no display (DISPLAY is not set). ${INSTEAD}.`);
  process.exit(1);
}
if (!quiet) console.log(binary.exe);
process.exit(0);
