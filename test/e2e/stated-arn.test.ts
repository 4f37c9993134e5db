// End to end in real Chromium against a storage endpoint that cannot say who a key belongs to (GetCallerIdentity
// answers 501, as on S3-compatible services): john signs in with his keys AND his user ARN from the sign-in
// screen's Advanced part, lands in the workspace marked "not confirmed" with the service's note, sees the grant
// naming that ARN, and his upload access really starts (AssumeRole with his keys, through real IPC and services).
import type { Browser, Page } from 'playwright-core';
import { ensureRendererBuilt, launchChromium, pageBridgeScript, screenshot, startHarness, type Harness } from '../helpers/e2e-harness';

const JOHN_ARN = 'arn:aws:iam::629470240201:user/john';

let h: Harness;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  await ensureRendererBuilt();
  const [harness, b, bridge] = await Promise.all([startHarness({ refuseGetCallerIdentity: true }), launchChromium(), pageBridgeScript()]);
  h = harness;
  browser = b;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.addInitScript({ content: bridge });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('sign-in with a stated ARN (no GetCallerIdentity)', () => {
  it('john states his ARN, is shown unconfirmed with the note, and his grant works', async () => {
    await page.goto(h.url);
    await page.getByLabel('Access key ID').fill(h.world.john.accessKeyId);
    await page.getByLabel('Secret access key').fill(h.world.john.secretAccessKey);
    const arnField = page.getByLabel('Your user ARN');
    expect(await arnField.isVisible()).toBe(false);
    await page.getByText('my company’s storage can’t confirm who I am').click();
    await arnField.fill(JOHN_ARN);
    await screenshot(page, 'stated-arn-01-sign-in');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    const notice = page.getByRole('region', { name: 'Sign-in not confirmed' });
    await notice.waitFor({ timeout: 20_000 });
    expect(await notice.textContent()).toContain('Your keys were accepted by the storage service, but it cannot say whose they are');
    expect(await notice.textContent()).toContain(`Grantbox is using the ARN you entered: ${JOHN_ARN}`);
    expect(await page.getByTestId('signed-in-as').textContent()).toBe('Signed in as john (account 629470240201, not confirmed)');
    // The grant names john's ARN: it matches the stated one.
    await page.getByRole('heading', { name: 'HR documents' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Start upload access' }).first().click();
    await page.getByRole('region', { name: 'Upload access to HR documents' }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'stated-arn-02-workspace');

    const sent = h.payloads.filter((p) => p.direction === 'renderer→main' && p.channel === 'identity:signIn');
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.json)).toMatchObject({ arg: { accessKeyId: h.world.john.accessKeyId, arn: JOHN_ARN } });
    expect(await h.services.identity.current()).toMatchObject({ arn: JOHN_ARN, verified: false });
    expect(h.services.sessions.list()).toEqual([expect.objectContaining({ grant: 'hr-upload', state: 'active' })]);
    await h.services.sessions.end('hr-upload');
    expect(pageErrors).toEqual([]);
  });
});
