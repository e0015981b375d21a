/**
 * The dashboard page: one HTML document with its script inline, no library.
 * Charts are drawn as inline SVG (neither Chart.js nor uPlot is installed):
 * conversion per arm with its interval, the lift with its interval against
 * zero, and decision latency over time. It polls the JSON API every 2 s,
 * each call with the session's CSRF value in `X-Tessera-CSRF`.
 * @module
 */

/** Exported for the CSP hash: the dashboard allows exactly this inline style. */
export const DASHBOARD_STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:12px 20px}h1{font-size:18px;margin:0}
main{padding:16px 20px;display:grid;gap:16px}section{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 2px #0002}
h2{font-size:16px;margin:0 0 8px}table{border-collapse:collapse;width:100%}td,th{padding:4px 8px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}.ok{color:#18794e}.warn{color:#b42318;font-weight:600}
button{background:#2b59c3;color:#fff;border:0;border-radius:4px;padding:4px 10px;cursor:pointer}
.muted{color:#667085}.lift{font-size:20px;font-weight:600}`;

/** Exported for the CSP hash: the dashboard allows exactly this inline script. */
export const DASHBOARD_SCRIPT = `
const $ = (s) => document.querySelector(s);
const pct = (x) => (x * 100).toFixed(2) + '%';
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
const csrf = $('meta[name="tessera-csrf"]').content;
async function api(path, init = {}) {
  const r = await fetch('/admin/api/' + path,
    { credentials: 'same-origin', ...init, headers: { ...init.headers, 'x-tessera-csrf': csrf } });
  if (!r.ok) throw new Error((await r.json()).error);
  return r.json();
}
function armChart(e) {
  const W = 420, rowH = 26, H = e.arms.length * rowH + 20;
  const max = Math.max(0.01, ...e.arms.map((a) => a.conversionCi.hi)) * 1.1;
  const x = (v) => 110 + (v / max) * (W - 130);
  let g = '';
  e.arms.forEach((a, i) => {
    const y = 10 + i * rowH;
    g += '<text x="0" y="' + (y + 14) + '" font-size="12">' + esc(a.arm) + '</text>' +
      '<rect x="110" y="' + (y + 4) + '" width="' + (x(a.conversion) - 110) + '" height="14" fill="#9db4ea"/>' +
      '<line x1="' + x(a.conversionCi.lo) + '" x2="' + x(a.conversionCi.hi) + '" y1="' + (y + 11) + '" y2="' + (y + 11) + '" stroke="#1d2330" stroke-width="2"/>' +
      '<text x="' + (x(a.conversionCi.hi) + 4) + '" y="' + (y + 15) + '" font-size="11">' + pct(a.conversion) + '</text>';
  });
  return '<svg role="img" aria-label="conversion per arm" width="' + W + '" height="' + H + '">' + g + '</svg>';
}
function liftChart(c) {
  const W = 420, H = 40, lo = Math.max(-1, c.liftCi.lo), hi = Math.min(3, c.liftCi.hi);
  const span = Math.max(Math.abs(lo), Math.abs(hi), 0.05) * 1.2;
  const x = (v) => W / 2 + (v / span) * (W / 2 - 10);
  return '<svg role="img" aria-label="lift interval" width="' + W + '" height="' + H + '">' +
    '<line x1="' + x(0) + '" x2="' + x(0) + '" y1="0" y2="' + H + '" stroke="#999" stroke-dasharray="3"/>' +
    '<line x1="' + x(lo) + '" x2="' + x(hi) + '" y1="20" y2="20" stroke="' + (c.significant ? '#18794e' : '#667085') + '" stroke-width="4"/>' +
    '<circle cx="' + x(c.lift) + '" cy="20" r="5" fill="#1d2330"/></svg>';
}
function experiment(e) {
  const comps = e.comparisons.map((c) =>
    '<p>Lift of <b>' + esc(c.arm) + '</b> over <b>' + esc(c.control) + '</b>: <span class="lift" data-lift="' + esc(e.key) + '">' +
    (c.lift * 100).toFixed(1) + '%</span> <span class="muted">(' + Math.round(e.confidence * 100) + '% CI ' +
    (c.liftCi.lo * 100).toFixed(1) + '% to ' + (Number.isFinite(c.liftCi.hi) ? (c.liftCi.hi * 100).toFixed(1) + '%' : '∞') + ')</span><br>' +
    'Sequential test (mSPRT): p = ' + c.pSequential.toPrecision(3) + ' — <b data-verdict="' + esc(e.key) + '">' +
    (c.significant ? 'concluded' : 'keep running') + '</b>; P(beats control) = ' + pct(c.probBeatControl) + '</p>' + liftChart(c)).join('');
  const rows = e.arms.map((a) => '<tr><td>' + esc(a.arm) + '</td><td>' + a.visitors + '</td><td>' + a.converted + '</td><td>' + pct(a.conversion) +
    '</td><td>' + pct(a.ctr) + '</td><td>' + a.revenuePerVisitor.toFixed(2) + '</td><td>' +
    (e.status === 'promoted' ? (e.promoted === a.arm ? 'default' : '') :
      '<button data-promote="' + esc(e.key) + '" data-variant="' + esc(a.arm) + '">promote</button>') + '</td></tr>').join('');
  const srm = e.srm.pass ? '<span class="ok">SRM ok</span>' : '<span class="warn">Sample ratio mismatch (p = ' + e.srm.p.toExponential(2) + ')</span>';
  return '<section data-experiment="' + esc(e.key) + '"><h2>' + esc(e.key) + ' <span class="muted" data-status="' + esc(e.key) + '">' + esc(e.status) +
    (e.promoted ? ' → ' + esc(e.promoted) : '') + '</span></h2>' + srm +
    '<table><tr><th>arm</th><th>visitors</th><th>converted</th><th>conversion</th><th>CTR</th><th>revenue / visitor</th><th></th></tr>' + rows + '</table>' +
    armChart(e) + comps + '</section>';
}
const latencies = [];
function latencyChart() {
  const W = 420, H = 80, max = Math.max(1, ...latencies.map((l) => l.p99));
  const pts = (k) => latencies.map((l, i) => (i * W / 59).toFixed(1) + ',' + (H - (l[k] / max) * (H - 10)).toFixed(1)).join(' ');
  return '<svg role="img" aria-label="decision latency" width="' + W + '" height="' + H + '">' +
    '<polyline fill="none" stroke="#2b59c3" points="' + pts('p50') + '"/><polyline fill="none" stroke="#b42318" points="' + pts('p99') + '"/></svg>';
}
async function refresh() {
  const [ex, seg, lat] = await Promise.all([api('experiments'), api('segments'), api('latency')]);
  $('#experiments').innerHTML = ex.experiments.map(experiment).join('') || '<p class="muted">No experiments.</p>';
  $('#segments').innerHTML = '<table><tr><th>segment</th><th>visitors</th></tr>' +
    seg.segments.map((s) => '<tr><td title="' + esc(s.description) + '">' + esc(s.id) + '</td><td>' + s.size + '</td></tr>').join('') + '</table>';
  latencies.push(lat); if (latencies.length > 60) latencies.shift();
  $('#latency').innerHTML = '<p>Last ' + lat.count + ' decisions: p50 ' + lat.p50.toFixed(2) + ' ms, p95 ' + lat.p95.toFixed(2) +
    ' ms, <b data-latency-p99>p99 ' + lat.p99.toFixed(2) + ' ms</b></p>' + latencyChart();
}
document.addEventListener('click', async (ev) => {
  const b = ev.target.closest('button[data-promote]');
  if (!b) return;
  await api('experiments/' + encodeURIComponent(b.dataset.promote) + '/promote', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ variant: b.dataset.variant }) });
  await refresh();
});
refresh().catch((e) => { $('#experiments').textContent = e.message; });
setInterval(() => refresh().catch(() => {}), 2000);`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page for a session whose CSRF value is `csrf`: it sits in a meta tag,
 * not in the script, so the script (and its CSP hash) stays the same.
 */
export function dashboardHtml(siteName: string, csrf: string): string {
  const name = escapeHtml(siteName);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tessera admin — ${name}</title>
<meta name="tessera-csrf" content="${escapeHtml(csrf)}">
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${DASHBOARD_STYLE}</style></head>
<body><header><h1>Tessera — ${name}</h1></header><main>
<div id="experiments"><p class="muted">Loading…</p></div>
<section><h2>Segments</h2><div id="segments"></div></section>
<section><h2>Decision latency</h2><div id="latency"></div></section>
</main><script>${DASHBOARD_SCRIPT}</script></body></html>`;
}
