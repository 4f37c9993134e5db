// What a path dropped on the window may not name (docs/security.md, "What main refuses"). The renderer process is
// untrusted: the preload turns dropped Files into paths, but code running in that process could name any path, so
// main decides. Refused: anything hidden under the person's home folder (~/.ssh, ~/.aws, ~/.gnupg, ~/.config, every
// dot-folder and dot-file), the keychain and browser-profile folders that are not dot-folders (macOS Library,
// Windows AppData), and Grantbox's own data folder. Paths chosen in main's own file dialog are the person's choice
// and not checked here (a hidden one takes a confirmation in a native dialog instead). Pure: no Electron.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ProtectedPathContext {
  /** The person's home folder (default os.homedir()). */
  home: string;
  /** Grantbox's data folder (keys' metadata, session log, grants clone, resume state). */
  dataDir: string;
  platform?: NodeJS.Platform;
}

export interface ProtectedPath {
  path: string;
  /** Plain words: why main will not read it. */
  reason: string;
}

/** Folders under home (relative, "/"-separated) that hold keychains, browser profiles and saved passwords. */
const SENSITIVE_UNDER_HOME: Record<string, string[]> = {
  darwin: [
    'Library/Keychains',
    'Library/Cookies',
    'Library/Safari',
    'Library/Mail',
    'Library/Messages',
    'Library/Application Support/Google/Chrome',
    'Library/Application Support/Chromium',
    'Library/Application Support/Firefox',
    'Library/Application Support/Microsoft Edge',
    'Library/Application Support/BraveSoftware',
    'Library/Application Support/1Password',
    'Library/Group Containers',
  ],
  win32: [
    'AppData/Roaming/Microsoft/Credentials',
    'AppData/Local/Microsoft/Credentials',
    'AppData/Roaming/Microsoft/Protect',
    'AppData/Roaming/Microsoft/Crypto',
    'AppData/Roaming/Microsoft/SystemCertificates',
    'AppData/Local/Google/Chrome/User Data',
    'AppData/Local/Chromium/User Data',
    'AppData/Local/Microsoft/Edge/User Data',
    'AppData/Local/BraveSoftware',
    'AppData/Roaming/Mozilla',
    'AppData/Roaming/Opera Software',
  ],
  linux: ['snap/firefox', 'snap/chromium'],
};

function inside(root: string, target: string, caseless: boolean): string | null {
  const a = caseless ? root.toLowerCase() : root;
  const b = caseless ? target.toLowerCase() : target;
  const rel = path.relative(a, b);
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null;
  return rel;
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return p;
  }
}

/** Why `p` (and, when it is a link, where it points) may not be read from a drop; null when it may. */
export function protectedReason(p: string, ctx: ProtectedPathContext): string | null {
  const platform = ctx.platform ?? process.platform;
  const caseless = platform === 'win32' || platform === 'darwin';
  for (const candidate of new Set([path.resolve(p), realOrSelf(p)])) {
    for (const data of new Set([path.resolve(ctx.dataDir), realOrSelf(ctx.dataDir)])) {
      if (inside(data, candidate, caseless) !== null) return 'it is inside Grantbox’s own data folder';
    }
    for (const home of new Set([path.resolve(ctx.home), realOrSelf(ctx.home)])) {
      const rel = inside(home, candidate, caseless);
      if (rel === null || rel === '') continue;
      const parts = rel.split(path.sep);
      const hidden = parts.find((part) => part.startsWith('.'));
      if (hidden) {
        return parts[0] === hidden
          ? `it is in the hidden folder “${hidden}” of your home folder, where programs keep keys, passwords and settings`
          : `“${hidden}” is hidden, and hidden files in your home folder often hold keys, passwords or settings`;
      }
      const posixRel = parts.join('/');
      const norm = caseless ? posixRel.toLowerCase() : posixRel;
      for (const folder of SENSITIVE_UNDER_HOME[platform] ?? []) {
        const f = caseless ? folder.toLowerCase() : folder;
        if (norm === f || norm.startsWith(`${f}/`)) return `it is in ${folder.split('/').at(-1)}, where passwords, keychains or browser profiles are kept`;
      }
    }
  }
  return null;
}

/** The dropped paths main refuses, each with its reason. */
export function protectedPaths(paths: string[], ctx: Partial<ProtectedPathContext> & { dataDir: string }): ProtectedPath[] {
  const full: ProtectedPathContext = { home: ctx.home ?? os.homedir(), dataDir: ctx.dataDir, ...(ctx.platform ? { platform: ctx.platform } : {}) };
  const out: ProtectedPath[] = [];
  for (const p of paths) {
    const reason = protectedReason(p, full);
    if (reason) out.push({ path: p, reason });
  }
  return out;
}
