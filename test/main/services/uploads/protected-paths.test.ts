// What main refuses from a drop: hidden files and folders under home, keychain and browser-profile folders, its own
// data folder — also when a dropped link points there — and nothing else.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { protectedPaths, protectedReason } from '../../../../main/services/uploads/protected-paths';

let tmp: string;
let home: string;
let dataDir: string;
beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gb-protect-')));
  home = path.join(tmp, 'home');
  dataDir = path.join(home, '.config', 'Grantbox');
  fs.mkdirSync(dataDir, { recursive: true });
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('protectedReason', () => {
  it('refuses every hidden file or folder under home, with a plain reason', () => {
    for (const rel of ['.ssh', '.ssh/id_ed25519', '.aws/credentials', '.gnupg/private-keys-v1.d/x.key', '.config/gh/hosts.yml', '.docker/config.json', '.kube/config', '.netrc', '.bash_history', 'Documents/.env', 'code/app/.git/config']) {
      expect(protectedReason(path.join(home, rel), { home, dataDir, platform: 'linux' }), rel).toMatch(/hidden/);
    }
    expect(protectedReason(path.join(home, '.aws/credentials'), { home, dataDir, platform: 'linux' })).toBe('it is in the hidden folder “.aws” of your home folder, where programs keep keys, passwords and settings');
  });

  it('refuses keychain and browser-profile folders that are not dot-folders (macOS, Windows), and its own data folder', () => {
    expect(protectedReason(path.join(home, 'Library/Keychains/login.keychain-db'), { home, dataDir, platform: 'darwin' })).toMatch(/Keychains, where passwords/);
    expect(protectedReason(path.join(home, 'library/application support/google/chrome/Default/Login Data'), { home, dataDir, platform: 'darwin' })).toMatch(/Chrome/);
    expect(protectedReason(path.join(home, 'AppData/Local/Google/Chrome/User Data/Default/Cookies'), { home, dataDir, platform: 'win32' })).toMatch(/User Data/);
    expect(protectedReason(path.join(home, 'AppData/Roaming/Mozilla/Firefox/profiles.ini'), { home, dataDir, platform: 'win32' })).toMatch(/Mozilla/);
    const outsideData = path.join(tmp, 'grantbox-data');
    fs.mkdirSync(outsideData);
    expect(protectedReason(path.join(outsideData, 'logs', 'session.jsonl'), { home, dataDir: outsideData, platform: 'linux' })).toBe('it is inside Grantbox’s own data folder');
  });

  it('follows a dropped link to where it points', () => {
    fs.mkdirSync(path.join(home, '.ssh'));
    fs.writeFileSync(path.join(home, '.ssh', 'id_ed25519'), 'key');
    fs.mkdirSync(path.join(home, 'Desktop'));
    fs.symlinkSync(path.join(home, '.ssh', 'id_ed25519'), path.join(home, 'Desktop', 'harmless.pdf'));
    expect(protectedReason(path.join(home, 'Desktop', 'harmless.pdf'), { home, dataDir, platform: 'linux' })).toMatch(/“\.ssh”/);
  });

  it('allows ordinary files and folders, home itself, and hidden names outside home', () => {
    for (const p of [path.join(home, 'Documents/report.pdf'), path.join(home, 'Desktop'), home, path.join(tmp, '.cache', 'x'), path.join(home, 'Library/Application Support/Other/x'), path.join(tmp, 'home2', 'x')]) {
      expect(protectedReason(p, { home, dataDir, platform: 'linux' }), p).toBeNull();
    }
    expect(protectedPaths([path.join(home, 'a.txt'), path.join(home, '.aws', 'credentials')], { home, dataDir })).toEqual([
      { path: path.join(home, '.aws', 'credentials'), reason: expect.stringMatching(/\.aws/) },
    ]);
  });
});
