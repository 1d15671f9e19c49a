import { test, expect } from '@playwright/test';
import { CONTOSO, signIn } from './helpers';

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
  const settingsUrl = page.url();
  await page.locator('#grant-form input[name=email]').fill('reader@contoso.example');
  await page.locator('#grant-form select[name=role]').selectOption('SecurityReader');
  await page.getByRole('button', { name: 'Grant access' }).click();
  await expect(page.locator('#settings-notice')).toHaveText('Access granted.');
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

test('granting a read-write role from the page is refused with a reason', async ({ page }) => {
  await signIn(page, 'admin@contoso.example', `/tenants/${CONTOSO}/settings`);
  await page.locator('#grant-form input[name=email]').fill('nobody@nowhere.example');
  await page.getByRole('button', { name: 'Grant access' }).click();
  await expect(page.locator('#settings-notice')).toContainText('Email: there is no account with this address');
});
