import { CONTOSO, signIn, expect, test, Page, markPage, samePage } from './helpers';

const HISTORY = `/tenants/${CONTOSO}/history`;

function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

type Event = { day: string; action: string; category: string; delta: number; title: string };

async function events(page: Page): Promise<Event[]> {
  return page.locator('#history-events tbody tr').evaluateAll((rows) => rows.map((r) => ({
    day: r.getAttribute('data-day') ?? '',
    action: r.getAttribute('data-action') ?? '',
    category: r.getAttribute('data-category') ?? '',
    delta: Number(r.getAttribute('data-delta')),
    title: (r.querySelector('td:nth-child(2)')?.textContent ?? '').trim(),
  })));
}

const chartRows = (page: Page) => page.locator('.chart-data tbody tr');

// One CSV line (RFC 4180 quoting) into its cells.
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"' && quoted && line[i + 1] === '"') { cell += '"'; i++; }
    else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) { out.push(cell); cell = ''; }
    else cell += c;
  }
  out.push(cell);
  return out;
}

test('presets and the category change the chart table and the list', async ({ page }, info) => {
  const errors = watchConsole(page);
  await signIn(page, 'reader@contoso.example', HISTORY);
  await page.goto(HISTORY);
  await expect(chartRows(page)).toHaveCount(30);
  await expect(page.locator('#range-presets [aria-current="page"]')).toHaveText('30 days');

  await page.locator('#range-presets a[data-range="7d"]').click();
  await expect(page).toHaveURL(/range=7d/);
  await expect(chartRows(page)).toHaveCount(7);
  const weekAgo = (await chartRows(page).last().locator('td').first().textContent()) ?? '';
  for (const e of await events(page)) expect(e.day >= weekAgo).toBe(true);

  await page.locator('#range-presets a[data-range="90d"]').click();
  await expect(page).toHaveURL(/range=90d/);
  await expect(chartRows(page)).toHaveCount(90);
  const all90 = await events(page);
  expect(new Set(all90.map((e) => e.category)).size).toBeGreaterThan(1);

  await page.locator('#history-category').selectOption('Identity');
  await page.locator('#apply-history').click();
  await expect(page).toHaveURL(/category=Identity/);
  await expect(page).toHaveURL(/range=90d/);
  await expect(page.locator('#history-chart-heading')).toHaveText('Identity points');
  await expect(chartRows(page)).toHaveCount(90);
  const identity = await events(page);
  expect(identity.length).toBeGreaterThan(0);
  expect(new Set(identity.map((e) => e.category))).toEqual(new Set(['Identity']));
  expect(identity.length).toBeLessThan(all90.length);
  if (info.project.name === 'hydrated') {
    await expect(page.locator('#history-chart canvas')).toBeVisible({ timeout: 15_000 });
  }
  expect(errors).toEqual([]);
});

test('with JavaScript a category answers in place: one request, no page load, no history entry', async ({ page }, info) => {
  test.skip(info.project.name !== 'hydrated', 'in place needs the page script');
  const errors = watchConsole(page);
  await signIn(page, 'reader@contoso.example', `${HISTORY}?range=90d`);
  await expect(page.locator('#history-chart canvas')).toBeVisible({ timeout: 15_000 });
  const before = await events(page);
  await markPage(page);
  const entries = await page.evaluate(() => history.length);
  const requests: { url: string; type: string }[] = [];
  page.on('request', (r) => requests.push({ url: r.url(), type: r.resourceType() }));

  // A choice is enough: no Apply (made from the keyboard, the way focus is kept).
  await page.locator('#history-category').focus();
  await page.locator('#history-category').selectOption('Identity');
  await expect(page).toHaveURL(/category=Identity/);
  await expect(page).toHaveURL(/range=90d/);
  await expect(page.locator('#history-chart-heading')).toHaveText('Identity points');
  const identity = await events(page);
  expect(identity.length).toBeGreaterThan(0);
  expect(identity.length).toBeLessThan(before.length);
  expect(new Set(identity.map((e) => e.category))).toEqual(new Set(['Identity']));
  await expect(page.locator('#history-chart canvas')).toBeVisible();
  await expect(page.locator('#history-category'), 'focus stays on the choice').toBeFocused();

  expect(await samePage(page), 'no page load').toBe(true);
  expect(requests.filter((r) => r.type === 'document'), 'no document request').toEqual([]);
  expect(requests.filter((r) => new URL(r.url).pathname === HISTORY), 'one data request').toHaveLength(1);
  expect(await page.evaluate(() => history.length), 'the URL is replaced').toBe(entries);

  // The sort answers the same way, and the URL reproduces the view on a fresh load.
  await page.locator('#history-sort').selectOption('-points');
  await expect(page).toHaveURL(/sort=-points/);
  const sorted = await events(page);
  const deltas = sorted.map((e) => e.delta);
  expect(deltas).toEqual([...deltas].sort((a, b) => b - a));
  expect(await samePage(page)).toBe(true);
  await page.reload();
  expect(await events(page)).toEqual(sorted);
  expect(errors).toEqual([]);
});

test('the whole history opens on page 2 and back', async ({ page }) => {
  await signIn(page, 'reader@contoso.example', HISTORY);
  await page.goto(`${HISTORY}?range=all`);
  await expect(page.locator('#history-count')).toContainText('page 1 of');
  const first = await events(page);
  expect(first).toHaveLength(50);
  await page.locator('#history-pager a[data-page="2"]').click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.locator('#history-count')).toContainText('page 2 of');
  const second = await events(page);
  expect(second.length).toBeGreaterThan(0);
  // Newest first: page 2 carries on where page 1 stopped.
  expect(second[0].day <= first[first.length - 1].day).toBe(true);
  await page.locator('#page-prev').click();
  await expect(page.locator('#history-count')).toContainText('page 1 of');
});

test('the CSV link downloads the rows the list shows, in order', async ({ page }) => {
  await signIn(page, 'reader@contoso.example', HISTORY);
  await page.goto(`${HISTORY}?range=all&category=Device&sort=points`);
  const shown = await events(page);
  expect(shown.length).toBeGreaterThan(0);
  const href = await page.locator('#history-csv').getAttribute('href');
  expect(href).toContain('category=Device');
  expect(href).not.toContain('page=');
  const response = await page.request.get(href!);
  expect(response.status()).toBe(200);
  const lines = (await response.text()).split('\r\n').filter((l) => l.length > 0).map(cells);
  expect(lines[0]).toEqual(['Date', 'Action', 'Category', 'Change', 'Points delta', 'Resulting score', 'Who', 'Note']);
  const total = Number(await page.locator('#history-count').getAttribute('data-total'));
  expect(lines.length - 1).toBe(total);
  const fromCsv = lines.slice(1, 1 + shown.length)
    .map((l) => ({ day: l[0], title: l[1], category: l[2], delta: Math.round(Number(l[4]) * 100) }));
  expect(fromCsv).toEqual(shown.map((e) => ({ day: e.day, title: e.title, category: e.category, delta: e.delta })));
});

test('a start after the end gets a clear message and the form to fix it', async ({ page }) => {
  await signIn(page, 'reader@contoso.example', HISTORY);
  const response = await page.goto(`${HISTORY}?from=2026-03-10&to=2026-03-01`);
  expect(response?.status()).toBe(400);
  await expect(page.locator('#history-error')).toContainText('the start date 2026-03-10 is after the end date 2026-03-01');
  await page.locator('#range-presets a[data-range="7d"]').click();
  await expect(chartRows(page)).toHaveCount(7);
  await expect(page.locator('#history-error')).toHaveCount(0);
});
