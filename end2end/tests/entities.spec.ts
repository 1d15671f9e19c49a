import { CONTOSO, signIn, expect, test } from './helpers';

// The flyout's failing users: the demo's scan names the users behind "Get every user
// registered for multifactor authentication". Searched and paged with and without
// JavaScript; the numbers are checked against the CSV of them all.

const ACTION = 'MFARegistrationV2';
const FLYOUT = `/tenants/${CONTOSO}/actions?action=${ACTION}`;

test('the flyout pages through the failing users, searches them literally and names its source', async ({ page }) => {
  await signIn(page, 'reader@contoso.example');
  const csv = await (await page.request.get(`/tenants/${CONTOSO}/actions/${ACTION}/entities.csv`)).text();
  const lines = csv.trim().split(/\r?\n/).slice(1);
  const failing = lines.filter((l) => l.split(',')[3] === 'No').map((l) => l.split(',')[0]);
  expect(failing.length).toBeGreaterThan(25);

  await page.goto(FLYOUT);
  const section = page.locator('#action-entities');
  await expect(section).toBeVisible();
  await expect(page.locator('#action-source')).toContainText('Value from Prowler');
  await expect(page.locator('#entities-summary')).toContainText(`${failing.length} of ${lines.length} failing`);
  await expect(page.locator('#entities-table tbody tr')).toHaveCount(25);
  const pages = Math.ceil(failing.length / 25);
  await expect(page.locator('#entities-pager')).toContainText(`Page 1 of ${pages}`);

  await page.locator('#entities-pager a[rel=next]').click();
  await expect(page.locator('#entities-pager')).toContainText(`Page 2 of ${pages}`);
  await expect(page).toHaveURL(/entity_page=2/);
  await expect(page.locator('#action-flyout')).toBeVisible();

  // One user by a word of their name: exactly the failing users whose name holds it.
  const word = failing[0].split(' ')[1];
  const expected = failing.filter((n) => n.toLowerCase().includes(word.toLowerCase())).slice(0, 25);
  await page.getByLabel('Search failing entities').fill(word);
  await section.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`entity_q=${word}`));
  await expect(page.locator('#entities-table tbody tr td:first-child')).toHaveText(expected);

  await page.getByLabel('Search failing entities').fill('<b>.*');
  await section.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.locator('#entities-empty')).toHaveText('No failing entity matches “<b>.*”.');
  // The list around the flyout is still the list.
  await expect(page.locator('#actions-table')).toBeVisible();
});
