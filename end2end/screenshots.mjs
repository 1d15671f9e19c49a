// The README's screenshots, taken from the demo data so they show the app as it is:
// `make screenshots` (after `make build` or `cargo build`) writes docs/screenshots/*.png.
import { chromium } from '@playwright/test';
import { execFileSync, spawn } from 'child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const bin = process.env.RAMPART_BIN ?? `${root}/target/debug/rampart`;
const port = Number(process.env.SCREENSHOT_PORT ?? 3500);
const base = `http://127.0.0.1:${port}`;
const out = `${root}/docs/screenshots`;
const contoso = 'c0a7e5f0-0000-4000-8000-000000000001';

const work = mkdtempSync(path.join(tmpdir(), 'rampart-shots-'));
const env = { ...process.env, DATABASE_URL: `sqlite://${work}/rampart.db`, RUST_LOG: 'warn' };
execFileSync(bin, ['seed-demo'], { env, stdio: 'ignore' });
const server = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--site-root', `${root}/target/site`], { env, stdio: 'ignore' });
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (i > 100) throw new Error('the server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: scheme });
    const page = await context.newPage();
    await page.goto(`${base}/sign-in`);
    await page.getByLabel('Email').fill('admin@contoso.example');
    await page.getByLabel('Password').fill('rampart-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('#signed-in-as');
    const shots = [
      ['overview', `/tenants/${contoso}`, '#history-chart canvas'],
      ['actions', `/tenants/${contoso}/actions?action=AllUsersMFA`, '#action-flyout'],
      ['metrics', `/tenants/${contoso}/metrics`, '#comparison-chart canvas'],
    ];
    for (const [name, url, ready] of shots) {
      if (scheme === 'dark' && name !== 'metrics') continue;
      await page.goto(`${base}${url}`);
      await page.waitForSelector(ready);
      await page.waitForTimeout(800); // chart animations settle
      await page.screenshot({ path: `${out}/${name}-${scheme}.png` });
      console.log(`docs/screenshots/${name}-${scheme}.png`);
    }
    await context.close();
  }
  await browser.close();
} finally {
  server.kill();
  rmSync(work, { recursive: true, force: true });
}
