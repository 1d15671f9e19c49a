import { CONTOSO, DEMO_PASSWORD, signIn, expect, test } from './helpers';

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

test('a form on another site cannot sign in or post with the visitor’s session', async ({ page, baseURL }) => {
  await signIn(page, 'admin@contoso.example');
  // A page that is not this server's (its origin is opaque) posting to sign-in and to a
  // status change: the browser sends the session cookie, the server refuses.
  for (const [action, fields] of [
    ['/api/sign_in', { email: 'admin@contoso.example', password: DEMO_PASSWORD }],
    ['/api/update_action', { tenant_id: CONTOSO, action_id: 'TeamsExternalAccessRestricted', status: 'Planned', note: 'forged' }],
  ] as const) {
    await page.goto('about:blank');
    const inputs = Object.entries(fields).map(([k, v]) => `<input name="${k}" value="${v}">`).join('');
    await page.setContent(`<form method="post" action="${baseURL}${action}">${inputs}<button>go</button></form>`);
    const [response] = await Promise.all([page.waitForResponse(`${baseURL}${action}`), page.click('button')]);
    expect(response.status(), action).toBe(403);
  }
  await page.goto(`/tenants/${CONTOSO}/actions/TeamsExternalAccessRestricted`);
  await expect(page.locator('body')).not.toContainText('forged');
});
