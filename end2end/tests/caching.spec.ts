import { CONTOSO, signIn, expect, test, Page } from './helpers';

type Transfer = { name: string; bytes: number };

// What the browser fetched over the network for the current document: the page itself and
// each resource, with the bytes that crossed the wire (0 when it came from the cache).
async function transfers(page: Page): Promise<{ html: number; resources: Transfer[] }> {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const resources = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .map((r) => ({ name: new URL(r.name).pathname, bytes: r.transferSize }));
    return { html: nav.transferSize, resources };
  });
}

const ASSET = /\.(css|js|wasm)$/;

test('a second visit fetches only the page: the assets come from the cache', async ({ page }, info) => {
  test.skip(info.project.name === 'no-js', 'the scripts and wasm load only with JavaScript');
  await signIn(page, 'reader@contoso.example');
  await page.goto(`/tenants/${CONTOSO}`);
  await expect(page.locator('#score-percent')).toBeVisible();
  await expect(page.locator('#history-chart canvas')).toBeVisible({ timeout: 15_000 });
  const first = await transfers(page);
  const assets = first.resources.filter((r) => ASSET.test(r.name));
  // The stylesheet, the chart library and the page script, by hashed names (the Overview
  // has no island, so no wasm).
  expect(assets.map((a) => a.name).sort()).toEqual([
    expect.stringMatching(/^\/echarts\.[0-9a-f]{16}\.min\.js$/),
    expect.stringMatching(/^\/pages\.[0-9a-f]{16}\.js$/),
    expect.stringMatching(/^\/rampart\.[0-9a-f]{16}\.css$/),
  ]);

  await page.goto('/');
  await page.goto(`/tenants/${CONTOSO}`);
  await expect(page.locator('#history-chart canvas')).toBeVisible({ timeout: 15_000 });
  const second = await transfers(page);
  expect(second.html, 'the page itself is fetched again').toBeGreaterThan(0);
  const fetched = second.resources.filter((r) => ASSET.test(r.name) && r.bytes > 0);
  expect(fetched, 'assets fetched again on the second visit').toEqual([]);
  expect(second.resources.filter((r) => ASSET.test(r.name)).length).toBe(3);

  // The list of improvement actions has an island: its script and wasm, kept the same way.
  await page.goto(`/tenants/${CONTOSO}/actions`);
  await expect(page.locator('#actions-table')).toBeVisible();
  await page.waitForLoadState('networkidle');
  const client = (await transfers(page)).resources.filter((r) => r.name.startsWith('/pkg/'));
  expect(client.map((a) => a.name).sort()).toEqual([
    expect.stringMatching(/^\/pkg\/rampart\.[0-9a-f]{16}\.js$/),
    expect.stringMatching(/^\/pkg\/rampart\.[0-9a-f]{16}_bg\.wasm$/),
  ]);
  await page.goto('/');
  await page.goto(`/tenants/${CONTOSO}/actions`);
  await page.waitForLoadState('networkidle');
  const again = (await transfers(page)).resources.filter((r) => r.name.startsWith('/pkg/'));
  expect(again.length).toBe(2);
  expect(again.filter((r) => r.bytes > 0), 'the wasm comes from the cache').toEqual([]);
});
