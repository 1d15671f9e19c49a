import { test, expect } from '@playwright/test';
import { CONTOSO, DEMO_PASSWORD, signIn } from './helpers';

test('a visitor is sent to sign in, then back to the page they asked for', async ({ page }) => {
  await page.goto(`/tenants/${CONTOSO}`);
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await page.getByLabel('Email').fill('admin@contoso.example');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#sign-in-error')).toHaveText('The email or password is wrong.');
  await page.getByLabel('Email').fill('admin@contoso.example');
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(new RegExp(`/tenants/${CONTOSO}$`));
  await expect(page.locator('#signed-in-as')).toHaveText('admin@contoso.example');
});

test('signing out ends the session', async ({ page }) => {
  await signIn(page, 'secops@contoso.example');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto(`/tenants/${CONTOSO}`);
  await expect(page).toHaveURL(/\/sign-in\?next=/);
});

test('a service provider sees each of their tenants and no other', async ({ page }) => {
  await signIn(page, 'msp@provider.example');
  await expect(page.locator('#tenant-list tbody tr')).toHaveCount(6);
  await signIn(page, 'reader@contoso.example');
  await expect(page.locator('#tenant-list tbody tr')).toHaveCount(1);
});
