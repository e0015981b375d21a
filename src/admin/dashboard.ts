/**
 * The dashboard page: one HTML document with its script inline. Time series
 * (traffic and events per second, page p50/p99, CTR and conversion per
 * experiment arm) are uPlot charts fed by `/admin/api/live`; the models
 * panel reads `/admin/api/models`; conversion per arm with its interval and
 * the lift against zero stay small inline SVG bars. uPlot itself comes from
 * the host (`ChartLibrary`: read from the installed package on Node, bundled
 * as text in a Worker) and is inlined with the page's own script, so the CSP
 * keeps one script hash and one style hash. It polls every 2 s, each call
 * with the session's CSRF value in `X-Tessera-CSRF`.
 * @module
 */

/** uPlot's script (`uPlot.iife.min.js`, defines `uPlot`) and stylesheet, as text. */
export interface ChartLibrary {
  script: string;
  style: string;
}

/** Exported for the CSP hash: the dashboard allows exactly this inline style. */
export const DASHBOARD_STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:12px 20px}h1{font-size:18px;margin:0}
main{padding:16px 20px;display:grid;gap:16px}section{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 2px #0002}
h2{font-size:16px;margin:0 0 8px}table{border-collapse:collapse;width:100%}td,th{padding:4px 8px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}.ok{color:#18794e}.warn{color:#b42318;font-weight:600}
button{background:#2b59c3;color:#fff;border:0;border-radius:4px;padding:4px 10px;cursor:pointer}
.muted{color:#667085}.lift{font-size:20px;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:16px}
.bar{display:flex;gap:16px;align-items:baseline;flex-wrap:wrap}.big{font-size:20px;font-weight:600}
header select{margin-left:12px}.note{background:#fff6e0;border-radius:6px;padding:8px 12px}
button.danger{background:#b42318}button:disabled{background:#98a2b3;cursor:default}
ol.history{margin:6px 0;padding-left:20px;color:#344054}form.lookup{display:flex;gap:8px;flex-wrap:wrap}
form.lookup input{padding:4px 8px;border:1px solid #d0d5dd;border-radius:4px;min-width:220px}
.visitor{border-top:1px solid #eee;padding-top:8px;margin-top:8px}pre{background:#f2f4f7;padding:8px;overflow:auto;max-height:320px}`;

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
const STATUS_WORD = { running: 'running', paused: 'paused', promoted: 'promoted' };
function historyList(key, entries) {
  if (!entries || !entries.length) return '';
  return '<ol class="history" data-history="' + esc(key) + '">' + entries.map((h) => '<li data-history-status="' + esc(h.status) + '">' +
    new Date(h.t).toLocaleString() + ' — <b>' + esc(STATUS_WORD[h.status] || h.status) + '</b>' + (h.arm ? ' → ' + esc(h.arm) : '') +
    ' <span class="muted">by ' + esc(h.by) + ' (' + esc(h.source) + ')</span></li>').join('') + '</ol>';
}
function experiment(e, hist) {
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
    armChart(e) + comps + '<h3>History</h3>' + historyList(e.key, hist[e.key]) + '</section>';
}
const charts = {};
const fmt = (v, unit) => v == null ? '—' : (unit === '%' ? (v * 100).toFixed(1) + '%' : v.toFixed(2) + (unit ? ' ' + unit : ''));
const COLORS = ['#2b59c3', '#b42318', '#18794e', '#9e6a03', '#7a3ea1', '#0e7c86'];
/** Draw or update one uPlot chart in [data-chart=name]; it records what it shows (data-sum, data-points). */
function chart(name, title, unit, t, series) {
  const el = document.querySelector('[data-chart="' + name + '"]');
  if (typeof uPlot === 'undefined') { el.textContent = 'Charts unavailable: this host serves no chart library.'; return; }
  const data = [t, ...series.map((s) => s.values)];
  let sum = 0, points = 0;
  for (const s of series) for (const v of s.values) if (v != null) { sum += v; points++; }
  el.dataset.sum = String(sum);
  el.dataset.points = String(points);
  const key = series.map((s) => s.label).join('|');
  if (charts[name] && charts[name].key === key) { charts[name].plot.setData(data); return; }
  if (charts[name]) charts[name].plot.destroy();
  const plot = new uPlot({
    title, width: Math.max(320, el.clientWidth || 440), height: 220,
    scales: { x: { time: true }, y: { range: (u, lo, hi) => [0, Math.max(hi || 0, unit === '%' ? 0.01 : 1) * 1.1] } },
    axes: [{}, { size: 68, values: (u, vals) => vals.map((v) => unit === '%' ? (v * 100).toFixed(1) + '%' : String(+v.toFixed(3))) }],
    series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: s.color || COLORS[i % COLORS.length], width: s.width || 2,
      dash: s.dash, value: (u, v) => fmt(v, unit), spanGaps: !!s.spanGaps }))],
  }, data, el);
  charts[name] = { plot, key };
}
let resolution = 'perSecond';
async function live() {
  const d = await api('live');
  const s = d[resolution];
  chart('traffic', 'Traffic (per second)', '', s.t, [{ label: 'page views/s', values: s.pages }, { label: 'events/s', values: s.events }]);
  chart('latency', 'Latency (ms)', 'ms', s.t, [{ label: 'p50', values: s.p50 }, { label: 'p99', values: s.p99 }]);
  const arms = d.arms.series;
  const name = (a) => a.experiment + ' / ' + a.arm;
  chart('ctr', 'Recommendation CTR per arm (exposed visitors who clicked)', '%', d.arms.t,
    arms.map((a, i) => ({ label: name(a), values: a.ctr, color: COLORS[i % COLORS.length], spanGaps: true })));
  chart('conversion', 'Conversion per arm, with its 95% interval', '%', d.arms.t, arms.flatMap((a, i) => [
    { label: name(a), values: a.conversion, color: COLORS[i % COLORS.length], spanGaps: true },
    { label: 'lo', values: a.conversionLo, color: COLORS[i % COLORS.length], width: 1, dash: [4, 4], spanGaps: true },
    { label: 'hi', values: a.conversionHi, color: COLORS[i % COLORS.length], width: 1, dash: [4, 4], spanGaps: true }]));
  const seg = d.segments, keep = resolution === 'perSecond' ? 30 : seg.t.length;
  chart('segments', 'Visitors per segment (per 10 s, top ' + seg.series.length + ')', '', seg.t.slice(-keep),
    seg.series.map((x) => ({ label: x.segment, values: x.visitors.slice(-keep) })));
  const pages = d.perSecond.pages.slice(-60).reduce((x, y) => x + y, 0);
  const events = d.perSecond.events.slice(-60).reduce((x, y) => x + y, 0);
  const p99 = [...d.perSecond.p99].reverse().find((v) => v != null);
  $('#totals').innerHTML = '<span>Last minute: <span class="big" data-pages-minute>' + Math.round(pages) + '</span> page views, <span class="big">' +
    Math.round(events) + '</span> events</span><span data-latency-p99>' + (p99 == null ? 'p99 — (no pages yet)' : 'p99 ' + p99.toFixed(2) + ' ms') + '</span>' +
    '<span class="muted">node ' + esc(d.node) + ', series since ' + new Date(d.since * 1000).toLocaleTimeString() + '</span>';
  $('#idle').hidden = pages > 0;
}
async function models() {
  const m = await api('models');
  const r = m.registry;
  const reg = !r ? '<p class="muted">No model store on this host.</p>' : r.error ? '<p class="warn">' + esc(r.error) + '</p>' :
    '<table><tr><th>version</th><th>alias</th><th>created</th><th>size</th></tr>' + r.versions.slice().reverse().map((v) =>
      '<tr><td><code>' + esc(v.version) + '</code></td><td>' + [r.production === v.version ? 'production' : '', r.candidate === v.version ? 'candidate' : '',
        r.history.includes(v.version) ? 'earlier production' : ''].filter(Boolean).join(', ') + '</td><td>' + new Date(v.created).toLocaleString() +
      '</td><td>' + (v.bytes / 1024).toFixed(1) + ' KiB</td></tr>').join('') + '</table>';
  $('#models').innerHTML = '<div class="bar"><span>In use: <code data-model-current>' + esc(m.current ?? 'none') + '</code></span>' +
    '<span>production: <code data-model-production>' + esc((r && r.production) || '—') + '</code></span><span>candidate: <code>' + esc((r && r.candidate) || '—') + '</code></span>' +
    '<span>swaps: <b data-model-swaps>' + m.swaps + '</b></span><span>rollbacks: <b>' + m.rollbacks + '</b></span>' +
    '<span>canary: <b data-canary>' + esc(m.canary.state) + '</b> (' + (m.canary.share * 100).toFixed(0) + '% of traffic)</span>' +
    (r && !r.error ? '<button class="danger" data-model-action="rollback"' + (r.history.length ? ' title="production back to ' + esc(r.history[r.history.length - 1]) + '"' : ' disabled title="no earlier production version"') +
      '>Roll back production</button><button data-model-action="promote"' + (r.candidate && r.candidate !== r.production ? '' : ' disabled title="no candidate"') +
      '>Promote the candidate</button>' : '') + '</div>' + reg +
    (m.recent.length ? '<p class="muted">Swaps on this node: ' + m.recent.map((s) => new Date(s.t * 1000).toLocaleTimeString() + ' → ' +
      esc(s.version) + (s.rollback ? ' (back to an earlier version)' : '')).join('; ') + '</p>' : '');
}
$('#resolution').addEventListener('change', (ev) => { resolution = ev.target.value; live().catch(() => {}); });
async function refresh() {
  const [ex, seg, hist] = await Promise.all([api('experiments'), api('segments'), api('history')]);
  $('#experiments').innerHTML = ex.experiments.map((e) => experiment(e, hist.experiments)).join('') || '<p class="muted">No experiments.</p>';
  $('#segments').innerHTML = '<table><tr><th>segment</th><th>visitors</th></tr>' +
    seg.segments.map((s) => '<tr><td title="' + esc(s.description) + '">' + esc(s.id) + '</td><td>' + s.size + '</td></tr>').join('') + '</table>';
}
document.addEventListener('click', async (ev) => {
  const move = ev.target.closest('button[data-model-action]');
  if (move) {
    const action = move.dataset.modelAction;
    if (!confirm(action === 'rollback' ? 'Move production back to the previous production version on every node?' : 'Make the candidate production on every node?')) return;
    move.disabled = true;
    try {
      const r = await api('models/' + action, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      $('#model-result').textContent = (action === 'rollback' ? 'Rolled back' : 'Promoted') + ': production is ' + r.production + ', this node serves ' + r.inUse + '.';
    } catch (e) { $('#model-result').textContent = e.message; }
    await models().catch(() => {});
    return;
  }
  const b = ev.target.closest('button[data-promote]');
  if (!b) return;
  await api('experiments/' + encodeURIComponent(b.dataset.promote) + '/promote', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ variant: b.dataset.variant }) });
  await refresh();
});
function visitorCard(v) {
  const d = v.decision, when = (t) => t == null ? '—' : new Date(t).toLocaleString();
  const recs = d.recommendations.map((r) => '<tr><td>' + esc(r.slot) + '</td><td>' + esc(r.strategy || '') + '</td><td>' +
    (r.items || []).map((i) => esc(i.item) + ' <span class="muted">' + (typeof i.score === 'number' ? i.score.toFixed(3) : '') +
      (i.sources && i.sources.length ? ' ← ' + i.sources.slice(0, 3).map((s) => esc(s.item)).join(', ') : '') + '</span>').join('<br>') + '</td></tr>').join('');
  return '<div class="visitor" data-lookup-visitor="' + esc(v.visitor) + '"><div class="bar"><span>visitor <code>' + esc(v.visitor) + '</code></span>' +
    '<span>consent: ' + (v.consent ? 'personalization ' + (v.consent.personalization ? 'yes' : 'no') + ', analytics ' + (v.consent.analytics ? 'yes' : 'no') : 'none held') + '</span>' +
    '<span>events: <b>' + v.events + '</b> (' + when(v.firstEvent) + ' – ' + when(v.lastEvent) + ')</span>' +
    (v.linkedUser ? '<span>linked user <code>' + esc(v.linkedUser.slice(0, 12)) + '…</code></span>' : '') + '</div>' +
    '<p>Strongest affinities: ' + (v.affinities.map((a) => esc(a.key) + ' <span class="muted">' + a.weight + '</span>').join(', ') || '<span class="muted">none</span>') +
    '<br>Recent items: ' + (v.recent.map((r) => esc(r.item) + ' <span class="muted">' + esc(r.type) + '</span>').join(', ') || '<span class="muted">none</span>') + '</p>' +
    '<p>Decision for <code>' + esc(d.path) + '</code>: profile from <b data-lookup-source>' + esc(d.profile.source) + '</b>, segments <b data-lookup-segments>' +
    (d.segments.map((s) => esc(s.id || s)).join(', ') || 'none') + '</b>; ' + d.experiments.map((x) => esc(x.experiment) + ' = <b>' + esc(x.arm ?? '—') + '</b> <span class="muted">(' + esc(x.why) + ')</span>').join('; ') + '</p>' +
    '<table><tr><th>slot</th><th>strategy</th><th>items (score ← because of)</th></tr>' + recs + '</table>' +
    '<details><summary>Full trace</summary><pre>' + esc(JSON.stringify(d.trace, null, 1)) + '</pre></details></div>';
}
$('#lookup').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target), id = String(f.get('id') || '').trim();
  if (!id) return;
  $('#lookup-result').textContent = 'Looking up…';
  try {
    const r = await api('profiles/' + encodeURIComponent(id) + '/trace?path=' + encodeURIComponent(String(f.get('path') || '/')));
    $('#lookup-result').innerHTML = (r.pseudonyms.length ? '<p class="muted">Found through a user id or email: ' + r.visitors.length + ' visitor(s).</p>' : '') + r.visitors.map(visitorCard).join('');
  } catch (e) { $('#lookup-result').textContent = e.message; }
});
refresh().catch((e) => { $('#experiments').textContent = e.message; });
live().catch((e) => { $('#totals').textContent = e.message; });
models().catch((e) => { $('#models').textContent = e.message; });
setInterval(() => { refresh().catch(() => {}); live().catch(() => {}); }, 2000);
setInterval(() => models().catch(() => {}), 10000);`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The inline script and style exactly as the page carries them (the CSP hashes these). */
export function dashboardAssets(charts: ChartLibrary): { script: string; style: string } {
  return { script: `${charts.script}\n${DASHBOARD_SCRIPT}`, style: `${charts.style}\n${DASHBOARD_STYLE}` };
}

/**
 * The page for a session whose CSRF value is `csrf`: it sits in a meta tag,
 * not in the script, so the script (and its CSP hash) stays the same.
 */
export function dashboardHtml(
  siteName: string,
  csrf: string,
  assets: { script: string; style: string },
): string {
  const name = escapeHtml(siteName);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tessera admin — ${name}</title>
<meta name="tessera-csrf" content="${escapeHtml(csrf)}">
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${assets.style}</style></head>
<body><header><h1>Tessera — ${name} <select id="resolution" aria-label="resolution"><option value="perSecond">last 5 minutes, per second</option><option value="per10s">last hour, per 10 s</option></select></h1></header><main>
<section><div class="bar" id="totals"></div><p class="note" id="idle" hidden>No page views in the last minute. Drive some: <code>tessera simulate --url http://localhost:8787</code></p></section>
<div class="charts"><section><div data-chart="traffic"></div></section><section><div data-chart="latency"></div></section>
<section><div data-chart="ctr"></div></section><section><div data-chart="conversion"></div></section>
<section><div data-chart="segments"></div></section></div>
<section><h2>Models</h2><div id="models"></div><p class="muted" id="model-result" role="status"></p></section>
<div id="experiments"><p class="muted">Loading…</p></div>
<section><h2>Segments</h2><div id="segments"></div></section>
<section><h2>Profile lookup</h2><form class="lookup" id="lookup"><input name="id" aria-label="visitor id, user id or email" placeholder="visitor id, user id or email" autocomplete="off">
<input name="path" aria-label="page path" value="/"><button type="submit">Look up</button></form><p class="muted">Needs a token with admin:profiles. Looking records nothing: no view, no exposure.</p><div id="lookup-result"></div></section>
</main><script>${assets.script}</script></body></html>`;
}
