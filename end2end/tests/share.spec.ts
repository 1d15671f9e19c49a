import * as fs from 'fs';
import * as path from 'path';
import { mailDir } from '../playwright.config';
import { CONTOSO, signIn, expect, test } from './helpers';

type Mail = { rcpt_tos: string[]; subject: string; body: string };

function mails(): Mail[] {
  if (!fs.existsSync(mailDir)) return [];
  return fs.readdirSync(mailDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(mailDir, f), 'utf-8')));
}

test('sharing an action by email reaches the SMTP server with its link', async ({ page }, info) => {
  const page_ = `/tenants/${CONTOSO}/actions/AdminMFAV2`;
  await signIn(page, 'admin@contoso.example', page_);
  const title = ((await page.locator('#action-title').textContent()) ?? '').trim();
  const link = await page.locator('#share-link').inputValue();
  expect(link).toContain(page_);

  // Each project sends to its own address, so the two runs are told apart.
  const to = `security-${info.project.name}@contoso.example`;
  await page.locator('#share-email-to').fill(to);
  await page.locator('#share-email-message').fill('Please plan this <b>before</b> the audit.');
  await page.locator('#share-email-send').click();
  await expect(page.locator('#action-notice')).toHaveText('Shared by email.');

  await expect.poll(() => mails().filter((m) => m.rcpt_tos.includes(to)).length, { timeout: 10_000 }).toBe(1);
  const mail = mails().find((m) => m.rcpt_tos.includes(to))!;
  expect(mail.subject).toContain(title);
  expect(mail.body).toContain(link);
  expect(mail.body).toContain('Please plan this <b>before</b> the audit.');
});

test('a bad address is refused with the field named, and the message is kept', async ({ page }) => {
  await signIn(page, 'admin@contoso.example', `/tenants/${CONTOSO}/actions/AdminMFAV2`);
  const before = mails().length;
  await page.locator('#share-email-to').fill('not-an-address');
  await page.locator('#share-email-message').fill('Kept after the refusal');
  await page.locator('#share-email-send').click();
  await expect(page.locator('#action-notice')).toContainText('To');
  await expect(page.locator('#share-email-message')).toHaveValue('Kept after the refusal');
  expect(mails().length).toBe(before);
});
