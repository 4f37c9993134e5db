// The update decision against a real local HTTP feed laid out as electron-builder publishes it (latest-linux.yml +
// the installer): newer, same, older, bad checksum, feed down — and the policy (only IT's settings name a feed).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createNetwork, type Network } from '../../../../main/services/network';
import { checkForUpdate, compareVersions, downloadVerified, feedFileName, installAllowed, updatePolicy } from '../../../../main/services/updates/update-check';
import { freePort } from '../../../../main/services/sandbox/moto';

const installer = Buffer.from('pretend this is Grantbox-1.3.0.AppImage\n'.repeat(1000));
const goodSha = createHash('sha512').update(installer).digest('base64');
let feed: Record<string, string> = {};
let server: http.Server;
let base: string;
let network: Network;
let dir: string;
let downloads = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').slice(1));
    if (name === 'Grantbox-1.3.0.AppImage') {
      downloads++;
      res.writeHead(200, { 'content-length': installer.length });
      res.end(installer);
    } else if (feed[name] !== undefined) {
      res.writeHead(200, { 'content-type': 'text/yaml' });
      res.end(feed[name]);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  network = await createNetwork({ env: {} });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-updates-'));
});
afterAll(async () => {
  await network.close();
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

const yml = (version: string, sha512 = goodSha) =>
  `version: ${version}\nfiles:\n  - url: Grantbox-1.3.0.AppImage\n    sha512: ${sha512}\n    size: ${installer.length}\npath: Grantbox-1.3.0.AppImage\nsha512: ${sha512}\nreleaseDate: '2026-11-30T10:00:00.000Z'\n`;
const check = (current: string, channel = 'latest') => checkForUpdate({ feedUrl: base, channel, currentVersion: current, fetch: network.fetch, platform: 'linux', arch: 'x64' });

describe('update decision against a local feed', () => {
  it('newer on the feed: available; the download is kept only after its sha512 matches', async () => {
    feed = { 'latest-linux.yml': yml('1.3.0') };
    const r = await check('1.2.0');
    expect(r).toMatchObject({ kind: 'available', current: '1.2.0', latest: '1.3.0', file: { url: `${base}Grantbox-1.3.0.AppImage`, sha512: goodSha } });
    if (r.kind !== 'available') throw new Error('unreachable');
    const file = await downloadVerified(r, dir, network.fetch);
    expect(fs.readFileSync(file).equals(installer)).toBe(true);
  });

  it('same version: up to date, nothing downloaded; older on the feed: not a downgrade', async () => {
    feed = { 'latest-linux.yml': yml('1.3.0') };
    const before = downloads;
    expect(await check('1.3.0')).toEqual({ kind: 'up-to-date', current: '1.3.0', latest: '1.3.0' });
    expect(await check('1.4.0-beta.1')).toEqual({ kind: 'feed-older', current: '1.4.0-beta.1', latest: '1.3.0' });
    expect(downloads).toBe(before);
  });

  it('bad checksum: UPDATE_CHECKSUM_MISMATCH and no file left behind', async () => {
    const wrong = createHash('sha512').update('something else').digest('base64');
    feed = { 'beta-linux.yml': yml('1.3.0', wrong) };
    const r = await check('1.2.0', 'beta');
    if (r.kind !== 'available') throw new Error('expected available');
    const out = path.join(dir, 'bad');
    const e = await downloadVerified(r, out, network.fetch).catch((err: unknown) => err as { code: string });
    expect(e).toMatchObject({ code: 'UPDATE_CHECKSUM_MISMATCH' });
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('feed down or missing: UPDATE_FEED_UNREACHABLE; a damaged feed: UPDATE_FEED_INVALID', async () => {
    const port = await freePort();
    const down = await checkForUpdate({ feedUrl: `http://127.0.0.1:${port}/`, channel: 'latest', currentVersion: '1.0.0', fetch: network.fetch }).catch((e: unknown) => e as { code: string; message: string });
    expect(down).toMatchObject({ code: 'UPDATE_FEED_UNREACHABLE' });
    feed = {};
    expect(await check('1.0.0').catch((e: unknown) => e)).toMatchObject({ code: 'UPDATE_FEED_UNREACHABLE', message: expect.stringContaining('HTTP 404') });
    feed = { 'latest-linux.yml': 'version: [not, a, version]\n' };
    expect(await check('1.0.0').catch((e: unknown) => e)).toMatchObject({ code: 'UPDATE_FEED_INVALID' });
  });
});

describe('update rules', () => {
  it('only IT’s managed settings name a feed; updates: false turns them off', () => {
    expect(updatePolicy({ url: 'https://updates.example.com/grantbox', channel: 'beta' }, { kind: 'managed' })).toEqual({ enabled: true, url: 'https://updates.example.com/grantbox', channel: 'beta' });
    expect(updatePolicy({ url: 'https://evil.example.com/' }, { kind: 'personal' })).toEqual({ enabled: false, reason: 'not-managed' });
    expect(updatePolicy(false, { kind: 'managed' })).toEqual({ enabled: false, reason: 'disabled-by-it' });
    expect(updatePolicy(undefined, { kind: 'default' })).toEqual({ enabled: false, reason: 'not-configured' });
  });

  it('never installs during an upload; feed names and version order as electron-updater uses them', () => {
    expect(installAllowed(0)).toBe(true);
    expect(installAllowed(2)).toBe(false);
    expect([feedFileName('latest', 'win32'), feedFileName('latest', 'darwin'), feedFileName('beta', 'linux', 'x64'), feedFileName('latest', 'linux', 'arm64')]).toEqual([
      'latest.yml',
      'latest-mac.yml',
      'beta-linux.yml',
      'latest-linux-arm64.yml',
    ]);
    expect(compareVersions('1.2.0-beta.2', '1.2.0')).toBe(-1);
    expect(compareVersions('1.2.0-beta.10', '1.2.0-beta.2')).toBe(1);
    expect(compareVersions('1.10.0', '1.9.9')).toBe(1);
    expect(Number.isNaN(compareVersions('latest', '1.0.0'))).toBe(true);
  });
});
