import { CONTOSO, signIn, expect, test } from './helpers';

// The first view's weight: everything a cold Overview brings over the wire (the page, its
// stylesheet, scripts, wasm if any, the chart library, the icon, fonts), compressed as the
// server sends it, headers included. A byte count, not a timing.
const BUDGET = 400 * 1024;

test('a cold Overview transfers at most 400 KB', async ({ browser, baseURL }, info) => {
  test.skip(info.project.name === 'no-js', 'the budget is for the page as it loads with JavaScript');
  // Signed in elsewhere, so the sign-in page warms no cache of the context measured.
  const signing = await browser.newContext({ baseURL });
  await signIn(await signing.newPage(), 'reader@contoso.example');
  const cookies = await signing.cookies();
  await signing.close();

  const cold = await browser.newContext({ baseURL });
  await cold.addCookies(cookies);
  const page = await cold.newPage();
  const sizes: Promise<{ url: string; bytes: number }>[] = [];
  page.on('requestfinished', (r) => {
    sizes.push(r.sizes().then((s) => ({ url: r.url(), bytes: s.responseHeadersSize + s.responseBodySize })));
  });
  await page.goto(`/tenants/${CONTOSO}`);
  await expect(page.locator('#history-chart canvas')).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('#zone-gauge canvas')).toBeVisible();
  await page.waitForLoadState('networkidle');
  const all = await Promise.all(sizes);
  const total = all.reduce((sum, s) => sum + s.bytes, 0);
  const listed = all.map((s) => `${new URL(s.url).pathname} ${s.bytes}`).join('\n');
  console.log(`cold Overview: ${total} bytes\n${listed}`);
  // The page, the stylesheet, the chart library and the page script at least.
  expect(all.length).toBeGreaterThanOrEqual(4);
  expect(total, listed).toBeLessThanOrEqual(BUDGET);
  await cold.close();
});
