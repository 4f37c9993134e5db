// IAM Identity Center's wire, driven with aws-sdk-client-mock answering as AWS's API reference documents
// (RegisterClient, StartDeviceAuthorization, CreateToken, GetRoleCredentials examples and error names). No local
// Identity Center exists, so this is what the client SENDS and how it reads those answers — never the real service.
// The loopback redirect in the browser flow is real HTTP on 127.0.0.1.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AuthorizationPendingException,
  CreateTokenCommand,
  ExpiredTokenException,
  InvalidGrantException,
  RegisterClientCommand,
  SlowDownException,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand,
  AccessDeniedException,
} from '@aws-sdk/client-sso-oidc';
import { GetRoleCredentialsCommand, LogoutCommand, SSOClient, UnauthorizedException, SSOServiceException } from '@aws-sdk/client-sso';
import { mockClient } from 'aws-sdk-client-mock';
import type { LogRecord } from '../../../../main/services/audit/types';
import { IdentityCenterSso, REGISTERED_REDIRECT_URI, REGISTRATION_FILE } from '../../../../main/services/identity/identity-center';
import { MemorySecretStore } from '../../../../main/services/identity/secret-store';

// From AWS's SSO-OIDC API reference examples.
const CLIENT_ID = '_yzkThXVzLWVhc3QtMQEXAMPLECLIENTID';
const CLIENT_SECRET = 'VERYLONGSECRETeyJraWQiOiJrZXktMTU2NDAyODA5OSIsImFsZyI6IkhTMzg0In0';
const ACCESS_TOKEN = 'aoal-YigITUDiNX1xZwOMXM5MxOWDL0E0jg9P6_C_jKQPxS_SKCP6f0kh1Up4g7TtvQqkMnD-GJiU_S1gvug6SxggAkksSG9nYXR1dF90b2tlbjpxcDI5';
const REFRESH_TOKEN = 'aorvJYubGpU6i91YnH7Mfo-AT2fIVa1zCfA_Rvq9yjVKIP3onFmmykuQ7E93y2I-9Nyj-A_sVvMufaLNL_6ZQFfWXfsRy';
const ROTATED_REFRESH = 'aorvROTATEDpU6i91YnH7Mfo-AT2fIVa1zCfA_Rvq9yjVKIP3onFmmykuQ7E93y2I-9Nyj-A_sVvMufaLNL_6ZQFfWXfsRy';
const DEVICE_CODE = 'yJraWQiOiJrZXktMTU2Njk2ODA4OCIsImFsZyI6IkhTMzIn0EXAMPLEDEVICECODE';
const USER_CODE = 'makdfsk83yJraWQiOiJrZXktMTU2Njk2sImFsZyI6IkhTMzIn0EXAMPLEUSERCODE';

const CONFIG = { startUrl: 'https://d-1234567890.awsapps.com/start', region: 'eu-west-1', accountId: '629470240201', roleName: 'HRUploaders', name: 'Company1' };

const oidcMock = mockClient(SSOOIDCClient);
const ssoMock = mockClient(SSOClient);
let dataDir: string;
let store: MemorySecretStore;
let records: LogRecord[];
let now: number;
let sleeps: number[];

function sso() {
  return new IdentityCenterSso({
    config: CONFIG,
    secretStore: store,
    dataDir,
    log: { append: async (r) => void records.push(r) },
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  });
}

const registered = (expiresInDays = 90) => ({
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  clientIdIssuedAt: Math.floor(now / 1000),
  clientSecretExpiresAt: Math.floor(now / 1000) + expiresInDays * 86400,
  $metadata: { requestId: 'reg-1' },
});

beforeEach(async () => {
  oidcMock.reset();
  ssoMock.reset();
  store = new MemorySecretStore();
  records = [];
  sleeps = [];
  now = Date.parse('2026-12-01T02:00:00Z');
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'gb-idc-'));
});
afterEach(() => fs.rm(dataDir, { recursive: true, force: true }));

describe('client registration', () => {
  it('registers a public client for the browser flow (PKCE, loopback redirect without a port) and caches it until it expires', async () => {
    oidcMock.on(RegisterClientCommand).resolves(registered());
    const a = await sso().registration('authCode');
    expect(a).toMatchObject({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, flow: 'authCode' });
    expect(oidcMock.commandCalls(RegisterClientCommand)[0]!.args[0].input).toEqual({
      clientName: 'Grantbox',
      clientType: 'public',
      scopes: ['sso:account:access'],
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: [REGISTERED_REDIRECT_URI],
      issuerUrl: CONFIG.startUrl,
    });
    expect(REGISTERED_REDIRECT_URI).toBe('http://127.0.0.1/oauth/callback');
    // The secret is in the keychain, the file names only the client and the keychain item.
    const file = await fs.readFile(path.join(dataDir, REGISTRATION_FILE), 'utf8');
    expect(file).toContain(CLIENT_ID);
    expect(file).not.toContain(CLIENT_SECRET);
    expect((await fs.stat(path.join(dataDir, REGISTRATION_FILE))).mode & 0o777).toBe(0o600);
    const account = JSON.parse(file).registrations[0].keychainAccount as string;
    expect(await store.get(account)).toBe(CLIENT_SECRET);

    // Cached: no second RegisterClient, from a new instance (another process) too.
    now += 80 * 86400_000;
    expect((await sso().registration('authCode')).clientId).toBe(CLIENT_ID);
    expect(oidcMock.commandCalls(RegisterClientCommand)).toHaveLength(1);
    // Within a day of expiry: registered again.
    now += 9.5 * 86400_000;
    oidcMock.on(RegisterClientCommand).resolves({ ...registered(), clientId: 'NEWCLIENT', clientSecret: 'NEWSECRET' });
    expect((await sso().registration('authCode')).clientId).toBe('NEWCLIENT');
    expect(oidcMock.commandCalls(RegisterClientCommand)).toHaveLength(2);
    expect(JSON.stringify(records)).not.toContain(CLIENT_SECRET);
  });

  it('the device flow registers its own client (device_code grant, no redirect); a missing keychain secret re-registers', async () => {
    oidcMock.on(RegisterClientCommand).resolves(registered());
    await sso().registration('device');
    expect(oidcMock.commandCalls(RegisterClientCommand)[0]!.args[0].input).toEqual({
      clientName: 'Grantbox',
      clientType: 'public',
      scopes: ['sso:account:access'],
      grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    });
    const file = JSON.parse(await fs.readFile(path.join(dataDir, REGISTRATION_FILE), 'utf8'));
    await store.delete(file.registrations[0].keychainAccount);
    await sso().registration('device');
    expect(oidcMock.commandCalls(RegisterClientCommand)).toHaveLength(2);
  });

  it('says plainly when Identity Center refuses the registration or cannot be reached', async () => {
    oidcMock.on(RegisterClientCommand).rejects(Object.assign(new Error('Invalid client metadata'), { name: 'InvalidClientMetadataException', $metadata: { httpStatusCode: 400, requestId: 'r-x' } }));
    await expect(sso().registration('authCode')).rejects.toMatchObject({ code: 'SIGN_IN_MISCONFIGURED', details: { awsCode: 'InvalidClientMetadataException', requestId: 'r-x' } });
    oidcMock.on(RegisterClientCommand).rejects(Object.assign(new Error('getaddrinfo ENOTFOUND oidc.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' }));
    await expect(sso().registration('authCode')).rejects.toMatchObject({ code: 'SIGN_IN_PROVIDER_UNREACHABLE', message: 'Grantbox could not reach Company1 (oidc.eu-west-1.amazonaws.com).' });
  });
});

describe('the app: authorization code with PKCE through a loopback redirect', () => {
  it('builds the /authorize URL, receives the code on 127.0.0.1, and exchanges it with the PKCE verifier', async () => {
    oidcMock.on(RegisterClientCommand).resolves(registered());
    oidcMock.on(CreateTokenCommand).resolves({ accessToken: ACCESS_TOKEN, tokenType: 'Bearer', expiresIn: 28800, refreshToken: REFRESH_TOKEN, $metadata: { requestId: 'tok-1' } });
    const flow = await sso().authorizeInBrowser();
    const url = new URL(flow.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://oidc.eu-west-1.amazonaws.com/authorize');
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({ response_type: 'code', client_id: CLIENT_ID, code_challenge_method: 'S256', scopes: 'sso:account:access' });
    expect(q.redirect_uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
    expect(q.state).toMatch(/^[\w-]{20,}$/);

    // The default browser comes back to the loopback redirect.
    const page = await fetch(`${q.redirect_uri}?code=AUTH-CODE-1&state=${q.state}`);
    expect(await page.text()).toContain('You can close this tab');
    const tokens = await flow.tokens;
    expect(tokens).toEqual({ accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN, accessTokenExpiresAt: new Date(now + 28800_000) });

    const sent = oidcMock.commandCalls(CreateTokenCommand)[0]!.args[0].input;
    expect(sent).toMatchObject({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, grantType: 'authorization_code', code: 'AUTH-CODE-1', redirectUri: q.redirect_uri });
    // The verifier sent hashes (S256) to the challenge in the URL.
    expect(createHash('sha256').update(sent.codeVerifier!).digest('base64url')).toBe(q.code_challenge);
    expect(JSON.stringify(records)).not.toContain(ACCESS_TOKEN);
    expect(JSON.stringify(records)).not.toContain(REFRESH_TOKEN);
  });

  it('cancel stops the wait without exchanging anything', async () => {
    oidcMock.on(RegisterClientCommand).resolves(registered());
    const flow = await sso().authorizeInBrowser();
    flow.cancel();
    await expect(flow.tokens).rejects.toMatchObject({ code: 'SIGN_IN_CANCELLED' });
    expect(oidcMock.commandCalls(CreateTokenCommand)).toHaveLength(0);
  });
});

describe('the CLI: device authorization', () => {
  it('gives the verification link and code, polls at the interval, slows down by 5 s, and returns the tokens', async () => {
    oidcMock.on(RegisterClientCommand).resolves(registered());
    oidcMock.on(StartDeviceAuthorizationCommand).resolves({
      deviceCode: DEVICE_CODE,
      expiresIn: 1800,
      interval: 1,
      userCode: USER_CODE,
      verificationUri: 'https://device.sso.eu-west-1.amazonaws.com',
      verificationUriComplete: `https://device.sso.eu-west-1.amazonaws.com?user_code=${USER_CODE}`,
    });
    oidcMock
      .on(CreateTokenCommand)
      .rejectsOnce(new AuthorizationPendingException({ message: 'pending', $metadata: {} }))
      .rejectsOnce(new SlowDownException({ message: 'slow down', $metadata: {} }))
      .rejectsOnce(new AuthorizationPendingException({ message: 'pending', $metadata: {} }))
      .resolves({ accessToken: ACCESS_TOKEN, expiresIn: 3600, refreshToken: REFRESH_TOKEN });
    const flow = await sso().authorizeWithDevice();
    expect(flow).toMatchObject({ userCode: USER_CODE, verificationUri: 'https://device.sso.eu-west-1.amazonaws.com', verificationUriComplete: expect.stringContaining(USER_CODE) });
    expect(oidcMock.commandCalls(StartDeviceAuthorizationCommand)[0]!.args[0].input).toEqual({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, startUrl: CONFIG.startUrl });
    await expect(flow.tokens).resolves.toMatchObject({ accessToken: ACCESS_TOKEN, refreshToken: REFRESH_TOKEN });
    expect(sleeps).toEqual([1000, 1000, 6000, 6000]);
    expect(oidcMock.commandCalls(CreateTokenCommand).map((c) => c.args[0].input)).toEqual(
      Array(4).fill({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, grantType: 'urn:ietf:params:oauth:grant-type:device_code', deviceCode: DEVICE_CODE }),
    );
  });

  it('a refused or expired device code ends in plain words', async () => {
    oidcMock.on(RegisterClientCommand).resolves(registered());
    oidcMock.on(StartDeviceAuthorizationCommand).resolves({ deviceCode: DEVICE_CODE, expiresIn: 600, interval: 5, userCode: USER_CODE, verificationUri: 'https://device.sso.eu-west-1.amazonaws.com' });
    oidcMock.on(CreateTokenCommand).rejects(new AccessDeniedException({ message: 'denied', $metadata: {} }));
    await expect((await sso().authorizeWithDevice()).tokens).rejects.toMatchObject({ code: 'SIGN_IN_CONSENT_DENIED' });
    oidcMock.on(CreateTokenCommand).rejects(new ExpiredTokenException({ message: 'expired', $metadata: {} }));
    await expect((await sso().authorizeWithDevice()).tokens).rejects.toMatchObject({ code: 'SIGN_IN_TIMED_OUT' });
    // Never approved: gives up when the code's lifetime is over.
    oidcMock.on(CreateTokenCommand).rejects(new AuthorizationPendingException({ message: 'pending', $metadata: {} }));
    await expect((await sso().authorizeWithDevice()).tokens).rejects.toMatchObject({ code: 'SIGN_IN_TIMED_OUT' });
  });
});

describe('refresh, role credentials, logout', () => {
  it('refreshes with the same client, reports a rotated refresh token, and says the sign-in ended on invalid_grant', async () => {
    oidcMock.on(RegisterClientCommand).resolves(registered());
    const s = sso();
    const reg = await s.registration('authCode');
    oidcMock.on(CreateTokenCommand).resolvesOnce({ accessToken: 'new-access', expiresIn: 3600, refreshToken: ROTATED_REFRESH }).resolvesOnce({ accessToken: 'newer-access', expiresIn: 3600 });
    expect(await s.refresh(reg, REFRESH_TOKEN)).toMatchObject({ accessToken: 'new-access', refreshToken: ROTATED_REFRESH });
    expect(oidcMock.commandCalls(CreateTokenCommand)[0]!.args[0].input).toEqual({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, grantType: 'refresh_token', refreshToken: REFRESH_TOKEN });
    // No new refresh token in the answer: the caller keeps the old one.
    expect(await s.refresh(reg, ROTATED_REFRESH)).not.toHaveProperty('refreshToken');
    expect(records.filter((r) => r.type === 'signin.token').map((r) => r.rotated)).toEqual([true, false]);

    oidcMock.on(CreateTokenCommand).rejects(new InvalidGrantException({ message: 'Invalid grant provided', $metadata: { httpStatusCode: 400 } }));
    await expect(s.refresh(reg, ROTATED_REFRESH)).rejects.toMatchObject({ code: 'SIGN_IN_ENDED', message: 'Your company sign-in has ended — sign in again.', details: { awsCode: 'InvalidGrantException' } });
    oidcMock.on(CreateTokenCommand).rejects(new ExpiredTokenException({ message: 'expired', $metadata: { httpStatusCode: 400 } }));
    await expect(s.refresh(reg, ROTATED_REFRESH)).rejects.toMatchObject({ code: 'SIGN_IN_ENDED' });
  });

  it('GetRoleCredentials for the configured account and permission set (expiration in ms), with plain refusals', async () => {
    const expiration = now + 3600_000;
    ssoMock.on(GetRoleCredentialsCommand).resolves({
      roleCredentials: { accessKeyId: 'ASIAIDCEXAMPLE', secretAccessKey: 'idc-secret', sessionToken: 'idc-session-token', expiration },
    });
    expect(await sso().roleCredentials(ACCESS_TOKEN)).toEqual({ accessKeyId: 'ASIAIDCEXAMPLE', secretAccessKey: 'idc-secret', sessionToken: 'idc-session-token', expiration: new Date(expiration) });
    expect(ssoMock.commandCalls(GetRoleCredentialsCommand)[0]!.args[0].input).toEqual({ accessToken: ACCESS_TOKEN, accountId: '629470240201', roleName: 'HRUploaders' });

    ssoMock.on(GetRoleCredentialsCommand).rejects(new UnauthorizedException({ message: 'Session token not found or invalid', $metadata: { httpStatusCode: 401 } }));
    await expect(sso().roleCredentials(ACCESS_TOKEN)).rejects.toMatchObject({ code: 'IDENTITY_CENTER_TOKEN_REJECTED' });
    ssoMock.on(GetRoleCredentialsCommand).rejects(new SSOServiceException({ name: 'ForbiddenException', $fault: 'client', message: 'No access', $metadata: { httpStatusCode: 403 } }));
    await expect(sso().roleCredentials(ACCESS_TOKEN)).rejects.toMatchObject({
      code: 'IDENTITY_CENTER_ROLE_NOT_ASSIGNED',
      message: 'You are signed in, but Company1 does not give you the permission set “HRUploaders” in account 629470240201.',
    });
  });

  it('logout sends the access token to sso:Logout and never throws', async () => {
    ssoMock.on(LogoutCommand).resolves({});
    expect(await sso().logout(ACCESS_TOKEN)).toBe(true);
    expect(ssoMock.commandCalls(LogoutCommand)[0]!.args[0].input).toEqual({ accessToken: ACCESS_TOKEN });
    ssoMock.on(LogoutCommand).rejects(new UnauthorizedException({ message: 'x', $metadata: {} }));
    expect(await sso().logout(ACCESS_TOKEN)).toBe(false);
  });
});
