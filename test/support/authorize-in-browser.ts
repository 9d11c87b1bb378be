import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Headless Chromium as the e2e tests run it: a fresh profile, nothing phoning home. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A browser context that reaches this machine only (oidc-provider's dev pages import a web font). */
export async function localOnlyContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  return context;
}

/** oidc-provider's own dev interaction pages: sign in (any login and password), then consent if asked. */
export async function signInAndConsent(page: Page, serverUrl: string): Promise<void> {
  await page.waitForURL(`${serverUrl}/**`);
  await page.fill('input[name="login"]', 'ops@example.com');
  await page.fill('input[name="password"]', 'any');
  await page.click('button[type="submit"]');
  await page.locator('button', { hasText: 'Continue' }).click();
}
