// Company sign-in (OpenID Connect) end to end with real parts: the local OpenID Provider (npm oidc-provider), Debian's
// Chromium standing in for the default browser on its login page, the real keychain (gnome-keyring through keytar),
// and moto for STS AssumeRoleWithWebIdentity (auth off: moto checks nothing about the token, so the test checks the
// token the client sent — signature against the provider's JWKS, aud, expiry) and S3.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Browser } from 'playwright-core';
import type { LogRecord } from '../../main/services/audit/types';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { GrantStore } from '../../main/services/grants/grant-store';
import { ChunkingSecretStore } from '../../main/services/identity/chunked-secret-store';
import { DefaultIdentityService } from '../../main/services/identity/identity-service';
import { KeytarSecretStore } from '../../main/services/identity/keytar-secret-store';
import { OidcMethod } from '../../main/services/identity/methods/oidc';
import type { SignInLink } from '../../main/services/identity/methods/types';
import { startOidcProvider, type OidcProviderRig } from '../../main/services/sandbox/oidc-provider';
import { SessionManager } from '../../main/services/sessions/session-manager';
import { launchChromium } from '../helpers/e2e-harness';
import { approveDevice, settleBrowserSignIns, signInInBackground } from '../helpers/oidc-browser';
import { RecordingFactory } from '../helpers/recording-factory';
import { startTutorialWorld, type TestWorld } from '../helpers/world';

let rig: OidcProviderRig;
let world: TestWorld;
let browser: Browser;
let tmp: string;
let grants: GrantStore;
const keychain = new KeytarSecretStore();

beforeAll(async () => {
  [rig, world, browser] = await Promise.all([startOidcProvider(), startTutorialWorld({ auth: false }), launchChromium()]);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-oidc-'));
  const grantsDir = path.join(tmp, 'grants');
  await fs.mkdir(grantsDir);
  await fs.writeFile(
    path.join(grantsDir, 'hr-drop.yaml'),
    `apiVersion: grantbox.dev/v1
kind: Grant
metadata: {name: hr-drop, title: HR drop, contact: helpdesk@company1.example}
spec:
  subjects: ["group:hr-staff"]
  role: {arn: "${world.roleArn}", duration: 1h}
  target: {region: us-east-1, bucket: ${world.bucket}, prefix: "inbox/{user}/"}
  permissions: [list, upload]
`,
  );
  grants = await GrantStore.open({ apiVersion: 'grantbox.dev/v1', kind: 'Settings', grants: { source: 'directory', path: grantsDir, watch: false } }, tmp, { live: false });
});
afterEach(settleBrowserSignIns);

afterAll(async () => {
  await browser?.close();
  await rig?.stop();
  await world?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

interface Setup {
  dataDir: string;
  identity: DefaultIdentityService;
  method: OidcMethod;
  sessions: SessionManager;
  factory: RecordingFactory;
  records: LogRecord[];
  links: SignInLink[];
}

async function setup(options: { user?: 'john' | 'mallory'; dataDir?: string } = {}): Promise<Setup> {
  const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(tmp, 'data-')));
  const records: LogRecord[] = [];
  const log = { append: async (r: LogRecord) => void records.push(JSON.parse(JSON.stringify(r)) as LogRecord) };
  const factory = new RecordingFactory({ region: 'us-east-1', endpoint: world.endpoint, forcePathStyle: true }, {});
  const holder: { sessions?: SessionManager } = {};
  const user = rig.users[options.user ?? 'john']!;
  const method = new OidcMethod({
    settings: { method: 'oidc', issuer: rig.issuer, clientId: rig.clientId, userClaim: 'email', name: 'Company1' },
    secretStore: new ChunkingSecretStore(keychain),
    clients: factory,
    dataDir,
    log,
    // The "default browser": Chromium, where the person signs in on the provider's page.
    openUrl: async (url) => {
      signInInBackground(browser, url, user);
      return true;
    },
  });
  const identity = new DefaultIdentityService({ secretStore: keychain, clients: factory, dataDir, log, method, onSignOut: async () => holder.sessions?.endAll('signed out') });
  const sessions = new SessionManager({ identity, grants, clients: factory, log });
  holder.sessions = sessions;
  return { dataDir, identity, method, sessions, factory, records, links: [] };
}

async function signIn(s: Setup): Promise<void> {
  await s.identity.signInInteractive({ onLink: (l) => s.links.push(l) });
}

/** Every file under a folder, as text. */
async function allText(dir: string): Promise<string> {
  let out = '';
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out += await fs.readFile(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return out;
}

const webIdentityCalls = (f: RecordingFactory) => f.stsBodies.filter((b) => b.get('Action') === 'AssumeRoleWithWebIdentity');

describe('company sign-in (OpenID Connect) against the local provider', () => {
  it('browser sign-in → keychain holds exactly the refresh token → AssumeRoleWithWebIdentity with the provider’s ID token → upload', async () => {
    const s = await setup();
    const started = Date.now();
    await signIn(s);
    const info = await s.sessions.assume('hr-drop');
    const elapsed = Date.now() - started;
    // Measured, not asserted tightly: sign-in start to credentials with the local provider (browser typing included).
    console.info(`[measure] oidc browser sign-in → session credentials: ${elapsed} ms`);
    expect(s.links).toEqual([{ url: expect.stringMatching(new RegExp(`^${rig.issuer}/auth\\?`)), opened: true }]);
    const auth = new URL(s.links[0]!.url);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('nonce')).toBeTruthy();

    expect(await s.identity.current()).toMatchObject({ userName: 'john@company1.example', method: 'oidc', provider: 'Company1', groups: ['hr-staff'], verified: true });
    expect(info).toMatchObject({ grant: 'hr-drop', roleArn: world.roleArn, sessionName: 'john@company1.example-hr-drop', state: 'active' });

    // The keychain item's secret is exactly the provider's newest refresh token.
    const account = (await s.identity.keychainAccount())!;
    const stored = await keychain.get(account);
    expect(rig.issuedTokens()).toContain(stored);
    expect(await rig.isRefreshTokenActive(stored!)).toBe(true);

    // What STS received: the provider's ID token, signature valid against its JWKS, aud = client id, unexpired.
    const [call] = webIdentityCalls(s.factory);
    expect(call).toBeDefined();
    expect(call!.get('RoleArn')).toBe(world.roleArn);
    expect(call!.get('RoleSessionName')).toBe('john@company1.example-hr-drop');
    expect(call!.get('DurationSeconds')).toBe('3600');
    expect(JSON.parse(call!.get('Policy')!).Statement).toEqual(expect.arrayContaining([expect.objectContaining({ Resource: expect.stringContaining(`${world.bucket}/inbox/john@company1.example/`) })]));
    const { payload } = await jwtVerify(call!.get('WebIdentityToken')!, createRemoteJWKSet(new URL(rig.jwksUri)), { issuer: rig.issuer, audience: rig.clientId });
    expect(payload).toMatchObject({ sub: 'john', email: 'john@company1.example', groups: ['hr-staff'] });
    expect(payload.exp! * 1000).toBeGreaterThan(Date.now());

    // The session's credentials work on S3.
    const s3 = s.factory.s3({ credentials: s.sessions.credentialProvider('hr-drop') });
    await s3.send(new PutObjectCommand({ Bucket: world.bucket, Key: 'inbox/john@company1.example/hello.txt', Body: 'hello' }));
    s3.destroy();

    // No token anywhere on disk or in the log records.
    const everything = (await allText(s.dataDir)) + JSON.stringify(s.records);
    for (const token of [...rig.issuedTokens(), call!.get('WebIdentityToken')!]) expect(everything).not.toContain(token);
    // The ID token from the sign-in itself was seconds old, so the first session used it without a refresh.
    expect(s.records.map((r) => r.type)).toEqual(['signin.ok', 'session.started']);
    await s.identity.signOut();
  });

  it('each renewal refreshes first, with rotation: the keychain follows the newest refresh token', async () => {
    const s = await setup();
    await signIn(s);
    await s.sessions.assume('hr-drop');
    const account = (await s.identity.keychainAccount())!;
    const before = await keychain.get(account);
    const refreshes = rig.refreshRequests();
    await new Promise((r) => setTimeout(r, 5_100)); // past the in-process sharing window
    await s.sessions.extend('hr-drop');
    expect(rig.refreshRequests()).toBe(refreshes + 1);
    const after = await keychain.get(account);
    expect(after).not.toBe(before);
    expect(await rig.isRefreshTokenActive(before!)).toBe(false);
    expect(await rig.isRefreshTokenActive(after!)).toBe(true);
    const tokens = webIdentityCalls(s.factory).map((b) => b.get('WebIdentityToken'));
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).not.toBe(tokens[0]);
    expect(s.records.filter((r) => r.type === 'signin.refreshed').at(-1)).toMatchObject({ rotated: true });
    await s.identity.signOut();
  });

  it('a refresh token revoked at the provider → SIGN_IN_ENDED ("sign in again")', async () => {
    const s = await setup();
    await signIn(s);
    await rig.revokeUser('john');
    await new Promise((r) => setTimeout(r, 5_100));
    await expect(s.sessions.assume('hr-drop')).rejects.toMatchObject({ code: 'SIGN_IN_ENDED', message: 'Your company sign-in has ended — sign in again.' });
    expect(s.records.at(-1)).toMatchObject({ type: 'signin.refresh_failed', code: 'SIGN_IN_ENDED', providerError: 'invalid_grant' });
    // Signing in again works and sessions start.
    await signIn(s);
    await expect(s.sessions.assume('hr-drop')).resolves.toMatchObject({ state: 'active' });
    await s.identity.signOut();
  });

  it('the provider down → SIGN_IN_PROVIDER_UNREACHABLE, and fine again once it is back', async () => {
    const s = await setup();
    await signIn(s);
    await new Promise((r) => setTimeout(r, 5_100));
    await rig.down();
    try {
      await expect(s.sessions.assume('hr-drop')).rejects.toMatchObject({ code: 'SIGN_IN_PROVIDER_UNREACHABLE', message: `Grantbox could not reach Company1 (127.0.0.1:${rig.port}).` });
    } finally {
      await rig.up();
    }
    await expect(s.sessions.assume('hr-drop')).resolves.toMatchObject({ state: 'active' });
    await s.identity.signOut();
  });

  it('mallory signs in, but no grant names her groups', async () => {
    const s = await setup({ user: 'mallory' });
    await signIn(s);
    const me = (await s.identity.current())!;
    expect(me).toMatchObject({ userName: 'mallory@company1.example', groups: ['contractors'] });
    expect(grants.forMe(me)).toEqual([]);
    await expect(s.sessions.assume('hr-drop')).rejects.toMatchObject({ code: 'GRANT_NOT_FOR_YOU' });
    await s.identity.signOut();
  });

  it('device flow: link and code handed over, approved in the browser, signed in', async () => {
    const s = await setup();
    const links: SignInLink[] = [];
    const done = s.identity.signInInteractive({ device: true, onLink: (l) => links.push(l) });
    await vi.waitFor(() => expect(links).toHaveLength(1));
    expect(links[0]).toMatchObject({ url: expect.stringContaining(`user_code=${links[0]!.userCode}`), verificationUri: `${rig.issuer}/device`, opened: false });
    await approveDevice(browser, links[0]!.url, rig.users.john!);
    await expect(done).resolves.toMatchObject({ userName: 'john@company1.example', groups: ['hr-staff'] });
    await s.identity.signOut();
  });

  it('consent refused on the provider page → SIGN_IN_CONSENT_DENIED, nothing stored', async () => {
    const s = await setup();
    const links: SignInLink[] = [];
    const done = s.identity.signInInteractive({ device: true, onLink: (l) => links.push(l) });
    await vi.waitFor(() => expect(links).toHaveLength(1));
    await approveDevice(browser, links[0]!.url, rig.users.john!, { abort: true });
    await expect(done).rejects.toMatchObject({ code: 'SIGN_IN_CONSENT_DENIED' });
    expect(await s.identity.current()).toBeNull();
    await expect(fs.readdir(s.dataDir)).resolves.not.toContain('identity.json');
  });

  it('cancel while waiting for the browser: SIGN_IN_CANCELLED, nothing stored', async () => {
    const dataDir = await fs.mkdtemp(path.join(tmp, 'data-'));
    const method = new OidcMethod({ settings: { method: 'oidc', issuer: rig.issuer, clientId: rig.clientId }, secretStore: keychain, clients: new AwsClientFactory({ region: 'us-east-1' }, {}), dataDir });
    const ac = new AbortController();
    const links: SignInLink[] = [];
    const done = method.signInInteractive({ signal: ac.signal, onLink: (l) => links.push(l) });
    await vi.waitFor(() => expect(links).toHaveLength(1));
    // No openUrl: the link is there to copy.
    expect(links[0]!.opened).toBe(false);
    ac.abort();
    await expect(done).rejects.toMatchObject({ code: 'SIGN_IN_CANCELLED' });
    expect(await method.current()).toBeNull();
  });

  it('sign-out revokes the refresh token at the provider, then removes it from the keychain', async () => {
    const s = await setup();
    await signIn(s);
    const account = (await s.identity.keychainAccount())!;
    const token = (await keychain.get(account))!;
    const revocations = rig.revocationRequests();
    await s.identity.signOut();
    expect(rig.revocationRequests()).toBe(revocations + 1);
    expect(await rig.isRefreshTokenActive(token)).toBe(false);
    expect(await keychain.get(account)).toBeNull();
    expect(await s.identity.current()).toBeNull();
    expect(s.records.at(-1)).toMatchObject({ type: 'signout', method: 'oidc', revoked: true });
  });
});

describe('signing in again', () => {
  it('as the same person keeps what is running (no sign-out); as someone else ends it', async () => {
    const s = await setup();
    let signOuts = 0;
    const method = new OidcMethod({
      settings: { method: 'oidc', issuer: rig.issuer, clientId: rig.clientId, userClaim: 'email', name: 'Company1' },
      secretStore: keychain,
      clients: s.factory,
      dataDir: s.dataDir,
      onSignOut: async () => void signOuts++,
      openUrl: async (url) => {
        signInInBackground(browser, url, rig.users.john!);
        return true;
      },
    });
    await method.signInInteractive();
    await method.signInInteractive();
    expect(signOuts).toBe(0);
    const other = new OidcMethod({
      settings: { method: 'oidc', issuer: rig.issuer, clientId: rig.clientId },
      secretStore: keychain,
      clients: s.factory,
      dataDir: s.dataDir,
      onSignOut: async () => void signOuts++,
      openUrl: async (url) => {
        signInInBackground(browser, url, rig.users.mallory!);
        return true;
      },
    });
    await other.signInInteractive();
    expect(signOuts).toBe(1);
    await other.signOut();
  });
});
