// How fast the improvement actions list answers a keystroke with 500 actions: the demo's
// Contoso plus custom actions imported from a Graph export, searched letter by letter in
// Chromium. A benchmark, not a test: `node end2end/bench/filter-speed.mjs` (figures in docs/performance.md).
import { readFileSync, writeFileSync } from 'fs';
import { CONTOSO, root, signIn, withDemoServer } from '../demo-server.mjs';

const ACTIONS = 500;
const words = ['defender', 'mailbox', 'admin', 'legacy', 'device', 'sharepoint', 'guest', 'token', 'audit', 'policy'];

// Custom actions from a Graph export bring Contoso's list to ACTIONS.
function addActions(rampart, work) {
  const builtIn = (readFileSync(`${root}/catalog/actions.toml`, 'utf8').match(/^\[\[action/gm) ?? []).length;
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
  rampart('import-graph', '--tenant', CONTOSO, file);
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
await withDemoServer(Number(process.env.BENCH_PORT ?? 3600), async ({ base, browser }) => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(page, base, 'reader@contoso.example');
  await page.goto(`${base}/tenants/${CONTOSO}/actions?status=all`);
  await page.waitForLoadState('networkidle');
  const rows = await page.locator('#actions-table tr[data-action]').count();
  // Each keystroke: the time from the input event to the list updated (script, effects and
  // DOM changes), and to the page laid out again (style and layout as well).
  const times = await page.evaluate(async (typed) => {
    const input = document.querySelector('#filter-q');
    const out = [];
    const keys = [...typed.split('').map((_, i) => typed.slice(0, i + 1)), ...typed.split('').map((_, i) => typed.slice(0, typed.length - i - 1))];
    for (const text of keys) {
      const t0 = performance.now();
      input.value = text;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      // The list's effects run as microtasks; a message is the first task after them all
      // (a zero timeout would be clamped to 4 ms once timeouts nest).
      await new Promise((r) => { const c = new MessageChannel(); c.port1.onmessage = () => r(); c.port2.postMessage(0); });
      const t1 = performance.now();
      // Style and layout, forced now: a frame's own wait for the display is not work.
      void document.body.offsetHeight;
      const t2 = performance.now();
      // Rows beyond the first screens are shown in the frames after the keystroke's: wait
      // for three frames without a change, noting when the last row came and the longest
      // frame on the way.
      let last = t2, longest = 0, quiet = 0, frame = performance.now();
      const seen = new MutationObserver(() => { last = performance.now(); quiet = 0; });
      seen.observe(document.querySelector('#actions-table'), { attributes: true, subtree: true, attributeFilter: ['hidden'] });
      while (quiet < 3) {
        await new Promise((r) => requestAnimationFrame(() => r()));
        const at = performance.now();
        longest = Math.max(longest, at - frame);
        frame = at;
        quiet += 1;
      }
      seen.disconnect();
      // Rows a search leaves out are hidden, not removed.
      const shown = [...document.querySelectorAll('#actions-table tr[data-action]')].filter((r) => !r.closest('[hidden]'));
      out.push([t1 - t0, t2 - t0, shown.length, last - t0, longest]);
      await new Promise((r) => setTimeout(r, 50));
    }
    return out;
  }, 'defender');
  const updated = times.map((t) => t[0]);
  const framed = times.map((t) => t[1]);
  console.log(`${rows} actions listed; ${times.length} keystrokes (typing "defender", then deleting it)`);
  console.log(`list updated: median ${median(updated).toFixed(1)} ms, max ${Math.max(...updated).toFixed(1)} ms`);
  console.log(`updated and laid out: median ${median(framed).toFixed(1)} ms, max ${Math.max(...framed).toFixed(1)} ms`);
  console.log(`rows shown per keystroke: ${times.map((t) => t[2]).join(' ')}`);
  console.log(`laid out per keystroke (ms): ${framed.map((t) => t.toFixed(1)).join(" ")}`);
  console.log(`every row in place per keystroke (ms): ${times.map((t) => t[3].toFixed(1)).join(" ")}`);
  console.log(`longest frame after a keystroke: median ${median(times.map((t) => t[4])).toFixed(1)} ms, max ${Math.max(...times.map((t) => t[4])).toFixed(1)} ms`);
}, addActions);
