// The README's screenshots, taken from the demo data so they show the app as it is:
// `make screenshots` (after `make build` or `cargo build`) writes docs/screenshots/*.png.
import { mkdirSync } from 'fs';
import { CONTOSO, root, signIn, withDemoServer } from './demo-server.mjs';

const out = `${root}/docs/screenshots`;
const shots = [
  ['overview', `/tenants/${CONTOSO}`, '#history-chart canvas', ['light']],
  ['actions', `/tenants/${CONTOSO}/actions?action=AllUsersMFA`, '#action-flyout', ['light']],
  ['metrics', `/tenants/${CONTOSO}/metrics`, '#comparison-chart canvas', ['light', 'dark']],
];

await withDemoServer(Number(process.env.SCREENSHOT_PORT ?? 3500), async ({ base, browser }) => {
  mkdirSync(out, { recursive: true });
  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: scheme });
    const page = await context.newPage();
    await signIn(page, base, 'admin@contoso.example');
    for (const [name, url, ready, schemes] of shots) {
      if (!schemes.includes(scheme)) continue;
      await page.goto(`${base}${url}`);
      await page.waitForSelector(ready);
      await page.waitForTimeout(800); // chart animations settle
      await page.screenshot({ path: `${out}/${name}-${scheme}.png` });
      console.log(`docs/screenshots/${name}-${scheme}.png`);
    }
    await context.close();
  }
});
