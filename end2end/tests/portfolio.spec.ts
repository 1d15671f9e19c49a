import { signIn, expect, test } from './helpers';

// The service provider's portfolio in a real browser, with and without JavaScript: the
// summary, the filter form and column sorting follow the URL, and the tick boxes in the
// list belong to the change form below it.

test('the portfolio filters, sorts and sums up the tenants the URL asks for', async ({ page }) => {
  await signIn(page, 'msp@provider.example');
  await expect(page.locator('#tenant-list')).toBeVisible();
  const all = Number(await page.locator('#portfolio-count').getAttribute('data-total'));
  expect(all).toBe(6);
  // The zone counts at a glance add up to every tenant.
  const zones = await page.locator('#portfolio-summary [data-zone]').allTextContents();
  expect(zones.map((z) => parseInt(z, 10)).reduce((a, b) => a + b, 0)).toBe(all);

  // The form is a GET: the URL says what is shown.
  await page.locator('#portfolio-search').fill('contoso');
  await page.locator('#apply-portfolio').click();
  await expect(page).toHaveURL(/[?&]q=contoso/);
  await expect(page.locator('#tenant-list tbody tr')).toHaveCount(1);
  await expect(page.locator('#tenant-list tbody tr a')).toHaveText(/Contoso/);

  // A value that is no choice is named, and leaves the list whole.
  await page.goto('/?zone=Nope');
  await expect(page.locator('.portfolio-ignored')).toContainText('Ignored zone “Nope”');
  await expect(page.locator('#tenant-list tbody tr')).toHaveCount(all);

  // A column header sorts by it; the second click turns it round.
  await page.goto('/');
  await page.locator('#tenant-list th a[data-sort=score]').click();
  await expect(page).toHaveURL(/sort=score/);
  await expect(page.locator('#tenant-list th[aria-sort=descending]')).toContainText('Score');
  const scores = await page.locator('#tenant-list tbody tr td:nth-child(6)').allTextContents();
  const values = scores.map((s) => parseFloat(s));
  expect(values).toEqual([...values].sort((a, b) => b - a));
  await page.locator('#tenant-list th a[data-sort=score]').click();
  await expect(page.locator('#tenant-list th[aria-sort=ascending]')).toContainText('Score');
});

test('ticked tenants are sent with the change form, and a bad change is named and changes nothing', async ({ page }) => {
  await signIn(page, 'msp@provider.example');
  const boxes = page.locator('#tenant-list input[type=checkbox][name=tenant]');
  await expect(boxes.first()).toBeVisible();
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  // No action chosen: the answer is about the action, so both ticks reached the server.
  await page.locator('#bulk-set').click();
  await expect(page.locator('[data-field]')).toHaveAttribute('data-field', 'action_id');
  await expect(page.getByText('Nothing was changed.')).toBeVisible();
  // Ticking nothing is named too.
  await page.goto('/');
  await page.locator('#bulk-action').selectOption({ index: 1 });
  await page.locator('#bulk-set').click();
  await expect(page.locator('[data-field]')).toHaveAttribute('data-field', 'tenant');
});
