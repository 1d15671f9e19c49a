import * as path from 'path';
import { CONTOSO, signIn, expect, test } from './helpers';

test('a read-only user sees who has access but no edit controls and no audit trail', async ({ page }) => {
  await signIn(page, 'reader@contoso.example', `/tenants/${CONTOSO}/settings`);
  await expect(page.locator('#members')).toContainText('admin@contoso.example');
  await expect(page.locator('#grant-form')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Revoke/ })).toHaveCount(0);
  await expect(page.locator('#audit')).toHaveCount(0);
});

test('a read-write user grants read-only access, which then works, and revokes it', async ({ page }) => {
  // The service provider looks after a peer tenant the Contoso reader cannot see yet.
  await signIn(page, 'msp@provider.example');
  const peerLink = page.locator('#tenant-list tbody tr a').filter({ hasNotText: 'Contoso' }).first();
  const peerName = (await peerLink.textContent()) ?? '';
  await peerLink.click();
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page).toHaveURL(/\/settings$/);
  const settingsUrl = page.url();
  await page.locator('#grant-form input[name=email]').fill('reader@contoso.example');
  await page.locator('#grant-form select[name=role]').selectOption('SecurityReader');
  await page.getByRole('button', { name: 'Grant access' }).click();
  // The answer is the same whether or not the address had an account.
  await expect(page.locator('#settings-notice')).toContainText('Access granted.');
  await expect(page.locator('#members')).toContainText('reader@contoso.example');
  await expect(page.locator('#audit')).toContainText('membership.grant');

  await signIn(page, 'reader@contoso.example');
  await expect(page.locator('#tenant-list')).toContainText(peerName);

  await signIn(page, 'msp@provider.example', new URL(settingsUrl).pathname);
  await page.getByRole('button', { name: 'Revoke access of reader@contoso.example' }).click();
  await expect(page.locator('#settings-notice')).toHaveText('Access revoked.');
  await signIn(page, 'reader@contoso.example');
  await expect(page.locator('#tenant-list')).not.toContainText(peerName);
});

test('granting access answers the same whether or not the address has an account', async ({ page }) => {
  await signIn(page, 'admin@contoso.example', `/tenants/${CONTOSO}/settings`);
  await page.locator('#grant-form input[name=email]').fill('nobody@nowhere.example');
  await page.getByRole('button', { name: 'Grant access' }).click();
  await expect(page.locator('#settings-notice')).toContainText('Access granted.');
  await expect(page.locator('#members')).toContainText('nobody@nowhere.example');
});

test('a Graph export uploaded in Settings becomes history, and uploading it again changes nothing', async ({ page }) => {
  // A peer tenant of the service provider, so Contoso's history stays as other tests expect.
  await signIn(page, 'msp@provider.example');
  await page.locator('#tenant-list tbody tr a').filter({ hasNotText: 'Contoso' }).last().click();
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page).toHaveURL(/\/settings$/);
  const settingsUrl = page.url();
  const fixtures = path.join(__dirname, '..', '..', 'server', 'tests', 'fixtures');
  const files = ['graph-secure-scores.json', 'graph-control-profiles.json'].map((f) => path.join(fixtures, f));

  await page.locator('#import-form input[type=file]').setInputFiles(files);
  await page.locator('#import-form').getByRole('button', { name: 'Import' }).click();
  await expect(page.locator('#import-result')).toContainText('4 days of history (2026-03-01 to 2026-03-04)');
  await expect(page.locator('.progress')).toContainText('Imported 4 of 4 days');

  await page.goto(settingsUrl);
  await page.locator('#import-form input[type=file]').setInputFiles(files);
  await page.locator('#import-form').getByRole('button', { name: 'Import' }).click();
  await expect(page.locator('#import-result'))
    .toContainText('0 measurements changed, 0 custom actions added, 0 status changes');

  // A file that is not an export is refused with its name, and the way back is offered.
  await page.goto(settingsUrl);
  await page.locator('#import-form input[type=file]').setInputFiles({
    name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"value": ['),
  });
  await page.locator('#import-form').getByRole('button', { name: 'Import' }).click();
  await expect(page.locator('#import-error')).toContainText('notes.json: $: not valid JSON');
  await page.locator('#back-to-settings').click();
  await expect(page).toHaveURL(settingsUrl);
});
