import { execFileSync } from 'child_process';
import { databaseUrl, serverBin } from '../playwright.config';
import { CONTOSO, signIn, expect, test, Page } from './helpers';

type ServerScore = {
  current: string; max: string; percent: string;
  categories: { name: string; current: string; max: string }[];
  top: string[];
};

// What the server computes from the stored data, through the same binary's CLI.
function serverScore(tenant: string): ServerScore {
  const out = execFileSync(serverBin, ['score', tenant], {
    env: { ...process.env, DATABASE_URL: databaseUrl, RUST_LOG: 'error' },
  });
  return JSON.parse(out.toString());
}

function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

test('the overview shows the score the server computes', async ({ page }) => {
  const expected = serverScore(CONTOSO);
  await signIn(page, 'reader@contoso.example');
  await page.getByRole('link', { name: 'Contoso', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/tenants/${CONTOSO}$`));
  await expect(page.locator('#score-percent')).toHaveText(expected.percent);
  await expect(page.locator('#score-points')).toContainText(`${expected.current} / ${expected.max}`);
  for (const c of expected.categories) {
    const row = page.locator(`#category-breakdown tr[data-category="${c.name}"]`);
    await expect(row).toContainText(`${c.current} / ${c.max}`);
  }
  await expect(page.locator('#top-actions li')).toHaveCount(5);
  await expect(page.locator('#top-actions li').first()).toContainText('#1');
});

test('the history has 180 days ending with the live score', async ({ page }) => {
  const expected = serverScore(CONTOSO);
  await signIn(page, 'reader@contoso.example', `/tenants/${CONTOSO}`);
  const rows = page.locator('#history-chart-table tbody tr');
  await expect(rows).toHaveCount(180);
  // Newest first: today's row is the live score; yesterday's has the comparison averages.
  await expect(rows.first().locator('td').nth(1)).toHaveText(expected.percent);
  await expect(page.locator('#history-chart-table th[data-basis="AllTenants"]')).toHaveText('All tenants');
  await expect(rows.nth(1).locator('td').nth(2)).toHaveText(/^\d+\.\d\d %$/);
});

test('the projected view counts planned actions as done', async ({ page }) => {
  await signIn(page, 'reader@contoso.example', `/tenants/${CONTOSO}`);
  const current = Number(((await page.locator('#score-percent').textContent()) ?? '').replace('%', ''));
  await expect(page.locator('#product-breakdown tbody tr')).not.toHaveCount(0);
  await page.locator('#score-views a[data-view="projected"]').click();
  await expect(page).toHaveURL(/view=projected/);
  await expect(page.locator('#score-heading')).toHaveText('Projected Secure Score');
  const projected = Number(((await page.locator('#score-percent').textContent()) ?? '').replace('%', ''));
  expect(projected).toBeGreaterThan(current);
  await expect(page.locator('#projection-line')).toContainText('planned actions would add');
});

test('the history chart draws after hydration without console errors', async ({ page }, info) => {
  test.skip(info.project.name === 'no-js', 'charts need JavaScript; the table covers no-JS');
  const errors = watchConsole(page);
  await signIn(page, 'reader@contoso.example', `/tenants/${CONTOSO}`);
  await expect(page.locator('#history-chart canvas')).toBeVisible({ timeout: 15_000 });
  expect(errors).toEqual([]);
});

test('an unknown tenant answers not found', async ({ page }) => {
  await signIn(page, 'reader@contoso.example');
  const response = await page.goto('/tenants/00000000-0000-4000-8000-000000000000');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
});

test('the licensed-only view leaves out actions the tenant has no license for', async ({ page }) => {
  await signIn(page, 'reader@contoso.example', `/tenants/${CONTOSO}`);
  const maxOf = async () => Number(((await page.locator('#score-points').textContent()) ?? '').split('/')[1].trim().split(' ')[0]);
  const whole = await maxOf();
  await page.locator('#score-views a[data-view="licensed"]').click();
  await expect(page).toHaveURL(/view=licensed/);
  await expect(page.locator('#score-heading')).toHaveText('Secure Score, licensed actions only');
  await expect(page.locator('#licensed-note')).toContainText('actions need a license this tenant does not hold');
  expect(await maxOf()).toBeLessThan(whole);
});

test('charts follow the colour scheme and the window width', async ({ page }, info) => {
  test.skip(info.project.name === 'no-js', 'charts need JavaScript; the tables cover no-JS');
  // The colour ECharts paints the first legend label with.
  const legendFill = () => page.evaluate(() => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const inst = (window as any).echarts.getInstanceByDom(document.getElementById('history-chart'));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const label = inst.getZr().storage.getDisplayList().find((el: any) => el.style?.text === 'All tenants');
    return { fill: String(label?.style?.fill), background: String(inst.getOption().backgroundColor) };
  });
  await page.emulateMedia({ colorScheme: 'light' });
  await signIn(page, 'reader@contoso.example', `/tenants/${CONTOSO}`);
  const canvas = page.locator('#history-chart canvas');
  await expect(canvas).toBeVisible({ timeout: 15_000 });
  const light = await legendFill();
  expect(light.background).toBe('transparent');

  const wide = (await canvas.boundingBox())!.width;
  await page.setViewportSize({ width: 700, height: 900 });
  await expect.poll(async () => (await canvas.boundingBox())!.width).toBeLessThan(wide - 100);

  // Switched while the page is open: the charts are drawn again in the dark colours.
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(async () => (await legendFill()).fill).not.toBe(light.fill);
  const live = await legendFill();
  expect(live.background).toBe('transparent');
  await page.reload();
  await expect(canvas).toBeVisible({ timeout: 15_000 });
  const dark = await legendFill();
  expect(dark.background).toBe('transparent');
  expect(dark.fill).toBe(live.fill);
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(async () => (await legendFill()).fill).toBe(light.fill);
});
