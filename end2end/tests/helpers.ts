import { Page, expect } from '@playwright/test';

export const CONTOSO = 'c0a7e5f0-0000-4000-8000-000000000001';
export const DEMO_PASSWORD = 'rampart-demo';

// Signs in through the real form (works with and without JavaScript).
export async function signIn(page: Page, email: string, next = '/') {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#signed-in-as')).toHaveText(email);
}
