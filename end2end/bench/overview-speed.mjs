// How soon a cold-cache Overview shows its score and draws its charts, on loopback in
// Chromium: five runs, each in a fresh browser context (empty cache) already signed in.
// A benchmark, not a test (figures in docs/performance.md).
import { chromium } from '@playwright/test';
import { execFileSync, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const bin = process.env.RAMPART_BIN ?? `${root}/target/debug/rampart`;
const port = Number(process.env.BENCH_PORT ?? 3601);
const base = `http://127.0.0.1:${port}`;
const contoso = 'c0a7e5f0-0000-4000-8000-000000000001';
const RUNS = Number(process.env.RUNS ?? 5);

const work = mkdtempSync(path.join(tmpdir(), 'rampart-bench-'));
const env = { ...process.env, DATABASE_URL: `sqlite://${work}/rampart.db`, RUST_LOG: 'warn' };
execFileSync(bin, ['seed-demo'], { env, stdio: 'ignore' });
const server = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--site-root', `${root}/target/site`], { env, stdio: 'ignore' });
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (i > 100) throw new Error('the server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const signIn = await browser.newContext();
  const page = await signIn.newPage();
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email').fill('reader@contoso.example');
  await page.getByLabel('Password').fill('rampart-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('#signed-in-as');
  const storageState = await signIn.storageState();
  await signIn.close();
  const runs = [];
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ storageState, viewport: { width: 1280, height: 900 } });
    const p = await context.newPage();
    // Times from the navigation's start: the score's first render (Element Timing), and each
    // chart's canvas appearing plus the frame ECharts paints it in.
    await p.addInitScript(() => {
      window.__score = null; window.__charts = {};
      // The score is in the server's HTML: it shows with the first paint after it is parsed.
      let fcp = null, parsed = null;
      const settle = () => { if (fcp !== null && parsed !== null) window.__score = Math.max(fcp, parsed); };
      new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.name === 'first-contentful-paint') { fcp = e.startTime; settle(); } })
        .observe({ type: 'paint', buffered: true });
      new MutationObserver(() => {
        if (parsed === null && document.querySelector('#score-percent')?.textContent) {
          parsed = -1;
          requestAnimationFrame(() => { parsed = performance.now(); settle(); });
        }
        for (const id of ['zone-gauge', 'history-chart']) {
          if (!window.__charts[id] && document.querySelector(`#${id} canvas`)) {
            window.__charts[id] = -1;
            requestAnimationFrame(() => requestAnimationFrame(() => { window.__charts[id] = performance.now(); }));
          }
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await p.goto(`${base}/tenants/${contoso}`);
    await p.waitForFunction(() => window.__score && window.__charts['zone-gauge'] > 0 && window.__charts['history-chart'] > 0, null, { timeout: 20_000 });
    const t = await p.evaluate(() => ({ score: window.__score, gauge: window.__charts['zone-gauge'], history: window.__charts['history-chart'],
      bytes: performance.getEntriesByType('resource').reduce((n, e) => n + e.transferSize, 0) + performance.getEntriesByType('navigation')[0].transferSize }));
    runs.push(t);
    console.log(`run ${run + 1}: score ${t.score.toFixed(0)} ms, gauge ${t.gauge.toFixed(0)} ms, history chart ${t.history.toFixed(0)} ms, ${(t.bytes / 1024).toFixed(0)} KB transferred`);
    await context.close();
  }
  const charts = runs.map((r) => Math.max(r.gauge, r.history));
  console.log(`median of ${RUNS}: score visible ${median(runs.map((r) => r.score)).toFixed(0)} ms, charts drawn ${median(charts).toFixed(0)} ms`);
  await browser.close();
} finally {
  server.kill();
  rmSync(work, { recursive: true, force: true });
}
