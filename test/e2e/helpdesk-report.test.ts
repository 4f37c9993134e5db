// The helpdesk report's HTML page in real Chromium: a failing day's export (recorded through the real session log
// and export writer) rendered, opened from disk with nothing else reachable, no console errors or blocked loads,
// the likely causes on top; screenshot in artifacts/screenshots/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { reportFromExport, renderHtml } from '../../main/services/audit/report';
import { recordFailingDay } from '../helpers/failing-day';
import { launchChromium, screenshot } from '../helpers/e2e-harness';

let browser: Browser;
let tmp: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-report-e2e-'));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('renders the failing day’s report as one self-contained page with the causes first', async () => {
  const html = path.join(tmp, 'report.html');
  fs.writeFileSync(html, renderHtml(await reportFromExport(await recordFailingDay(tmp))));
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${html}`);
  const causes = page.locator('ul.causes > li');
  expect(await causes.count()).toBe(3);
  expect(await causes.nth(0).innerText()).toContain('Wrong or deactivated access keys since 2026-12-03 08:55:40 UTC');
  expect(await causes.nth(1).innerText()).toContain('The access ran out at 2026-12-03 09:02:40 UTC');
  expect(await causes.nth(2).innerText()).toContain('only accepts encrypted files');
  // The receipt opens in place, with no script.
  await page.locator('details.receipt summary').first().click();
  expect(await page.locator('details.receipt').first().innerText()).toContain('sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
  expect(await page.evaluate(() => document.scripts.length)).toBe(0);
  await screenshot(page, 'helpdesk-report');
  expect(problems).toEqual([]);
  expect(requests).toEqual([`file://${html}`]);
  await page.close();
});
