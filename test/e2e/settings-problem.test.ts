// A machine with broken settings: the window still opens (no services), app:info carries the problem, and the
// page shows it in plain words with the settings path. Once the file is fixed, "Try again" gets to sign-in
// without a restart (app:info retries building the services).
import fs from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { ensureRendererBuilt, launchChromium, pageBridgeScript, screenshot, startHarness, type Harness } from '../helpers/e2e-harness';

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  await ensureRendererBuilt();
  [h, browser] = await Promise.all([
    startHarness({ settingsText: 'apiVersion: grantbox.dev/v1\nkind: Settings\ngrants:\n  source: nowhere\n' }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('settings problem (end to end)', () => {
  it('opens and explains instead of failing', async () => {
    expect(h.info.settingsProblem?.code).toMatch(/^SETTINGS_/);
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    await page.addInitScript({ content: await pageBridgeScript() });
    await page.goto(h.url);
    await page.getByRole('heading', { name: 'Grantbox’s settings have a problem' }).waitFor({ timeout: 15_000 });
    await page.getByText('Details for IT').click();
    expect(await page.getByText(h.info.settingsPath).count()).toBeGreaterThan(0);
    await screenshot(page, '00-settings-problem');

    // Still broken: Try again keeps explaining.
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Grantbox’s settings have a problem' }).waitFor();
    expect(() => h.services).toThrow();

    await fs.writeFile(h.settingsPath, h.workingSettings);
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Sign in to upload files' }).waitFor({ timeout: 15_000 });
    expect(h.services.settingsPath).toBe(h.settingsPath);
  });
});
