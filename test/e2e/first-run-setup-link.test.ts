// First run with no settings at all, end to end in real Chromium against the real IPC handlers: the screen asks for
// IT's setup link; pasting one and choosing Check link shows exactly what it configures (grants location, region);
// nothing is written until "Set up Grantbox", which writes settings.yaml in the data folder and lands on sign-in
// with the services started from it. A damaged link is refused with the reason, and writes nothing.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { makeSetupLink } from '../../main/services/settings';
import { ensureRendererBuilt, launchChromium, pageBridgeScript, screenshot, startHarness, type Harness } from '../helpers/e2e-harness';

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  await ensureRendererBuilt();
  [h, browser] = await Promise.all([startHarness({ firstRun: true }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('first run with a setup link (end to end)', () => {
  it('asks for the link, shows what it sets up, and applies only on confirm', async () => {
    expect(h.info.settingsProblem?.code).toBe('SETTINGS_MISSING');
    expect(fs.existsSync(h.settingsPath)).toBe(false);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.addInitScript({ content: await pageBridgeScript() });
    await page.goto(h.url);
    await page.getByRole('heading', { name: 'Ask your IT team for your Grantbox setup link' }).waitFor({ timeout: 15_000 });

    // A damaged link first: refused, with the reason; nothing written.
    const good = makeSetupLink(h.workingSettings);
    await page.getByLabel('Setup link').fill(good.slice(0, 30) + '%%' + good.slice(32));
    await page.getByRole('button', { name: 'Check link' }).click();
    await page.getByText('This setup link is damaged').waitFor();
    expect(fs.existsSync(h.settingsPath)).toBe(false);

    await page.getByLabel('Setup link').fill(good);
    await page.getByRole('button', { name: 'Check link' }).click();
    const card = page.getByRole('region', { name: 'What this link sets up' });
    await card.waitFor();
    const grantsDir = /path: "(.*)"/.exec(h.workingSettings)![1]!;
    expect(await card.textContent()).toContain(`a folder on this computer (${grantsDir})`);
    expect(await card.textContent()).toContain('us-east-1');
    expect(await card.textContent()).toContain(h.settingsPath);
    await page.getByText('Details for IT').click();
    await screenshot(page, '00-first-run-setup-link');
    // Checked, shown — and still not written.
    expect(fs.existsSync(h.settingsPath)).toBe(false);

    await card.getByRole('button', { name: 'Set up Grantbox' }).click();
    await page.getByRole('heading', { name: 'Sign in to upload files' }).waitFor({ timeout: 15_000 });
    expect(fs.readFileSync(h.settingsPath, 'utf8')).toContain(h.workingSettings);
    expect(path.dirname(h.settingsPath)).toBe(process.env.GRANTBOX_HOME);
    expect(h.services.settingsPath).toBe(h.settingsPath);
  });
});
