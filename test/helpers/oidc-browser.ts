// Debian's Chromium standing in for the person's default browser on the local OpenID Provider's pages
// (main/services/sandbox/oidc-provider.ts): the login page, the device-code confirmation, the abort link.
import type { Browser, Page } from 'playwright-core';
import type { RigUser } from '../../main/services/sandbox/oidc-provider';

/** Fills the provider's login page (already open in `page`) and submits it. */
export async function submitLogin(page: Page, user: Pick<RigUser, 'login' | 'password'>): Promise<void> {
  await page.locator('input[name="login"]').fill(user.login);
  await page.locator('input[name="password"]').fill(user.password);
  await page.locator('button[type="submit"]').click();
}

/**
 * Opens an authorization URL as the default browser would, signs in, and waits until the provider hands the
 * browser back to the loopback redirect (whose page text is returned).
 */
export async function signInInBrowser(browser: Browser, url: string, user: Pick<RigUser, 'login' | 'password'>): Promise<{ page: Page; text: string }> {
  const page = await browser.newPage();
  await page.goto(url);
  await submitLogin(page, user);
  await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback/, { timeout: 15_000 });
  return { page, text: (await page.locator('body').innerText()).trim() };
}

const pending = new Set<Promise<void>>();

/**
 * The default browser behind an `openUrl` callback: signs in without blocking the caller (which is waiting for the
 * loopback redirect). Call `settleBrowserSignIns()` after each test: it waits for the page to finish and fails the
 * test with the browser's error, instead of a rejection that outlives the test and the browser.
 */
export function signInInBackground(browser: Browser, url: string, user: Pick<RigUser, 'login' | 'password'>): void {
  const run = signInInBrowser(browser, url, user).then(({ page }) => page.close());
  pending.add(run);
  run.then(
    () => pending.delete(run),
    () => undefined, // kept in `pending`: settleBrowserSignIns() reports it
  );
}

export async function settleBrowserSignIns(): Promise<void> {
  const runs = [...pending];
  pending.clear();
  await Promise.all(runs);
}

/** Device flow: opens the verification link, confirms the code, signs in, and waits for the provider's success page. */
export async function approveDevice(browser: Browser, verificationUrl: string, user: Pick<RigUser, 'login' | 'password'>, options: { abort?: boolean } = {}): Promise<string> {
  const page = await browser.newPage();
  try {
    await page.goto(verificationUrl);
    if (options.abort) {
      await page.locator('button[name="abort"]').click();
    } else {
      await page.getByRole('button', { name: 'Continue' }).click();
      await submitLogin(page, user);
    }
    await page.waitForLoadState('load');
    return (await page.locator('body').innerText()).trim();
  } finally {
    await page.close();
  }
}
