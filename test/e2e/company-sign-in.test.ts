// Company sign-in end to end in real Chromium: the built renderer with the real preload, IPC registration and
// services; the real local OpenID Provider (npm oidc-provider); moto with the provider registered as an IAM OIDC
// identity provider trusted by the tutorial role. A second Chromium page plays the person's default browser: main
// asks it (shell.openSignInPage) to open the provider's page, where john logs in. Then: his file lands byte-exact;
// the provider revokes his sign-in mid-session → "sign in again", the queue waits, the upload completes after he
// signs in again; mallory (group contractors) is told in plain words that no upload place is set up for her.
// Screenshots of each new screen go to artifacts/screenshots/company-*.png.
import { createHash } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { COMPANY_GRANT_YAML as COMPANY_GRANT } from '../../main/services/sandbox/seed';
import type { QueueSnapshot } from '../../preload/contract';
import { ensureRendererBuilt, launchChromium, pageBridgeScript, screenshot, startHarness, type Harness } from '../helpers/e2e-harness';
import { submitLogin } from '../helpers/oidc-browser';

let h: Harness;
let browser: Browser;
let app: BrowserContext;
let page: Page;
/** The "default browser": its own context, like a separate program. */
let defaultBrowser: BrowserContext;
const pageErrors: string[] = [];
const timings: Record<string, number> = {};

beforeAll(async () => {
  await ensureRendererBuilt();
  const [harness, b, bridge] = await Promise.all([startHarness({ companySignIn: true, extraGrants: { 'hr-company.yaml': COMPANY_GRANT }, uploadBytesPerSecond: 2 * 2 ** 20 }), launchChromium(), pageBridgeScript()]);
  h = harness;
  browser = b;
  app = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  defaultBrowser = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  page = await app.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.addInitScript({ content: bridge });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
  if (Object.keys(timings).length) console.log(`company sign-in timings (ms): ${JSON.stringify(timings)}`);
});

/** The next sign-in page main opens, as the default browser shows it. */
function nextSignInPage(): Promise<Page> {
  return new Promise((resolve, reject) => {
    h.browser.open = async (url) => {
      h.browser.open = undefined;
      try {
        const p = await defaultBrowser.newPage();
        await p.goto(url);
        resolve(p);
      } catch (e) {
        reject(e);
      }
    };
  });
}

function fileBytes(size: number, seed: number): number[] {
  return Array.from({ length: size }, (_, i) => (Math.imul(i + seed, 2654435761) >>> 24) & 0xff);
}

async function drop(name: string, bytes: number[]): Promise<void> {
  const zone = page.getByTestId('drop-zone-hr-company');
  const dataTransfer = await page.evaluateHandle(
    ({ name, bytes }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], name, { type: 'application/octet-stream' }));
      return dt;
    },
    { name, bytes },
  );
  for (const type of ['dragenter', 'dragover', 'drop']) await zone.dispatchEvent(type, { dataTransfer });
}

async function storedHash(name: string): Promise<string> {
  const snap = h.services.uploads.snapshot() as QueueSnapshot;
  const key = snap.items.find((i) => i.relativePath === name)!.key;
  // moto runs with auth off in this world: any keys read the bucket, as its admin would.
  const s3 = new AwsClientFactory({ region: h.world.region, endpoint: h.world.endpoint, forcePathStyle: true }, {}).s3({ credentials: { accessKeyId: 'AKIAADMIN', secretAccessKey: 'x' }, maxAttempts: 1 });
  try {
    const obj = await s3.send(new GetObjectCommand({ Bucket: h.world.bucket, Key: key }));
    const hash = createHash('sha256');
    for await (const chunk of obj.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
    return hash.digest('hex');
  } finally {
    s3.destroy();
  }
}

const sha256 = (bytes: number[]) => createHash('sha256').update(Buffer.from(bytes)).digest('hex');

describe('company sign-in (Chromium, real OpenID Provider, real services, moto)', () => {
  it('john signs in with the company button in his default browser and starts upload access', async () => {
    await page.goto(h.url);
    const button = page.getByRole('button', { name: 'Sign in with Company1' });
    await button.waitFor({ timeout: 20_000 });
    expect(await page.getByLabel('Access key ID').count()).toBe(0);
    await screenshot(page, 'company-01-sign-in');

    const providerPage = nextSignInPage();
    const clicked = Date.now();
    await button.click();
    await page.getByTestId('company-sign-in-waiting').waitFor();
    const login = await providerPage;
    await login.locator('input[name="login"]').waitFor();
    timings.clickToProviderPage = Date.now() - clicked;
    await screenshot(page, 'company-02-waiting-for-browser');
    await page.getByRole('button', { name: 'Copy sign-in link' }).click();
    await page.getByRole('button', { name: 'Link copied' }).waitFor();
    expect(h.clipboard).toEqual([h.signInPages[0]]);
    await screenshot(login, 'company-03-provider-login');

    // Typing is excluded from the measurement: fill, then time from the submit click.
    await login.locator('input[name="login"]').fill(h.rig!.users.john!.login);
    await login.locator('input[name="password"]').fill(h.rig!.users.john!.password);
    const submitted = Date.now();
    await login.locator('button[type="submit"]').click();
    await login.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback/, { timeout: 15_000 });
    expect(await login.locator('body').innerText()).toContain('You can close this tab');
    await screenshot(login, 'company-04-browser-done');
    await login.close();

    await page.getByTestId('signed-in-as').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('signed-in-as').textContent()).toBe('Signed in as john@company1.example (Company1)');
    await page.getByRole('button', { name: 'Start upload access' }).first().click();
    await page.getByText('Upload access on').first().waitFor({ timeout: 20_000 });
    timings.submitToUploadAccessOn = Date.now() - submitted;
    timings.clickToUploadAccessOnExcludingTyping = timings.clickToProviderPage + timings.submitToUploadAccessOn;
    await screenshot(page, 'company-05-signed-in');
    // Only the grant for his group: the tutorial's IAM-user grant is not offered to a company identity.
    expect(await page.getByRole('heading', { name: 'HR team drop box' }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'HR documents' }).count()).toBe(0);
    expect(h.services.sessions.list()).toEqual([expect.objectContaining({ grant: 'hr-company', state: 'active', sessionName: 'john@company1.example-hr-company' })]);
  });

  it('drops a file and it lands byte-exact', async () => {
    const bytes = fileBytes(300_000, 1);
    await drop('signed-form.pdf', bytes);
    await page.locator('li[aria-label="signed-form.pdf"][data-state="done"]').waitFor({ timeout: 60_000 });
    expect(await storedHash('signed-form.pdf')).toBe(sha256(bytes));
  });

  it('the provider revokes john mid-session: "sign in again", the queue waits, and the upload completes after signing in again', async () => {
    await h.rig!.revokeUser('john');
    // An ID token obtained in the last 5 s is shared rather than refreshed again (app and CLI renewing together):
    // let that window pass so the renewal really asks the provider.
    await new Promise((r) => setTimeout(r, 5_500));
    // The next renewal (what the refresh timer does near expiry) asks the provider, which refuses.
    await expect(h.services.sessions.extend('hr-company')).rejects.toMatchObject({ code: 'SIGN_IN_ENDED' });
    const banner = page.getByRole('region', { name: 'Company sign-in ended' });
    await banner.waitFor({ timeout: 20_000 });
    expect(await banner.textContent()).toContain('Your company sign-in has ended — sign in again.');

    const bytes = fileBytes(200_000, 2);
    await drop('after-revoke.pdf', bytes);
    await page.getByText('Waiting for you to sign in again — your uploads continue after that.').waitFor({ timeout: 20_000 });
    await page.locator('li[aria-label="after-revoke.pdf"][data-state="queued"]').waitFor({ timeout: 20_000 });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await page.locator('li[aria-label="after-revoke.pdf"]').getAttribute('data-state')).toBe('queued');
    await screenshot(page, 'company-06-sign-in-ended');

    const providerPage = nextSignInPage();
    await banner.getByRole('button', { name: 'Sign in again with Company1' }).click();
    const login = await providerPage;
    await submitLogin(login, h.rig!.users.john!);
    await login.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback/, { timeout: 15_000 });
    await login.close();
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    await page.locator('li[aria-label="after-revoke.pdf"][data-state="done"]').waitFor({ timeout: 60_000 });
    expect(await storedHash('after-revoke.pdf')).toBe(sha256(bytes));
    // The first upload is still listed: nothing was cleared by signing in again.
    expect(await page.locator('li[aria-label="signed-form.pdf"]').count()).toBe(1);
    await screenshot(page, 'company-07-continued-after-sign-in');
  });

  it('mallory, whose groups match no grant, is told so in plain words', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    // Another person at the browser: the provider must not recognise john's browser session.
    await defaultBrowser.clearCookies();
    const button = page.getByRole('button', { name: 'Sign in with Company1' });
    await button.waitFor({ timeout: 20_000 });
    const providerPage = nextSignInPage();
    await button.click();
    const login = await providerPage;
    await submitLogin(login, h.rig!.users.mallory!);
    await login.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback/, { timeout: 15_000 });
    await login.close();
    const empty = page.getByTestId('no-grants');
    await empty.waitFor({ timeout: 20_000 });
    expect(await empty.textContent()).toBe(
      'You are signed in as mallory@company1.example, but none of the upload places is set up for your groups at Company1 (contractors). Ask your IT team to give you access. When they have, choose Help → Check for grant updates.',
    );
    await screenshot(page, 'company-08-no-grants-for-mallory');
  });

  it('no token reached the page, and the page never saw the sign-in link', async () => {
    const tokens = h.rig!.issuedTokens();
    expect(tokens.length).toBeGreaterThan(0);
    const all = h.payloads.map((p) => p.json).join('\n');
    for (const t of tokens) expect(all).not.toContain(t);
    for (const link of h.signInPages) expect(all).not.toContain(new URL(link).searchParams.get('code_challenge')!);
    expect(pageErrors).toEqual([]);
  });
});
