// The page script: what every page does in the browser besides its islands.
//
// - Draws each chart from the ECharts options the server wrote into it (`data-chart`), in
//   the colours the browser asks for, again when the window resizes or the colour scheme
//   changes.
// - Answers links and forms in place: the next page is fetched and put in place of this
//   one (no new document, no wasm or chart library loaded again); a refused form keeps what
//   was typed in it; Back and Forward work the same way. Anything it cannot answer in place
//   (a download, another site, a new tab, a failed request) is left to the browser.
// - The flyout of an improvement action takes focus when it opens, closes with Escape and
//   gives focus back to its row.
//
// Without JavaScript none of this runs and every page is still whole: the links are links,
// the forms are plain posts, and each chart's numbers are in the table under it.

const DARK = window.matchMedia('(prefers-color-scheme: dark)');
// The chart library's address (hashed), which the shell gives this script's tag.
const CHART_LIBRARY = document.currentScript?.dataset.charts;
const CHART_HEIGHT = 320;

// ---- charts ----------------------------------------------------------------------------

function drawChart(el) {
  if (!window.echarts || !el.isConnected) return;
  window.echarts.getInstanceByDom(el)?.dispose();
  let options;
  try {
    options = JSON.parse(el.dataset.chart);
  } catch {
    return;
  }
  const chart = window.echarts.init(el, DARK.matches ? 'dark' : null, { height: CHART_HEIGHT });
  // Drawn at once: an entry animation redraws every chart for a second after it appears,
  // on the main thread the rest of the page needs.
  chart.setOption({ ...options, animation: false });
}

// The chart library is loaded by the first page that has a chart, and only then: a page
// is shown (its score, its tables) before the library is fetched and run, and pages
// without charts never load it.
let library = null;
function chartLibrary() {
  if (window.echarts) return Promise.resolve();
  if (!library) {
    library = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = CHART_LIBRARY;
      script.onload = resolve;
      script.onerror = () => { library = null; reject(); };
      document.head.append(script);
    });
  }
  return library;
}

function drawCharts(root) {
  const charts = root.querySelectorAll('[data-chart]');
  if (!charts.length || !CHART_LIBRARY) return;
  chartLibrary().then(() => charts.forEach(drawChart), () => {});
}

function forgetCharts(root) {
  if (!window.echarts) return;
  root.querySelectorAll('[data-chart]').forEach((el) => window.echarts.getInstanceByDom(el)?.dispose());
}

window.addEventListener('resize', () => {
  document.querySelectorAll('[data-chart]').forEach((el) => window.echarts?.getInstanceByDom(el)?.resize());
});
// A theme is fixed when ECharts makes a chart: another scheme means the chart made again.
DARK.addEventListener('change', () => drawCharts(document));

// ---- pages in place --------------------------------------------------------------------

// Where a form goes. Read from the attribute: a field named `action` (the flyout's search
// keeps the open action) hides the form's own `action` property.
function formTarget(form) {
  return new URL(form.getAttribute('action') || location.href, location.href);
}

let navigation = 0;

// Whether a link is one this script follows in place.
function followable(a, event) {
  if (event.defaultPrevented || event.button !== 0) return false;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return false;
  if (a.target || a.hasAttribute('download') || a.dataset.reload !== undefined) return false;
  if ((a.getAttribute('rel') || '').split(/\s+/).includes('external')) return false;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return false;
  if (/\.(csv|json)$/.test(url.pathname)) return false;
  // A jump within this page is the browser's.
  if (url.hash && url.pathname === location.pathname && url.search === location.search) return false;
  return true;
}

document.addEventListener('click', (event) => {
  const a = event.target instanceof Element ? event.target.closest('a[href]') : null;
  if (!a || !followable(a, event)) return;
  event.preventDefault();
  go(new URL(a.href, location.href).href, { push: true });
});

document.addEventListener('submit', (event) => {
  const form = event.target;
  if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
  if (form.target || form.dataset.reload !== undefined) return;
  const method = (form.getAttribute('method') || 'get').toUpperCase();
  const url = formTarget(form);
  if (url.origin !== location.origin || (method !== 'GET' && method !== 'POST')) return;
  event.preventDefault();
  if (method === 'GET') {
    go(queryOf(form, event.submitter), { push: true });
    return;
  }
  const data = new FormData(form, event.submitter);
  const multipart = form.enctype === 'multipart/form-data';
  const body = multipart ? data : new URLSearchParams(data);
  go(url.href, { push: true, post: { body, form, submitter: event.submitter } });
});

// A filter form marked `data-live` answers a choice as soon as it is made: the page is
// fetched in place and the URL follows without a new history entry (Apply still makes one).
document.addEventListener('change', (event) => {
  const field = event.target;
  if (!(field instanceof HTMLSelectElement)) return;
  const form = field.form;
  if (!form || form.dataset.live === undefined || (form.getAttribute('method') || 'get').toLowerCase() !== 'get') return;
  go(queryOf(form), { push: false });
});

// Where a GET form goes: its action with its fields as the query.
function queryOf(form, submitter) {
  const url = formTarget(form);
  url.search = new URLSearchParams(new FormData(form, submitter)).toString();
  return url.href;
}

window.addEventListener('popstate', () => go(location.href, { push: false }));

// Fetches `url` and puts the page it answers in place of this one.
async function go(url, { push, post }) {
  const mine = ++navigation;
  const busy = post?.submitter;
  if (busy) busy.disabled = true;
  post?.form.setAttribute('aria-busy', 'true');
  let response;
  let html;
  try {
    response = await fetch(url, {
      method: post ? 'POST' : 'GET',
      body: post?.body,
      headers: { Accept: 'text/html' },
      credentials: 'same-origin',
    });
    html = (response.headers.get('content-type') || '').includes('text/html') ? await response.text() : null;
  } catch {
    response = null;
  } finally {
    if (busy) busy.disabled = false;
    post?.form.removeAttribute('aria-busy');
  }
  if (mine !== navigation) return;
  if (!response || html === null) {
    // Not a page (a download, a network failure): the browser does it as it would have.
    if (post && !response) post.form.submit();
    else location.assign(response ? response.url : url);
    return;
  }
  const next = new DOMParser().parseFromString(html, 'text/html');
  const landed = new URL(response.url || url);
  // A page with islands needs the wasm, which only a page load brings the first time.
  if (next.querySelector('leptos-island') && !window.__hydrateIsland) {
    location.assign(landed.href);
    return;
  }
  const refused = landed.searchParams.has('error');
  // A refusal is shown once, on this page: reloading or sharing the link does not repeat it.
  const shown = new URL(landed);
  shown.searchParams.delete('error');
  const samePath = shown.pathname === location.pathname;
  if (push) history.pushState(null, '', shown.href);
  else if (shown.href !== location.href) history.replaceState(null, '', shown.href);
  swap(next, { keepForm: refused ? post?.form : null, samePath });
}

// Whether a kept island and its counterpart on the next page are the same island with the
// same props: then the one here stays, with its state (what was typed, its scroll).
function sameIsland(a, b) {
  return a.dataset.component === b.dataset.component && a.dataset.props === b.dataset.props;
}

function swap(next, { keepForm, samePath }) {
  const focused = document.activeElement?.id;
  document.title = next.title;
  const islands = [...document.querySelectorAll('leptos-island')];
  for (const island of next.querySelectorAll('leptos-island')) {
    const same = islands.find((old) => sameIsland(old, island));
    if (same) island.replaceWith(same);
  }
  if (keepForm?.id) next.getElementById(keepForm.id)?.replaceWith(keepForm);
  forgetCharts(document.body);
  document.body.replaceChildren(...next.body.childNodes);
  for (const island of document.querySelectorAll('leptos-island')) {
    if (!island.$$hydrated) {
      island.$$hydrated = true;
      window.__hydrateIsland(island, island.dataset.component);
    }
  }
  drawCharts(document);
  markOpenAction();
  if (!samePath) window.scrollTo(0, 0);
  // Focus stays where it was when that control is still there; a new page starts at its title.
  const again = focused && document.getElementById(focused);
  if (again && samePath) again.focus();
  else if (!openFlyout() && !samePath) focusHeading(document.querySelector('main h1'));
}

function focusHeading(h) {
  if (!h) return;
  if (!h.hasAttribute('tabindex')) h.setAttribute('tabindex', '-1');
  h.focus({ preventScroll: true });
}

// ---- the flyout ------------------------------------------------------------------------

function openAction() {
  return new URL(location.href).searchParams.get('action');
}

// The row of the open action stands out in the list.
function markOpenAction() {
  const open = openAction();
  document.querySelectorAll('#actions-table tr[data-action]').forEach((tr) => {
    tr.classList.toggle('selected', tr.dataset.action === open);
  });
}

// Moves focus into the flyout when one is open; whether it was.
function openFlyout() {
  const title = document.querySelector('#action-flyout #action-title');
  if (!title) return false;
  title.focus();
  return true;
}

document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape' || event.defaultPrevented) return;
  // Escape in a field belongs to the field (and closing would drop what was typed there).
  if (event.target instanceof Element && event.target.closest('input, textarea, select')) return;
  const close = document.getElementById('close-flyout');
  if (!close) return;
  const action = openAction();
  event.preventDefault();
  go(close.href, { push: true }).then(() => {
    const row = action && [...document.querySelectorAll('#actions-table a.action-link')]
      .find((a) => a.dataset.action === action);
    row?.focus();
  });
});

// ---- the first page --------------------------------------------------------------------

// The islands of the first page are the wasm's to hydrate when it has loaded.
document.querySelectorAll('leptos-island').forEach((island) => { island.$$hydrated = true; });
drawCharts(document);
markOpenAction();
openFlyout();
