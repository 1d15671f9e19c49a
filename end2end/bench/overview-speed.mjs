// How soon a cold-cache Overview shows its score and draws its charts, on loopback in
// Chromium: five runs, each in a fresh browser context (empty cache) already signed in.
// A benchmark, not a test (figures in docs/performance.md).
import { CONTOSO, signIn, withDemoServer } from '../demo-server.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
await withDemoServer(Number(process.env.BENCH_PORT ?? 3601), async ({ base, browser }) => {
  const signedIn = await browser.newContext();
  await signIn(await signedIn.newPage(), base, 'reader@contoso.example');
  const storageState = await signedIn.storageState();
  await signedIn.close();
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
    await p.goto(`${base}/tenants/${CONTOSO}`);
    await p.waitForFunction(() => window.__score && window.__charts['zone-gauge'] > 0 && window.__charts['history-chart'] > 0, null, { timeout: 20_000 });
    const t = await p.evaluate(() => ({ score: window.__score, gauge: window.__charts['zone-gauge'], history: window.__charts['history-chart'],
      bytes: performance.getEntriesByType('resource').reduce((n, e) => n + e.transferSize, 0) + performance.getEntriesByType('navigation')[0].transferSize }));
    runs.push(t);
    console.log(`run ${run + 1}: score ${t.score.toFixed(0)} ms, gauge ${t.gauge.toFixed(0)} ms, history chart ${t.history.toFixed(0)} ms, ${(t.bytes / 1024).toFixed(0)} KB transferred`);
    await context.close();
  }
  const charts = runs.map((r) => Math.max(r.gauge, r.history));
  console.log(`median of ${RUNS}: score visible ${median(runs.map((r) => r.score)).toFixed(0)} ms, charts drawn ${median(charts).toFixed(0)} ms`);
});
