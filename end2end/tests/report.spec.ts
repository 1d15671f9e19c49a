import { CONTOSO, signIn, expect, test } from './helpers';

// The printable report: reached from Metrics & trends with the same range, drawn by the
// server (so it prints without JavaScript), and laid out for paper without the site's chrome.

test('the report keeps the range it was opened with and prints without the site around it', async ({ page }, info) => {
  await signIn(page, 'admin@contoso.example', `/tenants/${CONTOSO}/metrics?range=90d`);
  await page.locator('#report-link').click();
  await expect(page).toHaveURL(/\/report\?range=90d/);
  await expect(page.locator('#report-period')).toContainText(' to ');
  await expect(page.locator('#report-next-actions li')).toHaveCount(5);
  await expect(page.locator('.report-chart-box svg polyline').first()).toBeAttached();

  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.topbar')).toBeHidden();
  await expect(page.locator('.report-tools')).toBeHidden();
  await expect(page.locator('#report-percent')).toBeVisible();
  if (info.project.name === 'hydrated') {
    // What "Save as PDF" makes: A4 and Letter, a short document.
    for (const format of ['A4', 'Letter'] as const) {
      const pdf = (await page.pdf({ format, printBackground: true })).toString('latin1');
      const pages = pdf.match(/\/Type\s*\/Page[^s]/g) ?? [];
      expect(pages.length, `${format} pages`).toBeGreaterThanOrEqual(1);
      expect(pages.length, `${format} pages`).toBeLessThanOrEqual(3);
    }
  }
});
