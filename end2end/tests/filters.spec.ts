import { CONTOSO, signIn, expect, test, Page, markPage, samePage } from './helpers';

// Once hydrated, the improvement actions list answers its filters in the browser: no page
// load and no request, the URL following each change, and the same rows the server gives
// for that URL.

const LIST = `/tenants/${CONTOSO}/actions`;

// Rows the server itself renders for `search` (what a browser without JavaScript gets).
async function serverRows(page: Page, search: string): Promise<string[]> {
  const html = await (await page.request.get(`${LIST}${search}`)).text();
  // The rows a search leaves out are drawn hidden (typing only hides and shows rows).
  return [...html.matchAll(/<tr([^>]*)data-action="([^"]+)"([^>]*)>/g)]
    .filter((m) => !/\shidden(\s|=|$)/.test(`${m[1]} ${m[3]}`))
    .map((m) => m[2]);
}

async function shownRows(page: Page): Promise<string[]> {
  return page.locator('#actions-table tr[data-action]').evaluateAll(
    (rows) => rows.filter((r) => !r.closest('[hidden]')).map((r) => r.getAttribute('data-action') ?? ''));
}

test('the list filters as you type, in place, with the URL following', async ({ page }, info) => {
  test.skip(info.project.name === 'no-js', 'without JavaScript the form is a GET the server answers (actions.spec.ts)');
  await signIn(page, 'reader@contoso.example');
  await page.goto(LIST);
  await expect(page.locator('#actions-table')).toBeVisible();
  await page.waitForLoadState('networkidle');
  const all = (await shownRows(page)).length;
  const total = ((await page.locator('#actions-count').textContent()) ?? '').match(/of (\d+) actions/)![1];
  await markPage(page);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));

  await page.locator('#filter-q').pressSequentially('mfa', { delay: 30 });
  await expect(page).toHaveURL(/[?&]q=mfa(&|$)/);
  await expect.poll(async () => shownRows(page)).toEqual(await serverRows(page, '?q=mfa'));
  const mfa = (await shownRows(page)).length;
  expect(mfa).toBeGreaterThan(0);
  expect(mfa).toBeLessThan(all);

  // A second word, a category and a grouping: each answered in place.
  await page.locator('#filter-q').pressSequentially(' admin', { delay: 30 });
  await page.locator('#filter-category').selectOption('Identity');
  await page.locator('#filter-group').selectOption('status');
  await expect(page).toHaveURL(/category=Identity/);
  await expect(page.locator('#filter-q')).toHaveValue('mfa admin');
  const search = new URL(page.url()).search;
  await expect.poll(async () => shownRows(page)).toEqual(await serverRows(page, search));
  await expect(page.locator('#actions-count')).toContainText(`of ${total} actions`);

  // Nothing matches: said in words.
  await page.locator('#filter-q').fill('no such thing <b>');
  await page.locator('#filter-q').dispatchEvent('input');
  await expect(page.locator('#actions-empty')).toBeVisible();
  await expect(page.locator('#actions-table')).not.toBeVisible();

  // Reset brings back the whole list and clears the box.
  await page.locator('#reset-filters').click();
  await expect.poll(async () => (await shownRows(page)).length).toBe(all);
  await expect(page.locator('#filter-q')).toHaveValue('');

  expect(await samePage(page), 'no page load').toBe(true);
  const toServer = requests.filter((r) => !r.includes('/pkg/') && !/\.(js|wasm|css|png|ico)/.test(r));
  expect(toServer, 'no request for filtering').toEqual([]);
});
