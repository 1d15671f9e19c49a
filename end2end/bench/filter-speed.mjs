// How fast the improvement actions list answers a keystroke with 500 actions: the demo's
// Contoso plus custom actions imported from a Graph export, searched letter by letter in
// Chromium. A benchmark, not a test (`make bench-browser`; figures in docs/performance.md).
import { chromium } from '@playwright/test';
import { execFileSync, spawn } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const bin = process.env.RAMPART_BIN ?? `${root}/target/debug/rampart`;
const port = Number(process.env.BENCH_PORT ?? 3600);
const base = `http://127.0.0.1:${port}`;
const contoso = 'c0a7e5f0-0000-4000-8000-000000000001';
const ACTIONS = 500;

const work = mkdtempSync(path.join(tmpdir(), 'rampart-bench-'));
const env = { ...process.env, DATABASE_URL: `sqlite://${work}/rampart.db`, RUST_LOG: 'warn' };
execFileSync(bin, ['seed-demo'], { env, stdio: 'ignore' });
const builtIn = (readFileSync(`${root}/catalog/actions.toml`, 'utf8').match(/^\[\[action/gm) ?? []).length;
const words = ['defender', 'mailbox', 'admin', 'legacy', 'device', 'sharepoint', 'guest', 'token', 'audit', 'policy'];
const value = Array.from({ length: ACTIONS - builtIn }, (_, i) => ({
  id: `BenchControl${String(i).padStart(3, '0')}`,
  title: `Harden ${words[i % words.length]} setting ${i}`,
  controlCategory: ['Identity', 'Data', 'Device', 'Apps', 'Infrastructure'][i % 5],
  service: ['AzureAD', 'EXO', 'MDATP', 'SPO', 'Azure'][i % 5],
  maxScore: 1 + (i % 9), tier: 'Core', rank: 100 + i, deprecated: false,
  threats: [words[(i + 3) % words.length]], controlStateUpdates: [],
}));
const file = `${work}/profiles.json`;
writeFileSync(file, JSON.stringify({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/secureScoreControlProfiles', value }));
execFileSync(bin, ['import-graph', '--tenant', contoso, file], { env, stdio: 'ignore' });

const server = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--site-root', `${root}/target/site`], { env, stdio: 'ignore' });
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (i > 100) throw new Error('the server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email').fill('reader@contoso.example');
  await page.getByLabel('Password').fill('rampart-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('#signed-in-as');
  await page.goto(`${base}/tenants/${contoso}/actions?status=all`);
  await page.waitForLoadState('networkidle');
  const rows = await page.locator('#actions-table tr[data-action]').count();
  // Each keystroke: the time from the input event to the list updated (script, effects and
  // DOM changes), and to the next frame (style and layout as well).
  const times = await page.evaluate(async (typed) => {
    const input = document.querySelector('#filter-q');
    const out = [];
    const keys = [...typed.split('').map((_, i) => typed.slice(0, i + 1)), ...typed.split('').map((_, i) => typed.slice(0, typed.length - i - 1))];
    for (const text of keys) {
      const t0 = performance.now();
      input.value = text;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => setTimeout(r, 0));
      const t1 = performance.now();
      await new Promise((r) => requestAnimationFrame(() => r()));
      document.body.offsetHeight; // layout
      const t2 = performance.now();
      out.push([t1 - t0, t2 - t0, document.querySelectorAll('#actions-table tr[data-action]').length]);
      await new Promise((r) => setTimeout(r, 50));
    }
    return out;
  }, 'defender');
  const updated = times.map((t) => t[0]);
  const framed = times.map((t) => t[1]);
  console.log(`${rows} actions listed; ${times.length} keystrokes (typing "defender", then deleting it)`);
  console.log(`list updated: median ${median(updated).toFixed(1)} ms, max ${Math.max(...updated).toFixed(1)} ms`);
  console.log(`to the next frame: median ${median(framed).toFixed(1)} ms, max ${Math.max(...framed).toFixed(1)} ms`);
  console.log(`rows shown per keystroke: ${times.map((t) => t[2]).join(' ')}`);
  await browser.close();
} finally {
  server.kill();
  rmSync(work, { recursive: true, force: true });
}
