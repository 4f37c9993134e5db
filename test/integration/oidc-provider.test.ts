// The local OpenID Provider rig (main/services/sandbox/oidc-provider.ts) behaves like a company IdP: checked with
// the certified client library (openid-client) and real Chromium on its real pages — nothing mocked.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Browser } from 'playwright-core';
import { startOidcProvider, type OidcProviderRig } from '../../main/services/sandbox/oidc-provider';
import { launchChromium } from '../helpers/e2e-harness';
import { approveDevice, signInInBrowser } from '../helpers/oidc-browser';

let rig: OidcProviderRig;
let browser: Browser;
let config: client.Configuration;

beforeAll(async () => {
  [rig, browser] = await Promise.all([startOidcProvider(), launchChromium()]);
  config = await client.discovery(new URL(rig.issuer), rig.clientId, undefined, client.None(), { execute: [client.allowInsecureRequests] });
});
afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

/** A loopback redirect on a random port that shows a plain page and hands back the URL it was called with. */
async function loopback(): Promise<{ redirectUri: string; called: Promise<URL>; close(): void }> {
  let resolve!: (u: URL) => void;
  const called = new Promise<URL>((r) => (resolve = r));
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('You can close this tab.');
    resolve(new URL(req.url ?? '/', `http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/callback`, called, close: () => server.close() };
}

async function browserSignIn(login: 'john' | 'mallory') {
  const lb = await loopback();
  try {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: lb.redirectUri,
      scope: 'openid profile email groups offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const { page, text } = await signInInBrowser(browser, url.href, rig.users[login]!);
    await page.close();
    expect(text).toBe('You can close this tab.');
    return await client.authorizationCodeGrant(config, await lb.called, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  } finally {
    lb.close();
  }
}

describe('local OpenID Provider rig', () => {
  it('publishes discovery at an issuer with a path, for a public PKCE client', async () => {
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(rig.issuer);
    expect(rig.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/realms\/company1$/);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.revocation_endpoint).toBe(`${rig.issuer}/token/revocation`);
    expect(meta.device_authorization_endpoint).toBe(`${rig.issuer}/device/auth`);
    expect(meta.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']));
  });

  it('browser sign-in (PKCE, any loopback port): signed ID token with email and groups, a refresh token that rotates', async () => {
    const tokens = await browserSignIn('john');
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: rig.issuer, aud: rig.clientId, sub: 'john', email: 'john@company1.example', preferred_username: 'john', groups: ['hr-staff'] });
    const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(rig.jwksUri)), { issuer: rig.issuer, audience: rig.clientId });
    expect(payload.exp! * 1000).toBeGreaterThan(Date.now());
    expect(tokens.refresh_token).toBeTruthy();
    expect(rig.issuedTokens()).toContain(tokens.refresh_token);

    const before = rig.refreshRequests();
    const next = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(rig.refreshRequests()).toBe(before + 1);
    expect(next.refresh_token).toBeTruthy();
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(next.claims()).toMatchObject({ sub: 'john', groups: ['hr-staff'] });
    // Rotation: the old refresh token is spent.
    expect(await rig.isRefreshTokenActive(tokens.refresh_token!)).toBe(false);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(rig.refreshRequests()).toBe(before + 2);
  });

  it('refuses a wrong password on its login page', async () => {
    const page = await browser.newPage();
    const verifier = client.randomPKCECodeVerifier();
    await page.goto(client.buildAuthorizationUrl(config, { redirect_uri: 'http://127.0.0.1:9/oauth/callback', scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 's' }).href);
    await page.locator('input[name="login"]').fill('john');
    await page.locator('input[name="password"]').fill('not-his-password');
    await page.locator('button[type="submit"]').click();
    await expect(page.locator('#wrong-password').innerText()).resolves.toBe('Wrong user name or password.');
    await page.close();
  });

  it('device flow approved in the browser; mallory has no hr-staff group', async () => {
    const device = await client.initiateDeviceAuthorization(config, { scope: 'openid profile email groups offline_access' });
    expect(device.verification_uri_complete).toContain(device.user_code);
    const polling = client.pollDeviceAuthorizationGrant(config, device);
    const page = await approveDevice(browser, device.verification_uri_complete!, rig.users.mallory!);
    expect(page).toMatch(/Sign-in Success/i);
    const tokens = await polling;
    expect(tokens.claims()).toMatchObject({ sub: 'mallory', email: 'mallory@company1.example', groups: ['contractors'] });
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('revoking a user (IT disabled the account) ends their refresh token; revocation requests are counted', async () => {
    const tokens = await browserSignIn('john');
    await rig.revokeUser('john');
    expect(await rig.isRefreshTokenActive(tokens.refresh_token!)).toBe(false);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    const again = await browserSignIn('john');
    const revocations = rig.revocationRequests();
    await client.tokenRevocation(config, again.refresh_token!, { token_type_hint: 'refresh_token' });
    expect(rig.revocationRequests()).toBe(revocations + 1);
    expect(await rig.isRefreshTokenActive(again.refresh_token!)).toBe(false);
  });

  it('can be taken down and brought back on the same port', async () => {
    await rig.down();
    await expect(fetch(`${rig.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
    await rig.up();
    expect((await fetch(`${rig.issuer}/.well-known/openid-configuration`)).status).toBe(200);
  });
});
