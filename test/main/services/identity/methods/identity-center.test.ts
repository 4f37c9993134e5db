// The Identity Center sign-in method over SDK-level mocks of AWS's documented answers (no local Identity Center
// exists): after the browser flow the keychain holds exactly the refresh token, the identity file no token; base
// credentials are GetRoleCredentials keys (with a session token, so the session manager's AssumeRole is role
// chaining); a rotated refresh token replaces the stored one; invalid_grant ends the sign-in; sign-out logs out.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateTokenCommand, InvalidGrantException, RegisterClientCommand, SSOOIDCClient } from '@aws-sdk/client-sso-oidc';
import { GetRoleCredentialsCommand, LogoutCommand, SSOClient } from '@aws-sdk/client-sso';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { LogRecord } from '../../../../../main/services/audit/types';
import { AwsClientFactory } from '../../../../../main/services/aws/client-factory';
import { IDENTITY_FILE } from '../../../../../main/services/identity/identity-file';
import { IdentityCenterMethod, IDENTITY_CENTER_REFRESH_ACCOUNT } from '../../../../../main/services/identity/methods/identity-center';
import { MemorySecretStore } from '../../../../../main/services/identity/secret-store';

const SETTINGS = { method: 'identityCenter' as const, startUrl: 'https://d-1234567890.awsapps.com/start', region: 'eu-west-1', accountId: '629470240201', roleName: 'GrantboxUploader', name: 'Company1' };
const ROLE_ARN = 'arn:aws:sts::629470240201:assumed-role/AWSReservedSSO_GrantboxUploader_0123456789abcdef/john@company1.example';

const oidc = mockClient(SSOOIDCClient);
const sso = mockClient(SSOClient);
const sts = mockClient(STSClient);
let dataDir: string;
let store: MemorySecretStore;
let records: LogRecord[];
let opened: string[];
let now: number;

function method() {
  return new IdentityCenterMethod({
    settings: SETTINGS,
    secretStore: store,
    clients: new AwsClientFactory({ region: 'us-east-1' }, {}),
    dataDir,
    log: { append: async (r) => void records.push(r) },
    now: () => now,
    // Plays the default browser: the provider sends it straight back to the loopback redirect with a code.
    openUrl: async (url) => {
      opened.push(url);
      const q = new URL(url).searchParams;
      void fetch(`${q.get('redirect_uri')}?code=CODE-1&state=${q.get('state')}`);
      return true;
    },
  });
}

beforeEach(async () => {
  for (const m of [oidc, sso, sts]) m.reset();
  store = new MemorySecretStore();
  records = [];
  opened = [];
  now = Date.now();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-idc-method-'));
  oidc.on(RegisterClientCommand).resolves({ clientId: 'CLIENT-1', clientSecret: 'CLIENT-SECRET-1', clientSecretExpiresAt: Math.floor(now / 1000) + 90 * 86400 });
  oidc.on(CreateTokenCommand, { grantType: 'authorization_code' }).resolves({ accessToken: 'ACCESS-1', expiresIn: 3600, refreshToken: 'REFRESH-1' });
  sso.on(GetRoleCredentialsCommand).resolves({ roleCredentials: { accessKeyId: 'ASIAROLE1', secretAccessKey: 'role-secret-1', sessionToken: 'role-token-1', expiration: now + 3600_000 } });
  sts.on(GetCallerIdentityCommand).resolves({ Arn: ROLE_ARN, Account: '629470240201' });
});
afterEach(() => fs.rm(dataDir, { recursive: true, force: true }));

describe('IdentityCenterMethod', () => {
  it('signs in through the browser: keychain holds exactly the refresh token, the identity file no token', async () => {
    const links: { url: string; opened: boolean }[] = [];
    const m = method();
    const info = await m.signInInteractive({ onLink: (l) => links.push(l) });
    expect(info).toMatchObject({ userName: 'john@company1.example', account: '629470240201', arn: ROLE_ARN, method: 'identityCenter', provider: 'Company1', verified: true });
    expect(links).toEqual([{ url: opened[0], opened: true }]);
    expect(opened[0]).toMatch(/^https:\/\/oidc\.eu-west-1\.amazonaws\.com\/authorize\?/);

    const record = JSON.parse(await fs.readFile(path.join(dataDir, IDENTITY_FILE), 'utf8'));
    expect(record).toMatchObject({ method: 'identityCenter', clientId: 'CLIENT-1', userName: 'john@company1.example', keychainAccount: expect.stringMatching(new RegExp(`^${IDENTITY_CENTER_REFRESH_ACCOUNT}:`)) });
    // The keychain holds exactly two secrets: the refresh token under the sign-in's item (the secret IS the token)
    // and the client registration's secret under its own.
    const items = (store as unknown as { map: Map<string, string> }).map;
    expect([...items.values()].sort()).toEqual(['CLIENT-SECRET-1', 'REFRESH-1']);
    expect(await store.get(record.keychainAccount)).toBe('REFRESH-1');
    // No token reaches a file or the log.
    for (const dir of [dataDir]) {
      for (const f of await fs.readdir(dir)) {
        const text = await fs.readFile(path.join(dir, f), 'utf8');
        for (const t of ['ACCESS-1', 'REFRESH-1', 'CLIENT-SECRET-1', 'role-secret-1', 'role-token-1']) expect(text).not.toContain(t);
      }
    }
    expect(JSON.stringify(records)).not.toMatch(/ACCESS-1|REFRESH-1|CLIENT-SECRET-1|role-secret-1|role-token-1/);
    expect(await m.current()).toEqual(info);
  });

  it('gives role keys with a session token as base credentials, renewing the access token with the (rotated) refresh token', async () => {
    await method().signInInteractive();
    // A new process (the CLI): nothing in memory, so the refresh token is used.
    oidc.on(CreateTokenCommand, { grantType: 'refresh_token' }).resolves({ accessToken: 'ACCESS-2', expiresIn: 3600, refreshToken: 'REFRESH-2' });
    sso.on(GetRoleCredentialsCommand).resolves({ roleCredentials: { accessKeyId: 'ASIAROLE2', secretAccessKey: 'role-secret-2', sessionToken: 'role-token-2', expiration: now + 3600_000 } });
    const fresh = method();
    const base = await fresh.baseCredentials();
    expect(base).toMatchObject({ kind: 'aws', accessKeyId: 'ASIAROLE2', sessionToken: 'role-token-2', identity: { userName: 'john@company1.example' } });
    expect(oidc.commandCalls(CreateTokenCommand, { grantType: 'refresh_token' })[0]!.args[0].input).toMatchObject({ clientId: 'CLIENT-1', clientSecret: 'CLIENT-SECRET-1', refreshToken: 'REFRESH-1' });
    const record = JSON.parse(await fs.readFile(path.join(dataDir, IDENTITY_FILE), 'utf8'));
    expect(await store.get(record.keychainAccount)).toBe('REFRESH-2');
    // Cached role keys: no second GetRoleCredentials while they last.
    await fresh.baseCredentials();
    expect(sso.commandCalls(GetRoleCredentialsCommand)).toHaveLength(2);
    expect(sso.commandCalls(GetRoleCredentialsCommand)[1]!.args[0].input).toEqual({ accessToken: 'ACCESS-2', accountId: '629470240201', roleName: 'GrantboxUploader' });
  });

  it('a refused refresh token ends the sign-in in plain words (SIGN_IN_ENDED)', async () => {
    await method().signInInteractive();
    oidc.on(CreateTokenCommand, { grantType: 'refresh_token' }).rejects(new InvalidGrantException({ message: 'Invalid grant provided', $metadata: { httpStatusCode: 400 } }));
    await expect(method().baseCredentials()).rejects.toMatchObject({ code: 'SIGN_IN_ENDED', message: 'Your company sign-in has ended — sign in again.' });
  });

  it('sign-out logs out at Identity Center, then removes the refresh token and the record', async () => {
    const m = method();
    await m.signInInteractive();
    const record = JSON.parse(await fs.readFile(path.join(dataDir, IDENTITY_FILE), 'utf8'));
    sso.on(LogoutCommand).resolves({});
    await m.signOut();
    expect(sso.commandCalls(LogoutCommand)[0]!.args[0].input).toEqual({ accessToken: 'ACCESS-1' });
    expect(await store.get(record.keychainAccount)).toBeNull();
    await expect(fs.stat(path.join(dataDir, IDENTITY_FILE))).rejects.toThrow();
    expect(await m.current()).toBeNull();
    await expect(m.baseCredentials()).rejects.toMatchObject({ code: 'NOT_SIGNED_IN' });
  });

  it('cancelling while the browser is open stores nothing', async () => {
    const ctl = new AbortController();
    const m = new IdentityCenterMethod({
      settings: SETTINGS,
      secretStore: store,
      clients: new AwsClientFactory({ region: 'us-east-1' }, {}),
      dataDir,
      openUrl: async () => {
        setTimeout(() => ctl.abort(), 10);
        return true;
      },
    });
    await expect(m.signInInteractive({ signal: ctl.signal })).rejects.toMatchObject({ code: 'SIGN_IN_CANCELLED' });
    await expect(fs.stat(path.join(dataDir, IDENTITY_FILE))).rejects.toThrow();
    expect(oidc.commandCalls(CreateTokenCommand)).toHaveLength(0);
  });
});
