// The app and the CLI renewing the same company sign-in at the same moment: two real processes sharing one data
// folder and the real keychain, against the real local OpenID Provider with rotating refresh tokens (each refresh
// token works once). The refresh lock must make them take turns and reuse each other's result — never present the
// same refresh token twice (which the provider would refuse, ending the sign-in for nothing).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser } from 'playwright-core';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { KeytarSecretStore } from '../../main/services/identity/keytar-secret-store';
import { OidcMethod } from '../../main/services/identity/methods/oidc';
import { startOidcProvider, type OidcProviderRig } from '../../main/services/sandbox/oidc-provider';
import { launchChromium } from '../helpers/e2e-harness';
import { settleBrowserSignIns, signInInBackground } from '../helpers/oidc-browser';

const ROOT = path.resolve(__dirname, '../..');
const CHILD = path.join(ROOT, 'test/helpers/oidc-renew-child.ts');

let rig: OidcProviderRig;
let browser: Browser;
let tmp: string;
const keychain = new KeytarSecretStore();

beforeAll(async () => {
  [rig, browser] = await Promise.all([startOidcProvider(), launchChromium()]);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-oidc-2p-'));
});
afterEach(settleBrowserSignIns);

afterAll(async () => {
  await browser?.close();
  await rig?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

interface Child {
  renew(): Promise<{ ok: boolean; sub?: string; code?: string }>;
  stop(): void;
}

async function child(dataDir: string): Promise<Child> {
  const proc: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ dataDir, issuer: rig.issuer, clientId: rig.clientId })], { cwd: ROOT, env: process.env });
  const lines = createInterface({ input: proc.stdout });
  const queue: string[] = [];
  const waiters: Array<(l: string) => void> = [];
  lines.on('line', (l) => (waiters.length ? waiters.shift()!(l) : queue.push(l)));
  const next = () => new Promise<string>((r) => (queue.length ? r(queue.shift()!) : waiters.push(r)));
  expect(await next()).toBe('ready');
  return {
    renew: async () => {
      proc.stdin.write('renew\n');
      return JSON.parse(await next()) as { ok: boolean; sub?: string; code?: string };
    },
    stop: () => proc.kill(),
  };
}

async function signedInDataDir(): Promise<{ dataDir: string; account: string }> {
  const dataDir = await fs.mkdtemp(path.join(tmp, 'data-'));
  const method = new OidcMethod({
    settings: { method: 'oidc', issuer: rig.issuer, clientId: rig.clientId },
    secretStore: keychain,
    clients: new AwsClientFactory({ region: 'us-east-1' }, {}),
    dataDir,
    openUrl: async (url) => {
      signInInBackground(browser, url, rig.users.john!);
      return true;
    },
  });
  await method.signInInteractive();
  const record = JSON.parse(await fs.readFile(path.join(dataDir, 'identity.json'), 'utf8')) as { keychainAccount: string };
  return { dataDir, account: record.keychainAccount };
}

describe('two processes renewing one company sign-in at once', () => {
  it('both hold ID tokens and renew together: exactly one refresh request reaches the provider', async () => {
    const { dataDir, account } = await signedInDataDir();
    const [app, cli] = await Promise.all([child(dataDir), child(dataDir)]);
    try {
      // Each process gets its own ID token first (one after the other, as they start at different times).
      expect(await app.renew()).toMatchObject({ ok: true, sub: 'john' });
      expect(await cli.renew()).toMatchObject({ ok: true, sub: 'john' });
      await new Promise((r) => setTimeout(r, 5_200)); // both past the in-process sharing window
      rig.setRefreshDelay(1_000); // a slow provider widens the overlap
      const before = rig.refreshRequests();
      const [a, b] = await Promise.all([app.renew(), cli.renew()]);
      rig.setRefreshDelay(0);
      expect(a).toMatchObject({ ok: true, sub: 'john' });
      expect(b).toMatchObject({ ok: true, sub: 'john' });
      expect(rig.refreshRequests() - before).toBe(1);
      // The keychain holds the newest refresh token, still good at the provider.
      expect(await rig.isRefreshTokenActive((await keychain.get(account))!)).toBe(true);
    } finally {
      app.stop();
      cli.stop();
    }
  });

  it('two freshly started processes renew together: they take turns, neither presents a spent refresh token', async () => {
    const { dataDir, account } = await signedInDataDir();
    const [app, cli] = await Promise.all([child(dataDir), child(dataDir)]);
    try {
      rig.setRefreshDelay(1_000);
      const before = rig.refreshRequests();
      const [a, b] = await Promise.all([app.renew(), cli.renew()]);
      rig.setRefreshDelay(0);
      // Neither had an ID token, so each needs one refresh — one after the other, each with the newest token.
      expect(a).toMatchObject({ ok: true, sub: 'john' });
      expect(b).toMatchObject({ ok: true, sub: 'john' });
      expect(rig.refreshRequests() - before).toBe(2);
      expect(await rig.isRefreshTokenActive((await keychain.get(account))!)).toBe(true);
    } finally {
      app.stop();
      cli.stop();
    }
  });
});
