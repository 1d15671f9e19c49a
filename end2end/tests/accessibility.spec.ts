import AxeBuilder from '@axe-core/playwright';
import { Browser, BrowserContext } from '@playwright/test';
import { CONTOSO, expect, signIn, test, Page } from './helpers';

// axe-core on every page, signed in with a read-write and a read-only role, in both
// projects: no serious or critical violation. axe runs as a script in the page, so the no-JS
// project looks at the page a browser without JavaScript gets — the server's HTML with the
// app's own scripts and wasm refused — in a context where axe itself may run.

const PAGES = [
  '/',
  `/tenants/${CONTOSO}`,
  `/tenants/${CONTOSO}/actions`,
  `/tenants/${CONTOSO}/actions?action=AllUsersMFA`,
  `/tenants/${CONTOSO}/actions/AllUsersMFA`,
  `/tenants/${CONTOSO}/history`,
  `/tenants/${CONTOSO}/metrics`,
  `/tenants/${CONTOSO}/report?range=90d`,
  `/tenants/${CONTOSO}/settings`,
  '/account',
];

async function contextFor(browser: Browser, hydrated: boolean, baseURL?: string): Promise<BrowserContext> {
  const context = await browser.newContext({ javaScriptEnabled: true, baseURL });
  if (!hydrated) {
    await context.route(/\.(js|wasm)(\?.*)?$/, (route) => route.abort());
  }
  return context;
}

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

test('the sign-in page has no serious accessibility violation', async ({ browser }, info) => {
  const context = await contextFor(browser, info.project.name !== 'no-js', info.project.use.baseURL);
  const page = await context.newPage();
  await page.goto('/sign-in');
  expect(await seriousViolations(page)).toEqual([]);
  await context.close();
});

for (const [role, email] of [
  ['read-write', 'admin@contoso.example'],
  ['read-only', 'reader@contoso.example'],
  // A service provider: the portfolio page carries its portfolio alerts and reports.
  ['portfolio', 'msp@provider.example'],
]) {
  test(`every page has no serious accessibility violation, ${role}`, async ({ browser }, info) => {
    test.setTimeout(120_000);
    const hydrated = info.project.name !== 'no-js';
    const context = await contextFor(browser, hydrated, info.project.use.baseURL);
    const page = await context.newPage();
    await signIn(page, email);
    const found: Record<string, string[]> = {};
    for (const path of PAGES) {
      await page.goto(path);
      await page.waitForLoadState('networkidle');
      if (hydrated && path.includes('/tenants/') && !path.includes('settings') && !path.includes('/actions') && !path.includes('/report')) {
        // Charts are part of the page once drawn: look at them too.
        await expect(page.locator('.chart canvas').first()).toBeVisible({ timeout: 15_000 });
      }
      const violations = await seriousViolations(page);
      if (violations.length) found[path] = violations;
    }
    expect(found).toEqual({});
    await context.close();
  });
}
