import { openPeer, markPage, samePage, expect, test } from './helpers';

// Once hydrated, every form answers in place: no new document, the page's data read
// again, a refusal shown with what was typed still in the form. (Without JavaScript the
// same forms are plain posts; every other spec runs them that way in the no-js project.)
test.beforeEach(({}, info) => {
  test.skip(info.project.name === 'no-js', 'without JavaScript a form post loads the page again');
});

test('zones are refused and saved in place on Metrics & trends', async ({ page }) => {
  const metrics = `${await openPeer(page)}/metrics`;
  await page.goto(metrics);
  // The gauge is drawn by the client: once it is there the page is hydrated.
  await expect(page.locator('#zone-gauge canvas')).toBeVisible({ timeout: 15_000 });
  await markPage(page);
  const okay = page.locator('#zones-form input[name=okay_from]');
  const good = page.locator('#zones-form input[name=good_from]');

  await okay.fill('70');
  await good.fill('40');
  await page.locator('#zones-form button').click();
  await expect(page.locator('#metrics-notice')).toContainText('Good from');
  await expect(okay).toHaveValue('70');
  await expect(good).toHaveValue('40');
  expect(page.url()).not.toContain('error=');

  await okay.fill('1');
  await good.fill('2');
  await page.locator('#zones-form button').click();
  await expect(page.locator('#metrics-notice')).toHaveText('Zones saved.');
  await expect(page.locator('#zone-score')).toHaveAttribute('data-zone', 'good');
  await expect(page.locator('#zone-bands')).toContainText('good from 2 %');

  await okay.fill('40');
  await good.fill('70');
  await page.locator('#zones-form button').click();
  await expect(page.locator('#zone-bands')).toContainText('good from 70 %');
  expect(await samePage(page)).toBe(true);
});

test('access is granted and revoked in place on Settings', async ({ page }) => {
  await openPeer(page);
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.locator('#grant-form')).toBeVisible();
  await page.waitForLoadState('networkidle');
  await markPage(page);
  const email = 'in-place@contoso.example';
  await page.locator('#grant-form input[name=email]').fill(email);
  await page.getByRole('button', { name: 'Grant access' }).click();
  await expect(page.locator('#settings-notice')).toContainText('Access granted.');
  await expect(page.locator('#members')).toContainText(email);

  await page.locator('#grant-form input[name=email]').fill('msp@provider.example');
  await page.getByRole('button', { name: 'Grant access' }).click();
  await expect(page.locator('#settings-notice')).toHaveText('Email: you cannot change your own access.');
  await expect(page.locator('#grant-form input[name=email]')).toHaveValue('msp@provider.example');

  await page.getByRole('button', { name: `Revoke access of ${email}` }).click();
  await expect(page.locator('#settings-notice')).toHaveText('Access revoked.');
  await expect(page.locator('#members')).not.toContainText(email);
  expect(await samePage(page)).toBe(true);
});

test('an API token is revoked in place on Settings', async ({ page }) => {
  await openPeer(page);
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page).toHaveURL(/\/settings$/);
  const settings = page.url();
  // Made by a plain post: its answer is a page that shows the secret once.
  await page.locator('#token-form input[name=name]').fill('in-place revoke');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.locator('#new-token')).toBeVisible();
  await page.goto(settings);
  await expect(page.locator('#tokens')).toContainText('in-place revoke');
  await page.waitForLoadState('networkidle');
  await markPage(page);
  await page.getByRole('button', { name: 'Revoke token in-place revoke' }).click();
  await expect(page.locator('#settings-notice')).toHaveText('Token revoked.');
  await expect(page.locator('#tokens tr', { hasText: 'in-place revoke' })).toContainText('revoked');
  expect(await samePage(page)).toBe(true);
});
