import { CONTOSO, signIn, expect, test, Page } from './helpers';

// What every tenant page shares, on a laptop and on a phone, in light and dark.

const TABS = ['Overview', 'Improvement actions', 'History', 'Metrics & trends', 'Settings'];
const TENANT_PAGES: [string, string][] = [
  [`/tenants/${CONTOSO}`, 'Overview'],
  [`/tenants/${CONTOSO}/actions`, 'Improvement actions'],
  [`/tenants/${CONTOSO}/actions/AllUsersMFA`, 'Improvement actions'],
  [`/tenants/${CONTOSO}/history`, 'History'],
  [`/tenants/${CONTOSO}/metrics`, 'Metrics & trends'],
  [`/tenants/${CONTOSO}/settings`, 'Settings'],
];

async function pageOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test('every tenant page has the same five tabs with its own marked', async ({ page }) => {
  await signIn(page, 'admin@contoso.example');
  for (const [path, current] of TENANT_PAGES) {
    await page.goto(path);
    const tabs = page.getByRole('navigation', { name: 'Tenant pages' }).getByRole('link');
    await expect(tabs).toHaveText(TABS);
    await expect(page.locator('.tenant-nav [aria-current="page"]')).toHaveText(current);
  }
});

test('on a phone nothing overflows the page, in light and dark', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, 'admin@contoso.example');
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const path of ['/', ...TENANT_PAGES.map(([p]) => p), `/tenants/${CONTOSO}/actions?action=AllUsersMFA`, '/account']) {
      await page.goto(path);
      await page.waitForLoadState('networkidle');
      expect(await pageOverflow(page), `${path} in ${scheme}: wider than the phone`).toBeLessThanOrEqual(0);
    }
  }
});

test('dark mode covers the whole page and keeps the Delete button readable', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await signIn(page, 'admin@contoso.example', `/tenants/${CONTOSO}/metrics`);
  await page.goto(`/tenants/${CONTOSO}/metrics`);
  const colours = await page.evaluate(() => {
    const bg = (e: Element) => getComputedStyle(e).backgroundColor;
    const button = document.querySelector('.delete-comparison button')!;
    return { body: bg(document.body), card: bg(document.querySelector('.card')!),
      buttonText: getComputedStyle(button).color, buttonBg: bg(button) };
  });
  // Dark backgrounds: each channel low.
  for (const c of [colours.body, colours.card]) {
    const [r, g, b] = c.match(/\d+/g)!.map(Number);
    expect(Math.max(r, g, b), c).toBeLessThan(60);
  }
  expect(colours.buttonText, 'the label is not painted in its own background colour').not.toBe(colours.buttonBg);
});

test('a link with a filter value that is not a choice shows the whole list and says so', async ({ page }) => {
  await signIn(page, 'reader@contoso.example');
  await page.goto(`/tenants/${CONTOSO}/actions`);
  const all = await page.locator('#actions-table tr[data-action]').count();
  await page.goto(`/tenants/${CONTOSO}/actions?category=Nope&sort=%3Cb%3Ebold%3C%2Fb%3E`);
  await expect(page.locator('#ignored-filters')).toContainText('category “Nope”');
  await expect(page.locator('#ignored-filters')).toContainText('sort “<b>bold</b>”');
  await expect(page.locator('#ignored-filters b')).toHaveCount(0);
  await expect(page.locator('#actions-table tr[data-action]')).toHaveCount(all);
});

test('the flyout closes with Escape and gives focus back to its row', async ({ page }, info) => {
  test.skip(info.project.name === 'no-js', 'keys are handled by the client; without it the flyout is a link away');
  // A writer, whose flyout has the status form and its note (nothing is saved here).
  await signIn(page, 'secops@contoso.example');
  await page.goto(`/tenants/${CONTOSO}/actions`);
  const link = page.locator('#actions-table a.action-link').nth(2);
  const id = await link.getAttribute('data-action');
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('#action-flyout')).toBeVisible();
  await expect(page.locator('#action-flyout #action-title')).toBeFocused();
  // Escape in a field is the field's: what was typed there stays.
  const note = page.locator('#action-flyout textarea').first();
  await note.fill('half-written note');
  await note.press('Escape');
  await expect(page.locator('#action-flyout')).toBeVisible();
  await expect(note).toHaveValue('half-written note');
  await page.locator('#action-flyout #action-title').focus();
  await page.keyboard.press('Escape');
  await expect(page.locator('#action-flyout')).toHaveCount(0);
  await expect(page).not.toHaveURL(/action=/);
  await expect(page.locator(`#actions-table a.action-link[data-action="${id}"]`)).toBeFocused();
});

test('on a phone the portfolio with its alert and report forms fits the screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, 'msp@provider.example');
  await expect(page.locator('#portfolio-alert-form')).toBeVisible();
  await expect(page.locator('#portfolio-report-form')).toBeVisible();
  expect(await pageOverflow(page), 'the portfolio: wider than the phone').toBeLessThanOrEqual(0);
});
