import { Page, expect, test as base } from '@playwright/test';

export { expect };
export type { Page };

// Every test fails on a Content-Security-Policy violation: the server's policy allows only
// its own scripts, wasm and styles, and a page that needs more is broken for users. The
// browser reports violations as console errors and as `securitypolicyviolation` events.
export const test = base.extend({
  page: async ({ page }, use) => {
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`Content Security Policy violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
      });
    });
    await use(page);
    expect(violations, 'Content-Security-Policy violations').toEqual([]);
  },
});

export const CONTOSO = 'c0a7e5f0-0000-4000-8000-000000000001';
export const DEMO_PASSWORD = 'rampart-demo';

// Signs in through the real form (works with and without JavaScript).
export async function signIn(page: Page, email: string, next = '/') {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#signed-in-as')).toHaveText(email);
}

// A peer tenant of the service provider, its Overview path: changes made there leave
// Contoso as other tests expect.
export async function openPeer(page: Page): Promise<string> {
  await signIn(page, 'msp@provider.example');
  const link = page.locator('#tenant-list tbody tr a').filter({ hasNotText: 'Contoso' }).nth(1);
  await link.click();
  await expect(page.locator('#score-percent')).toBeVisible();
  return new URL(page.url()).pathname;
}

// Marks the page; `samePage` then says whether it is still the same document (a form post
// without JavaScript loads a new one).
export async function markPage(page: Page) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  await page.evaluate(() => { (window as any).samePage = true; });
}

export async function samePage(page: Page): Promise<boolean> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return page.evaluate(() => (window as any).samePage === true);
}
