// End to end in real Chromium: the built renderer, window.api from the real preload (Electron transport faked),
// the real IPC registration and services, moto_server with the tutorial's world, the real gnome-keyring.
// The scenarios run in order in one window, like a person would: john signs in → HR documents listed → a file is
// dropped → progress → done → identical bytes in the bucket; the banner counts down and changes near expiry
// (the page's clock is fast-forwarded); the session log is exported; mallory, whom the role does not trust, gets
// the plain-language refusal. Every IPC payload is then checked for the secret keys and session tokens.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AwsClientFactory } from '../../main/services/aws/client-factory';
import { CONTENT_SECURITY_POLICY } from '../../main/app/security';
import type { QueueSnapshot } from '../../preload/contract';
import { ensureRendererBuilt, launchChromium, pageBridgeScript, screenshot, startHarness, type Harness } from '../helpers/e2e-harness';

const FILE_NAME = 'quarterly-report.bin';
const FILE_SIZE = 12 * 2 ** 20 + 12_345;
/** Request bytes to moto are paced so the upload lasts ~2 s and the window shows it in progress. */
const UPLOAD_RATE = 6 * 2 ** 20;

/** The bytes the page builds for the dropped file; the same formula here gives the expected hash. */
function expectedSha256(): string {
  const bytes = new Uint8Array(FILE_SIZE);
  for (let i = 0; i < FILE_SIZE; i++) bytes[i] = (Math.imul(i, 2654435761) >>> 24) & 0xff;
  return createHash('sha256').update(bytes).digest('hex');
}

// A grant that names mallory while the role's trust policy (the tutorial's) names only john: STS refuses her.
const PAYROLL_GRANT = `apiVersion: grantbox.dev/v1
kind: Grant
metadata:
  name: payroll-drop
  title: Payroll drop box
  description: Send payroll corrections to HR.
  contact: helpdesk@company1.example
spec:
  subjects:
    - arn:aws:iam::629470240201:user/mallory
  role:
    arn: arn:aws:iam::629470240201:role/JohnUploadRole
    duration: 1h
  target:
    region: us-east-1
    bucket: company1-hr
    prefix: ""
  permissions: [upload]
`;

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
/** Temporary credentials seen during the run: none may ever reach the renderer. */
const sessionSecrets: string[] = [];

beforeAll(async () => {
  await ensureRendererBuilt();
  const [harness, b, bridge] = await Promise.all([startHarness({ extraGrants: { 'payroll-drop.yaml': PAYROLL_GRANT }, uploadBytesPerSecond: UPLOAD_RATE }), launchChromium(), pageBridgeScript()]);
  h = harness;
  browser = b;
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  // The page's clock runs normally until a test fast-forwards it (the expiry banner).
  await page.clock.install();
  await page.addInitScript({ content: bridge });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function signIn(accessKeyId: string, secret: string): Promise<void> {
  await page.getByLabel('Access key ID').fill(accessKeyId);
  await page.getByLabel('Secret access key').fill(secret);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('Grantbox end to end (Chromium, real services, moto, gnome-keyring)', () => {
  it('serves the renderer with the strict CSP and opens on the sign-in screen', async () => {
    const res = await page.goto(h.url);
    expect(res?.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to upload files' }).isVisible(), { timeout: 15_000 }).toBe(true);
    await screenshot(page, '01-sign-in');
  });

  it('john signs in and sees HR documents', async () => {
    await signIn(h.world.john.accessKeyId, h.world.john.secretAccessKey);
    await page.getByTestId('signed-in-as').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('Signed in as john');
    await page.getByRole('heading', { name: 'HR documents' }).waitFor();
    // Only his grant: mallory's payroll grant is not listed for john.
    expect(await page.getByText('Payroll drop box').count()).toBe(0);
    await screenshot(page, '02-grants');
  });

  it('drops a file, shows progress, finishes, and the bucket holds identical bytes', async () => {
    await page.getByRole('button', { name: 'Start upload access' }).first().click();
    const zone = page.getByTestId('drop-zone-hr-upload');
    await zone.waitFor({ timeout: 20_000 });
    await screenshot(page, '03-session-active');

    const creds = await h.services.sessions.credentialProvider('hr-upload')();
    sessionSecrets.push(creds.secretAccessKey, ...(creds.sessionToken ? [creds.sessionToken] : []));

    const dataTransfer = await page.evaluateHandle(
      ({ name, size }) => {
        const bytes = new Uint8Array(size);
        for (let i = 0; i < size; i++) bytes[i] = (Math.imul(i, 2654435761) >>> 24) & 0xff;
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, { type: 'application/octet-stream' }));
        return dt;
      },
      { name: FILE_NAME, size: FILE_SIZE },
    );
    for (const type of ['dragenter', 'dragover', 'drop']) await zone.dispatchEvent(type, { dataTransfer });

    const row = page.locator(`li[aria-label="${FILE_NAME}"]`);
    await row.waitFor({ timeout: 20_000 });
    // Mid-upload: the row says uploading and its bar has moved.
    await page.locator(`li[aria-label="${FILE_NAME}"][data-state="uploading"]`).waitFor({ timeout: 20_000 });
    await expect
      .poll(() => row.locator('progress').evaluate((p: HTMLProgressElement) => p.value), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await screenshot(page, '04-uploading');
    await page.locator(`li[aria-label="${FILE_NAME}"][data-state="done"]`).waitFor({ timeout: 90_000 });
    await screenshot(page, '05-uploaded');

    // The finished file's receipt: what S3 stored, with the file's SHA-256, and Copy.
    const doneRow = page.locator(`li[aria-label="${FILE_NAME}"][data-state="done"]`);
    await doneRow.getByText('Receipt', { exact: true }).click();
    const receipt = doneRow.locator('details.receipt');
    expect(await receipt.innerText()).toContain(expectedSha256());
    expect(await receipt.innerText()).toContain(`s3://${h.world.bucket}/`);
    await receipt.getByRole('button', { name: `Copy the receipt of ${FILE_NAME}` }).click();
    await receipt.getByText(/Receipt copied\.|Copying did not work here/).waitFor();
    await screenshot(page, '05b-receipt');

    // Progress reached the window while it ran, and finished at the full size.
    const snapshots = h.payloads
      .filter((p) => p.kind === 'event' && p.channel === 'uploads:progress')
      .map((p) => (JSON.parse(p.json) as { payload: QueueSnapshot }).payload);
    const mine = snapshots.flatMap((s) => s.items.filter((i) => i.relativePath === FILE_NAME));
    expect(mine.some((i) => i.state === 'uploading' && i.bytesSent > 0 && i.bytesSent < FILE_SIZE)).toBe(true);
    expect(mine.at(-1)).toMatchObject({ state: 'done', bytesSent: FILE_SIZE, size: FILE_SIZE });
    expect(h.notifications.some((n) => n.title.startsWith('Upload finished'))).toBe(true);
    expect(h.progress.at(-1)).toBeNull();

    const key = mine.at(-1)!.key;
    const s3 = new AwsClientFactory({ region: h.world.region, endpoint: h.world.endpoint, forcePathStyle: true }, {}).s3({ credentials: creds, maxAttempts: 1 });
    try {
      const obj = await s3.send(new GetObjectCommand({ Bucket: h.world.bucket, Key: key }));
      const hash = createHash('sha256');
      for await (const chunk of obj.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
      expect(hash.digest('hex')).toBe(expectedSha256());
      expect(obj.ContentLength).toBe(FILE_SIZE);
    } finally {
      s3.destroy();
    }
  });

  it('the banner counts down and changes at 10 minutes, 2 minutes and the end', async () => {
    const countdown = page.getByTestId('session-countdown');
    await countdown.waitFor();
    const first = await countdown.textContent();
    await page.clock.fastForward(3_000);
    await expect.poll(() => countdown.textContent(), { timeout: 5_000 }).not.toBe(first);

    const session = h.services.sessions.list().find((s) => s.grant === 'hr-upload')!;
    const pageNow = await page.evaluate(() => Date.now());
    const msLeft = Date.parse(session.expiresAt) - pageNow;
    expect(msLeft).toBeGreaterThan(10 * 60_000);

    const banner = (level: string) => page.locator(`[data-testid="session-banner-hr-upload"][data-level="${level}"]`);
    expect(await banner('ok').count()).toBe(1);

    await page.clock.fastForward(msLeft - 9 * 60_000);
    await banner('soon').waitFor({ timeout: 10_000 });
    await screenshot(page, '06-banner-10-minutes');

    await page.clock.fastForward(7.5 * 60_000);
    await banner('urgent').waitFor({ timeout: 10_000 });
    await screenshot(page, '07-banner-2-minutes');

    await page.clock.fastForward(2 * 60_000);
    await banner('ended').waitFor({ timeout: 10_000 });
    expect(await banner('ended').textContent()).toContain('Upload access to HR documents ended');
    expect(await page.getByRole('button', { name: 'Renew' }).isVisible()).toBe(true);
    await screenshot(page, '08-access-ended');
  });

  it('exports the session log through Help', async () => {
    const target = path.join(h.tmp, 'helpdesk-export.jsonl');
    h.dialogs.savePath = target;
    await page.getByRole('button', { name: 'Help' }).click();
    await page.getByRole('button', { name: 'Export session log…' }).click();
    await page.getByText('Saved the session log').waitFor({ timeout: 15_000 });
    await screenshot(page, '09-log-exported');
    const text = await fs.readFile(target, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [h.world.john.secretAccessKey, ...sessionSecrets]) expect(text).not.toContain(secret);
  });

  it('mallory, whom the role does not trust, sees the plain-language refusal', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to upload files' }).waitFor({ timeout: 15_000 });
    await signIn(h.world.mallory.accessKeyId, h.world.mallory.secretAccessKey);
    await page.getByRole('heading', { name: 'Payroll drop box' }).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('Signed in as mallory');
    await page.getByRole('button', { name: 'Start upload access' }).first().click();

    // What main answered, and that the same plain sentence is on screen (no raw AWS error).
    await expect
      .poll(() => h.payloads.filter((p) => p.kind === 'result' && p.channel === 'session:assume' && p.json.includes('"ok":false')).length, { timeout: 20_000 })
      .toBeGreaterThan(0);
    const refusal = h.payloads.filter((p) => p.kind === 'result' && p.channel === 'session:assume' && p.json.includes('"ok":false')).at(-1)!;
    const error = (JSON.parse(refusal.json) as { error: { code: string; message: string } }).error;
    expect(error.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(error.message).not.toMatch(/AccessDenied|is not authorized to perform|sts:AssumeRole/);
    await page.getByText(error.message, { exact: false }).first().waitFor({ timeout: 10_000 });
    await screenshot(page, '10-mallory-refused');
  });

  it('no IPC payload carried a secret key or a session token to the renderer', () => {
    expect(h.payloads.length).toBeGreaterThan(20);
    expect(sessionSecrets.length).toBeGreaterThanOrEqual(2);
    const typedSecrets = [h.world.john.secretAccessKey, h.world.mallory.secretAccessKey];
    for (const p of h.payloads) {
      // Temporary credentials never cross IPC in either direction.
      for (const s of sessionSecrets) expect(p.json.includes(s), `${p.kind} ${p.channel}`).toBe(false);
      // Long-term secrets cross once, renderer → main, when typed into sign-in; never back.
      const mayCarryTyped = p.direction === 'renderer→main' && p.channel === 'identity:signIn';
      if (!mayCarryTyped) for (const s of typedSecrets) expect(p.json.includes(s), `${p.kind} ${p.channel}`).toBe(false);
    }
  });

  it('the page ran without script errors or CSP violations', () => {
    // Failed requests the app handles itself (e.g. the refused session) may log; CSP or uncaught errors may not.
    expect(pageErrors.filter((e) => /Content Security Policy|Uncaught|TypeError|ReferenceError/.test(e))).toEqual([]);
  });
});
