// Archipelago dashboard: a small single-page app over the control plane's REST API (/api/v1) and its
// server-sent event stream (/api/v1/stream). No build step and no asset from outside the server: the only
// library is uPlot, served from its WebJar. The token lives in sessionStorage and goes out only in the
// Authorization header (the stream is read with fetch, not EventSource, so the token is never in a URL).
'use strict';

const TOKEN_KEY = 'archipelago.token';
const S = {
  token: sessionStorage.getItem(TOKEN_KEY),
  me: null,
  fleet: null,
  history: [],          // [at ms, allocation %, queued, running, fragmented GPUs]
  streamAbort: null,
  onFleet: null,        // the current view's handlers
  onJobs: null,
  renderSeq: 0,
};

// ---------------------------------------------------------------- helpers

const $ = (sel, root = document) => root.querySelector(sel);
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const fmt = (v, d = 0) => (v == null || Number.isNaN(v) ? '–' : Number(v).toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const pct = (v, d = 1) => (v == null ? '–' : fmt(100 * v, d) + ' %');
const usd = (v) => (v == null ? '–' : '$' + fmt(v, 0));
const when = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–');

class ApiError extends Error {
  constructor(status, detail) { super(detail); this.status = status; }
}

async function api(path, opts = {}) {
  const headers = { Authorization: 'Bearer ' + S.token };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method: opts.method || 'GET', headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  if (res.status === 401 && !opts.probe) {
    logout('Your token was not accepted; log in again.');
    throw new ApiError(401, 'not logged in');
  }
  const type = res.headers.get('Content-Type') || '';
  if (!res.ok) {
    let detail = res.status + ' ' + res.statusText;
    if (type.includes('json')) {
      const p = await res.json();
      detail = p.detail || detail;
    }
    throw new ApiError(res.status, detail);
  }
  if (opts.raw) return res;
  return type.includes('json') ? res.json() : res.text();
}

function toast(text) {
  const t = $('#toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 4000);
}

/** Asks for confirmation in the page's own dialog; resolves true or false. */
function confirmDialog(title, text, okLabel) {
  return new Promise((resolve) => {
    const m = $('#confirm');
    $('#confirm-title').textContent = title;
    $('#confirm-text').textContent = text;
    $('#confirm-ok').textContent = okLabel || 'Confirm';
    m.hidden = false;
    const done = (v) => {
      m.hidden = true;
      $('#confirm-ok').onclick = null;
      $('#confirm-cancel').onclick = null;
      resolve(v);
    };
    $('#confirm-ok').onclick = () => done(true);
    $('#confirm-cancel').onclick = () => done(false);
  });
}

function setView(html) {
  $('#view').innerHTML = html;
}

function errorView(e) {
  setView(`<div class="panel"><h1>Something went wrong</h1><p class="error" id="view-error">${esc(e.message)}</p></div>`);
}

// ---------------------------------------------------------------- session and live stream

async function login(token) {
  S.token = token.trim();
  const me = await api('/api/v1/me', { probe: true });
  sessionStorage.setItem(TOKEN_KEY, S.token);
  S.me = me;
  showIdentity();
  connect();
  return me;
}

function logout(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  S.token = null;
  S.me = null;
  S.fleet = null;
  S.history = [];
  if (S.streamAbort) S.streamAbort.abort();
  S.streamAbort = null;
  setLive(false);
  showIdentity();
  location.hash = '#/login';
  if (message) setTimeout(() => { const e = $('#login-error'); if (e) e.textContent = message; }, 0);
}

function showIdentity() {
  const op = S.me && S.me.role === 'operator';
  $('#whoami').textContent = S.me ? `${S.me.name} (${S.me.role})` : '';
  $('#logout').hidden = !S.me;
  $('#nav').hidden = !S.me;
  document.querySelectorAll('[data-role="operator"]').forEach((a) => { a.hidden = !op; });
}

function setLive(on) {
  const s = $('#live-status');
  s.dataset.live = on ? 'on' : 'off';
  s.textContent = on ? 'live' : 'offline';
}

/** Reads the server-sent event stream with fetch (so the token stays in a header); reconnects after a drop. */
async function connect() {
  if (S.streamAbort) S.streamAbort.abort();
  const ctl = new AbortController();
  S.streamAbort = ctl;
  while (!ctl.signal.aborted && S.token) {
    try {
      const res = await fetch('/api/v1/stream', { headers: { Authorization: 'Bearer ' + S.token, Accept: 'text/event-stream' }, signal: ctl.signal });
      if (res.status === 401) { logout('Your token was not accepted; log in again.'); return; }
      if (!res.ok || !res.body) throw new Error('stream answered ' + res.status);
      setLive(true);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trim();
          }
          if (data) dispatch(event, JSON.parse(data));
        }
      }
    } catch (e) {
      if (ctl.signal.aborted) return;
    }
    setLive(false);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function dispatch(event, data) {
  if (event === 'hello') {
    if (data.history && data.history.length) S.history = data.history;
  } else if (event === 'fleet') {
    S.fleet = data;
    const last = S.history[S.history.length - 1];
    if (!last || last[0] !== data.at) {
      S.history.push(historyPoint(data));
      if (S.history.length > 900) S.history.shift();
    }
    if (S.onFleet) S.onFleet(data);
  } else if (event === 'jobs') {
    if (S.onJobs) S.onJobs(data);
  }
}

function historyPoint(f) {
  const queued = Object.values(f.queued).reduce((a, b) => a + b, 0);
  const frag = f.sites.reduce((a, s) => a + s.fragmentedGpus, 0);
  return [f.at, f.gpus ? 100 * f.gpusAllocated / f.gpus : 0, queued, f.running, frag];
}

// ---------------------------------------------------------------- router

const routes = [
  [/^#\/login$/, viewLogin],
  [/^#\/overview$/, viewOverview],
  [/^#\/sites\/([^/?]+)$/, viewSite],
  [/^#\/jobs(\?.*)?$/, viewJobs],
  [/^#\/jobs\/(\d+)$/, viewJob],
  [/^#\/results$/, viewResults],
  [/^#\/results\/([^/?]+)$/, viewResult],
];

async function route() {
  S.onFleet = null;
  S.onJobs = null;
  S.renderSeq++;
  let hash = location.hash || '#/';
  if (!S.token && hash !== '#/login') { location.hash = '#/login'; return; }
  if (S.token && !S.me) {
    try {
      S.me = await api('/api/v1/me');
      showIdentity();
      connect();
    } catch (e) {
      if (e.status !== 401) errorView(e);
      return;
    }
  }
  if (hash === '#/' || hash === '#') {
    location.hash = S.me && S.me.role === 'operator' ? '#/overview' : '#/jobs';
    return;
  }
  document.querySelectorAll('#nav a').forEach((a) => a.classList.toggle('active', hash.startsWith('#/' + a.dataset.nav)
    || (a.dataset.nav === 'overview' && hash.startsWith('#/sites'))));
  for (const [re, fn] of routes) {
    const m = hash.match(re);
    if (m) {
      try {
        await fn(...m.slice(1));
      } catch (e) {
        if (e.status !== 401) errorView(e);
      }
      return;
    }
  }
  setView('<div class="panel"><h1>Not found</h1><p><a href="#/">Back to the start</a></p></div>');
}

// ---------------------------------------------------------------- login

function viewLogin() {
  setView(`<div class="login panel" id="login">
    <h1>Log in to Archipelago</h1>
    <p class="muted">Paste a token. The operator's token (<code>archipelago-data/operator-token</code>) sees the whole fleet;
      a tenant's token (<code>archipelago-data/tokens/&lt;tenant&gt;</code>) sees its own jobs.</p>
    <form id="login-form"><input id="token" type="password" autocomplete="off" placeholder="ap_…" aria-label="token">
    <button id="login-btn" type="submit">Log in</button></form>
    <div class="error" id="login-error"></div></div>`);
  $('#login-form').onsubmit = async (ev) => {
    ev.preventDefault();
    const t = $('#token').value;
    if (!t.trim()) { $('#login-error').textContent = 'Enter a token.'; return; }
    try {
      const me = await login(t);
      location.hash = me.role === 'operator' ? '#/overview' : '#/jobs';
    } catch (e) {
      S.token = null;
      $('#login-error').textContent = e.status === 401 ? 'That token is not valid.' : e.message;
    }
  };
  $('#token').focus();
}

// ---------------------------------------------------------------- fleet overview

// Approximate city coordinates (latitude, longitude) for the map-like layout, keyed by region name.
const PLACES = {
  'Singapore': [1.35, 103.82], 'Johor': [1.49, 103.74], 'Kuala Lumpur': [3.14, 101.69], 'Jakarta': [-6.2, 106.85],
  'Manila': [14.6, 120.98], 'Bangkok': [13.76, 100.5], 'Ho Chi Minh City': [10.82, 106.63], 'Hanoi': [21.03, 105.85],
  'Hong Kong': [22.32, 114.17], 'Tokyo': [35.68, 139.69], 'Seoul': [37.57, 126.98], 'Taipei': [25.03, 121.57],
  'Sydney': [-33.87, 151.21], 'Mumbai': [19.08, 72.88], 'Batam': [1.05, 104.03], 'Cebu': [10.32, 123.89], 'Penang': [5.41, 100.33],
};

function regionsOf(f) {
  const by = new Map();
  for (const s of f.sites) {
    if (!by.has(s.region)) by.set(s.region, []);
    by.get(s.region).push(s);
  }
  return by;
}

function viewOverview() {
  if (!S.me || S.me.role !== 'operator') {
    setView('<div class="panel"><h1>Fleet</h1><p>The fleet view is for operators. <a href="#/jobs">Your jobs</a></p></div>');
    return;
  }
  setView(`<h1>Fleet <span class="muted" id="fleet-name"></span></h1>
    <div class="kpis" id="kpis"></div>
    <div class="overview"><div class="panel map" id="map"></div><div class="chart" id="fleet-chart"></div></div>
    <h2>Regions and sites</h2><div class="regions" id="overview"></div>`);
  let chart = null;
  const paint = (f) => {
    renderKpis(f);
    renderMap(f);
    renderRegions(f);
    chart = renderFleetChart(chart);
  };
  S.onFleet = paint;
  if (S.fleet) paint(S.fleet);
  const seq = S.renderSeq;
  api('/api/v1/fleet').then((f) => {
    if (seq !== S.renderSeq) return;
    if (!S.fleet || f.at >= S.fleet.at) S.fleet = f;
    if (!S.history.length) S.history.push(historyPoint(f));
    paint(S.fleet);
  }).catch((e) => { if (e.status !== 401) errorView(e); });
}

function renderKpis(f) {
  const queued = Object.values(f.queued).reduce((a, b) => a + b, 0);
  const frag = f.sites.reduce((a, s) => a + s.fragmentedGpus, 0);
  const rev = f.sites.reduce((a, s) => a + s.revenueUsdPerHour, 0);
  const cost = f.sites.reduce((a, s) => a + s.costUsdPerHour, 0);
  const margin = rev > 0 ? (rev - cost) / rev : null;
  $('#fleet-name').textContent = f.fleet + ' · ' + f.sites.length + ' sites · ' + fmt(f.gpus) + ' GPUs';
  const k = (id, v, l) => `<div class="kpi" id="kpi-${id}"><div class="v">${v}</div><div class="l">${l}</div></div>`;
  $('#kpis').innerHTML = k('allocation', pct(f.gpus ? f.gpusAllocated / f.gpus : 0), 'GPU allocation')
    + k('running', fmt(f.running), 'running jobs')
    + k('queued', fmt(queued), 'queued jobs ' + Object.entries(f.queued).map(([c, n]) => `<span class="mini">${esc(c)} ${fmt(n)}</span>`).join(' '))
    + k('fragmented', fmt(frag, 1), 'fragmented GPUs (FGD measure)')
    + k('revenue', usd(rev) + '/h', 'revenue of running jobs')
    + k('margin', margin == null ? '–' : pct(margin), 'margin now (cost ' + usd(cost) + '/h)');
}

function renderMap(f) {
  const W = 400;
  const H = 330;
  const regions = regionsOf(f);
  const pts = [];
  let unknown = 0;
  for (const [id, sites] of regions) {
    const name = regionName(id);
    const ll = PLACES[name];
    const gpus = sites.reduce((a, s) => a + s.gpus, 0);
    const used = sites.reduce((a, s) => a + s.gpusAllocated, 0);
    pts.push({ id, name, ll, gpus, alloc: gpus ? used / gpus : 0, down: sites.every((s) => s.down), idx: ll ? -1 : unknown++ });
  }
  const known = pts.filter((p) => p.ll);
  const lat = known.map((p) => p.ll[0]);
  const lon = known.map((p) => p.ll[1]);
  const [la0, la1] = [Math.min(...lat, 0) - 3, Math.max(...lat, 0) + 3];
  const [lo0, lo1] = [Math.min(...lon, 100) - 3, Math.max(...lon, 100) + 3];
  const sc = Math.min((W - 60) / (lo1 - lo0), (H - 70) / (la1 - la0));
  for (const p of pts) {
    if (p.ll) {
      p.x = 30 + (p.ll[1] - lo0) * sc;
      p.y = 20 + (la1 - p.ll[0]) * sc;
    } else {
      p.x = 40 + p.idx * 70;
      p.y = H - 25;
    }
    p.r = 8 + Math.sqrt(p.gpus) / 3;
  }
  // push apart regions whose circle and label would overlap (Singapore and Johor are 20 km apart):
  // each region is the box of its circle and its two-line label to the right; overlapping boxes move apart vertically
  for (const p of pts) p.w = 2 * p.r + 8 + 6.2 * Math.max(p.name.length, 18);
  for (let it = 0; it < 120; it++) {
    let moved = false;
    for (let i = 0; i < pts.length; i++) {
      for (let j = i + 1; j < pts.length; j++) {
        const a = pts[i];
        const b = pts[j];
        const ha = Math.max(a.r, 14);
        const hb = Math.max(b.r, 14);
        const overlapX = Math.min(a.x - a.r + a.w, b.x - b.r + b.w) - Math.max(a.x - a.r, b.x - b.r);
        const overlapY = Math.min(a.y + ha, b.y + hb) - Math.max(a.y - ha, b.y - hb) + 4;
        if (overlapX > 0 && overlapY > 0) {
          const [up, down] = a.y <= b.y ? [a, b] : [b, a];
          up.y -= overlapY / 2;
          down.y += overlapY / 2;
          moved = true;
        }
      }
    }
    for (const p of pts) p.y = Math.max(p.r + 4, Math.min(H - p.r - 4, p.y));
    if (!moved) break;
  }
  let g = '';
  for (let x = 0; x <= W; x += 40) g += `<line class="grid" x1="${x}" y1="0" x2="${x}" y2="${H}"/>`;
  for (let y = 0; y <= H; y += 40) g += `<line class="grid" x1="0" y1="${y}" x2="${W}" y2="${y}"/>`;
  let c = '';
  for (const p of pts) {
    const fill = p.down ? '#ff5d5d' : heatColor(p.alloc);
    c += `<g data-map-region="${esc(p.id)}"><title>${esc(p.name)} (${esc(p.id)}): ${pct(p.alloc)} of ${fmt(p.gpus)} GPUs allocated</title>
      <circle class="region" cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="${p.r.toFixed(1)}" fill="${fill}"/>
      <text x="${(p.x + p.r + 4).toFixed(1)}" y="${(p.y - 2).toFixed(1)}">${esc(p.name)}</text>
      <text class="sub" x="${(p.x + p.r + 4).toFixed(1)}" y="${(p.y + 11).toFixed(1)}">${pct(p.alloc, 0)} · ${fmt(p.gpus)} GPUs</text></g>`;
  }
  $('#map').innerHTML = `<h3>Regions <span class="muted">(size: GPUs, colour: allocation)</span></h3>
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="map of regions"><rect class="sea" width="${W}" height="${H}" rx="6"/>${g}${c}</svg>`;
  $('#map').onclick = (ev) => {
    const r = ev.target.closest('[data-map-region]');
    const card = r && document.getElementById('region-' + r.dataset.mapRegion);
    if (card) card.scrollIntoView({ behavior: 'smooth' });
  };
}

/** A GPU's colour by its used milli-GPU: free, a shared fragment (amber, darker when little is used), or whole. */
function gpuColor(m) {
  if (m <= 0) return '#26303b';
  if (m >= 1000) return '#4aa3ff';
  const t = m / 1000;
  return `rgb(${Math.round(120 + 125 * t)},${Math.round(80 + 99 * t)},${Math.round(30 + 36 * t)})`;
}

function heatColor(a) {
  // free (dark blue-grey) -> allocated (accent blue) -> full (green)
  const stops = [[0, [38, 48, 59]], [0.5, [74, 163, 255]], [1, [62, 207, 142]]];
  let i = 0;
  while (i < stops.length - 2 && a > stops[i + 1][0]) i++;
  const [x0, c0] = stops[i];
  const [x1, c1] = stops[i + 1];
  const t = Math.max(0, Math.min(1, (a - x0) / (x1 - x0)));
  return `rgb(${c0.map((v, k) => Math.round(v + (c1[k] - v) * t)).join(',')})`;
}

function regionName(id) {
  const r = S.me && S.me.regions && S.me.regions.find((x) => x.id === id);
  return (r && r.name) || (S.fleet && S.fleet.regionNames && S.fleet.regionNames[id]) || id;
}

function renderRegions(f) {
  const queuedBy = f.queuedByOrigin || {};
  let html = '';
  for (const [id, sites] of regionsOf(f)) {
    const gpus = sites.reduce((a, s) => a + s.gpus, 0);
    const used = sites.reduce((a, s) => a + s.gpusAllocated, 0);
    html += `<div class="panel region" id="region-${esc(id)}" data-region="${esc(id)}"><h3>${esc(regionName(id))} <span class="muted">${esc(id)} ·
      ${pct(gpus ? used / gpus : 0)} of ${fmt(gpus)} GPUs · <span data-queued>${fmt(queuedBy[id] || 0)}</span> queued from here</span></h3><div class="sites">`;
    for (const s of sites) {
      const margin = s.revenueUsdPerHour > 0 ? (s.revenueUsdPerHour - s.costUsdPerHour) / s.revenueUsdPerHour : null;
      html += `<a class="site${s.down ? ' down' : ''}" href="#/sites/${encodeURIComponent(s.name)}" data-site="${esc(s.name)}"
          data-allocation="${s.allocation.toFixed(4)}" data-running="${s.runningJobs}" data-down="${s.down}">
        <div><span class="name">${esc(s.name)}</span> ${s.down ? '<span class="badge down">down</span>' : ''}
          <span class="muted">${fmt(s.nodesUp)}/${fmt(s.nodes)} nodes up${s.nodesCordoned ? ', ' + fmt(s.nodesCordoned) + ' cordoned' : ''}</span></div>
        <div class="bar"><span style="width:${(100 * s.allocation).toFixed(1)}%"></span></div>
        <div class="row"><span>${pct(s.allocation)} of ${fmt(s.gpus)} GPUs</span><span>${fmt(s.fragmentedGpus, 1)} GPUs fragmented</span>
          <span>${fmt(s.runningJobs)} jobs</span></div>
        <div class="row"><span>revenue ${usd(s.revenueUsdPerHour)}/h</span><span>cost ${usd(s.costUsdPerHour)}/h</span>
          <span>margin ${margin == null ? '–' : pct(margin, 0)}</span></div></a>`;
    }
    html += `</div></div>`;
  }
  $('#overview').innerHTML = html;
  if (!performance.getEntriesByName('overview-rendered').length) performance.mark('overview-rendered');
}

function renderFleetChart(chart) {
  const el = $('#fleet-chart');
  if (!el || typeof uPlot !== 'function') return chart;
  const h = S.history;
  const data = [h.map((p) => p[0] / 1000), h.map((p) => p[1]), h.map((p) => p[2]), h.map((p) => p[4])];
  if (chart && chart.root.isConnected) {
    chart.setData(data);
    return chart;
  }
  el.innerHTML = '<h3>Fleet over time</h3>';
  const width = Math.max(300, el.clientWidth - 20);
  return new uPlot({
    width, height: 280,
    series: [{}, { label: 'GPU allocation %', stroke: '#4aa3ff', width: 2, scale: '%' },
      { label: 'queued jobs', stroke: '#f5b342', width: 1.5, scale: 'n' },
      { label: 'fragmented GPUs', stroke: '#ff5d5d', width: 1.5, scale: 'n' }],
    scales: { '%': { range: [0, 100] } },
    axes: [{ stroke: '#8996a5', grid: { stroke: '#2b3540' } }, { scale: '%', stroke: '#8996a5', grid: { stroke: '#2b3540' } },
      { scale: 'n', side: 1, stroke: '#8996a5', grid: { show: false } }],
  }, data, el);
}

// ---------------------------------------------------------------- site drill-down

async function viewSite(name) {
  name = decodeURIComponent(name);
  const seq = S.renderSeq;
  setView(`<h1>Site ${esc(name)} <span class="muted" id="site-summary"></span></h1>
    <div class="filters"><a href="#/overview">← Fleet</a><span class="spacer"></span>
      <button class="secondary small" id="site-toggle" hidden></button></div>
    <div class="legend"><span><span class="gpu"></span>free</span><span><span class="gpu part" style="--fill:50%"></span>shared (part used: a fragment)</span>
      <span><span class="gpu full"></span>whole GPU used</span><span>dashed: cordoned · red: down</span></div>
    <div class="panel"><h3>Occupancy <span class="muted">one block per node, one cell per GPU; click a node for its row</span></h3>
      <div class="heat-grid" id="heat-grid"></div></div>
    <h2>Nodes</h2>
    <div class="panel"><div class="heat-row"><span class="mini">node</span><span class="mini">state</span><span class="mini">GPUs (milli-GPU used each)</span>
      <span class="mini">CPU · memory</span><span class="mini">actions</span></div><div class="heatmap" id="heatmap"><p class="muted">Loading…</p></div></div>`);
  let busy = false;
  let last = 0;
  const load = async () => {
    if (busy) return;
    busy = true;
    try {
      const r = await api('/api/v1/sites/' + encodeURIComponent(name) + '/nodes');
      if (seq !== S.renderSeq) return;
      last = Date.now();
      renderHeatmap(name, r.nodes);
    } finally {
      busy = false;
    }
  };
  S.onFleet = (f) => {
    const s = f.sites.find((x) => x.name === name);
    if (s) siteHeader(s);
    if (Date.now() - last > 1500) load().catch(() => {});
  };
  if (S.fleet) S.onFleet(S.fleet);
  await load();
}

function siteHeader(s) {
  $('#site-summary').textContent = `${s.region} · ${pct(s.allocation)} of ${fmt(s.gpus)} GPUs · ${fmt(s.fragmentedGpus, 1)} fragmented · `
    + `${fmt(s.runningJobs)} jobs · ${s.down ? 'DOWN' : 'up'}`;
  const b = $('#site-toggle');
  b.hidden = false;
  b.textContent = s.down ? 'Bring site up' : 'Take site down';
  b.onclick = async () => {
    const down = !s.down;
    const ok = await confirmDialog(down ? 'Take ' + s.name + ' down?' : 'Bring ' + s.name + ' up?',
      down ? `Every job on ${s.name} fails over to a site its rules allow, or waits.` : `${s.name} takes new work again.`, down ? 'Take down' : 'Bring up');
    if (!ok) return;
    try {
      await api('/api/v1/sites/' + encodeURIComponent(s.name) + '/' + (down ? 'down' : 'up'), { method: 'POST' });
      toast(s.name + (down ? ' is down' : ' is up'));
      const f = await api('/api/v1/fleet');
      S.fleet = f;
      if (S.onFleet) S.onFleet(f);
    } catch (e) { toast(e.message); }
  };
}

function renderHeatmap(site, nodes) {
  const hm = $('#heatmap');
  const key = JSON.stringify(nodes);
  if (hm.dataset.key === key) return; // unchanged: keep the DOM (and whatever the user is about to click)
  hm.dataset.key = key;
  let html = '';
  for (const n of nodes) {
    let cells = '';
    n.gpuUsed.forEach((m, g) => {
      const cls = m >= 1000 ? 'gpu full' : m > 0 ? 'gpu part' : 'gpu';
      cells += `<span class="${cls}" data-gpu="${g}" data-milli="${m}" style="--fill:${(m / 10).toFixed(0)}%" title="GPU ${g}: ${m}/1000 milli-GPU used"></span>`;
    });
    const acts = n.state === 'cordoned'
      ? `<button class="secondary small" data-action="uncordon">Uncordon</button> <button class="danger small" data-action="drain">Drain</button>`
      : n.state === 'ready'
        ? `<button class="secondary small" data-action="cordon">Cordon</button> <button class="danger small" data-action="drain">Drain</button>` : '';
    html += `<div class="heat-row" data-node="${esc(n.name)}" data-state="${esc(n.state)}" data-tasks="${n.tasks}">
      <span class="node">${esc(n.name)}${n.agent ? ' <span class="badge">agent</span>' : ''}<br><span class="mini">${esc(n.gpuModel || 'CPU')} · ${fmt(n.tasks)} tasks · ${fmt(n.fragmentedGpus, 2)} frag</span></span>
      <span><span class="badge ${esc(n.state)}">${esc(n.state)}</span></span>
      <span class="gpus">${cells || '<span class="mini">no GPUs</span>'}</span>
      <span class="mini">CPU ${pct(n.cpuMilli ? n.cpuUsedMilli / n.cpuMilli : 0, 0)} · mem ${pct(n.memoryMib ? n.memoryUsedMib / n.memoryMib : 0, 0)}</span>
      <span>${acts}</span></div>`;
  }
  hm.innerHTML = html;
  $('#heat-grid').innerHTML = nodes.map((n) => `<span class="hn" data-hn="${esc(n.name)}" data-state="${esc(n.state)}"
    title="${esc(n.name)} (${esc(n.state)}): ${n.gpuUsed.map((m) => m).join(' / ')} milli-GPU">${n.gpuUsed.map((m) =>
    `<i style="background:${gpuColor(m)}"></i>`).join('')}</span>`).join('');
  $('#heat-grid').onclick = (ev) => {
    const b = ev.target.closest('[data-hn]');
    if (!b) return;
    const row = document.querySelector(`[data-node="${CSS.escape(b.dataset.hn)}"]`);
    if (row) { row.scrollIntoView({ behavior: 'smooth', block: 'center' }); row.classList.add('flash'); setTimeout(() => row.classList.remove('flash'), 1500); }
  };
  hm.onclick = async (ev) => {
    const b = ev.target.closest('button[data-action]');
    if (!b) return;
    const node = b.closest('[data-node]').dataset.node;
    const a = b.dataset.action;
    const text = { cordon: `No new tasks go to ${node}; its running tasks stay.`, uncordon: `${node} takes new tasks again.`,
      drain: `${node} is cordoned and its jobs are requeued (they restart elsewhere).` }[a];
    if (!(await confirmDialog(a[0].toUpperCase() + a.slice(1) + ' ' + node + '?', text, a[0].toUpperCase() + a.slice(1)))) return;
    try {
      const n = await api('/api/v1/nodes/' + encodeURIComponent(node) + '/' + a, { method: 'POST' });
      toast(`${node}: ${n.state}`);
      const r = await api('/api/v1/sites/' + encodeURIComponent(site) + '/nodes');
      renderHeatmap(site, r.nodes);
    } catch (e) { toast(e.message); }
  };
}

// ---------------------------------------------------------------- jobs

const STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

async function viewJobs(query) {
  const q = new URLSearchParams((query || '').replace(/^\?/, ''));
  const op = S.me.role === 'operator';
  const regions = (S.me.regions || []).map((r) => r.id);
  const sel = (id, label, options, value) => `<label>${label} <select id="${id}"><option value="">any</option>${options.map((o) =>
    `<option${o === value ? ' selected' : ''}>${esc(o)}</option>`).join('')}</select></label>`;
  setView(`<h1>Jobs <span class="muted">${op ? 'all tenants' : 'of ' + esc(S.me.name)}</span></h1>
    <div class="filters">${sel('f-state', 'state', STATES, q.get('state') || '')}
      ${regions.length ? sel('f-region', 'region', regions, q.get('region') || '') : ''}
      ${op ? `<label>tenant <input id="f-tenant" size="14" value="${esc(q.get('tenant') || '')}" placeholder="any"></label>` : ''}
      <label>order <select id="f-order"><option value="newest">newest first</option><option value="oldest"${q.get('order') === 'oldest' ? ' selected' : ''}>oldest first</option></select></label>
      <span class="muted" id="jobs-updated"></span></div>
    <div class="panel"><table id="jobs-table"><thead><tr><th>id</th>${op ? '<th>tenant</th>' : ''}<th>name</th><th>state</th><th>resources</th>
      <th>placement</th><th>submitted</th></tr></thead><tbody><tr><td colspan="7" class="muted">Loading…</td></tr></tbody></table>
    <div class="pager"><button class="secondary small" id="prev" disabled>← Previous</button><button class="secondary small" id="next" disabled>Next →</button>
      <span class="muted" id="page-info"></span></div></div>`);
  const apply = () => {
    const p = new URLSearchParams();
    for (const [k, id] of [['state', '#f-state'], ['region', '#f-region'], ['tenant', '#f-tenant'], ['order', '#f-order']]) {
      const el = $(id);
      if (el && el.value && !(k === 'order' && el.value === 'newest')) p.set(k, el.value.trim());
    }
    location.hash = '#/jobs' + (p.toString() ? '?' + p : '');
  };
  document.querySelectorAll('.filters select').forEach((s) => { s.onchange = apply; });
  const t = $('#f-tenant');
  if (t) t.onchange = apply;
  const cursors = [''];
  let page = 0;
  const seq = S.renderSeq;
  const load = async () => {
    const p = new URLSearchParams();
    for (const k of ['state', 'region', 'tenant']) if (q.get(k)) p.set(k, q.get(k));
    p.set('order', q.get('order') === 'oldest' ? 'oldest' : 'newest');
    p.set('limit', '50');
    if (cursors[page]) p.set('cursor', cursors[page]);
    const r = await api('/api/v1/jobs?' + p);
    if (seq !== S.renderSeq) return;
    cursors[page + 1] = r.next_cursor;
    renderJobRows(r.jobs, op);
    $('#prev').disabled = page === 0;
    $('#next').disabled = !r.next_cursor;
    $('#page-info').textContent = `page ${page + 1} · ${r.jobs.length} jobs`;
    $('#jobs-updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  };
  $('#prev').onclick = () => { page = Math.max(0, page - 1); load(); };
  $('#next').onclick = () => { page++; load(); };
  let pending = false;
  S.onJobs = () => {
    // live: the first page of the newest jobs follows every change; other pages stay put while you read them
    if (page !== 0 || pending) return;
    pending = true;
    setTimeout(() => { pending = false; if (seq === S.renderSeq) load().catch(() => {}); }, 500);
  };
  await load();
}

function resources(spec) {
  const r = spec.resources || {};
  const g = r.gpu;
  let s = `${fmt((r.cpu_milli || 0) / 1000, 1)} CPU, ${fmt((r.memory_mib || 0) / 1024, 0)} GiB`;
  if (g && g.count) s += `, ${g.count}× ${g.milli && g.milli < 1000 ? g.milli + ' m' : ''}GPU${g.models && g.models.length ? ' (' + g.models.join('/') + ')' : ''}`;
  if (spec.gang > 1) s += ` × gang ${spec.gang}`;
  return s;
}

function renderJobRows(jobs, op) {
  const body = $('#jobs-table tbody');
  const key = JSON.stringify(jobs.map((j) => [j.id, j.state, j.placement && j.placement.site]));
  if (body.dataset.key === key) return;
  body.dataset.key = key;
  if (!jobs.length) {
    body.innerHTML = `<tr><td colspan="7" class="muted">No jobs match.</td></tr>`;
    return;
  }
  body.onclick = (ev) => {
    const tr = ev.target.closest('tr[data-job]');
    if (tr) location.hash = '#/jobs/' + tr.dataset.job;
  };
  body.innerHTML = jobs.map((j) => `<tr class="clickable" data-job="${j.id}" data-state="${esc(j.state)}" data-tenant="${esc(j.tenant)}"
      ><td>${j.id}</td>${op ? `<td>${esc(j.tenant)}</td>` : ''}<td>${esc(j.name)}</td>
      <td><span class="badge ${esc(j.state)}">${esc(j.state)}</span></td><td>${esc(resources(j.spec))}</td>
      <td>${j.placement ? esc(j.placement.site + ' (' + j.placement.region + ')') : '–'}</td><td>${when(j.submitted_at)}</td></tr>`).join('');
}

async function viewJob(id) {
  const seq = S.renderSeq;
  let shown = null;
  const load = async () => {
    const [j, ev] = await Promise.all([api('/api/v1/jobs/' + id), api('/api/v1/jobs/' + id + '/events')]);
    if (seq !== S.renderSeq) return;
    // the tenant's other jobs change too: redraw only when this job did (keeps an open explanation in place)
    const key = JSON.stringify([j.state, j.attempts, j.placement, j.finished_at, j.explanation && j.explanation.sites, ev.events.length]);
    if (key === shown) return;
    shown = key;
    renderJob(j, ev.events);
  };
  setView('<p class="muted">Loading…</p>');
  S.onJobs = () => { load().catch(() => {}); };
  await load();
}

function renderJob(j, events) {
  const op = S.me.role === 'operator';
  const p = j.placement;
  const tasks = p ? p.tasks.map((t, k) => `<tr data-task="${k}"><td>${k}</td><td>${op ? `<a href="#/sites/${encodeURIComponent(p.site)}">${esc(t.node)}</a>` : esc(t.node)}</td>
      <td>${t.gpus.join(', ') || '–'}</td></tr>`).join('') : '';
  const ex = j.explanation || {};
  setView(`<div id="job-detail" data-job="${j.id}" data-state="${esc(j.state)}">
    <h1>Job ${j.id} <span class="muted">${esc(j.name)}</span> <span class="badge ${esc(j.state)}" id="job-state">${esc(j.state)}</span></h1>
    <div class="filters"><a href="#/jobs">← Jobs</a><span class="spacer"></span>
      ${j.state === 'queued' || j.state === 'running' ? '<button class="danger small" id="cancel-job">Cancel job</button>' : ''}</div>
    <div class="grid2"><div class="panel"><h3>Job</h3><dl class="kv">
      <dt>tenant</dt><dd>${esc(j.tenant)}</dd><dt>resources</dt><dd>${esc(resources(j.spec))}</dd>
      <dt>tier · priority</dt><dd>${esc(j.spec.tier)} · ${esc(j.spec.priority)}</dd>
      <dt>placement rules</dt><dd>${esc(rules(j.spec.placement))}</dd>
      <dt>attempts</dt><dd>${j.attempts}</dd><dt>submitted</dt><dd>${when(j.submitted_at)}</dd><dt>started</dt><dd>${when(j.started_at)}</dd>
      <dt>expected end</dt><dd>${when(j.expected_end)}</dd><dt>finished</dt><dd>${when(j.finished_at)}</dd>
      ${j.reason ? `<dt>reason</dt><dd>${esc(j.reason)}</dd>` : ''}</dl></div>
    <div class="panel"><h3>Placement</h3>${p ? `<dl class="kv"><dt>region</dt><dd>${esc(p.region)}</dd><dt>site</dt><dd id="job-site">${esc(p.site)}</dd></dl>
      <table><thead><tr><th>task</th><th>node</th><th>GPUs</th></tr></thead><tbody>${tasks}</tbody></table>` : '<p class="muted">Not placed.</p>'}</div></div>
    <h2>Why there</h2><div class="panel" id="explanation">${explanationHtml(ex)}
      <p><button class="secondary small" id="explain-now">Where would it go now, and why?</button></p><div id="dry-run"></div></div>
    <h2>History</h2><div class="panel"><table id="job-events"><thead><tr><th>#</th><th>at</th><th>event</th><th>detail</th></tr></thead><tbody>
      ${events.map((e) => `<tr data-event="${esc(e.kind)}"><td>${e.seq}</td><td>${when(e.at)}</td><td>${esc(e.kind)}</td><td>${esc(e.detail || '')}</td></tr>`).join('')}
    </tbody></table></div></div>`);
  const c = $('#cancel-job');
  if (c) {
    c.onclick = async () => {
      if (!(await confirmDialog('Cancel job ' + j.id + '?', 'The job stops and its GPUs are freed.', 'Cancel job'))) return;
      try { await api('/api/v1/jobs/' + j.id, { method: 'DELETE' }); toast('job ' + j.id + ' cancelled'); route(); } catch (e) { toast(e.message); }
    };
  }
  const x = $('#explain-now');
  if (x) {
    x.onclick = async () => {
      try {
        const r = await api('/api/v1/jobs/' + j.id + '/explain');
        $('#dry-run').innerHTML = '<h3>Now (candidates with their best node and score; the others with the reason they are rejected)</h3>' + siteTable(r);
      } catch (e) { $('#dry-run').innerHTML = `<p class="error">${esc(e.message)}</p>`; }
    };
  }
}

function rules(pl) {
  if (!pl) return 'none';
  const parts = [];
  if (pl.origin) parts.push('origin ' + pl.origin);
  if (pl.residency) {
    if (pl.residency.jurisdictions) parts.push('in ' + pl.residency.jurisdictions.join('/'));
    if (pl.residency.regions) parts.push('in ' + pl.residency.regions.join('/'));
  }
  if (pl.latency_slo_ms) parts.push('RTT ≤ ' + pl.latency_slo_ms + ' ms');
  return parts.join(', ') || 'none';
}

function explanationHtml(ex) {
  let h = `<p id="explanation-summary">${esc(ex.summary || ex.message || 'No decision yet.')}</p>`;
  if (ex.sites) h += siteTable(ex);
  return h;
}

/** The per-site verdicts: candidates first by score (with their best node and score components), then the rejected with why. */
function siteTable(e) {
  const sites = [...e.sites].sort((a, b) => (b.verdict === 'candidate') - (a.verdict === 'candidate') || (b.score || 0) - (a.score || 0));
  const comp = (c) => (c ? Object.entries(c).map(([k, v]) => `${esc(k)} ${v}`).join(' · ') : '');
  const nr = (r) => (r ? Object.entries(r).map(([k, v]) => `${fmt(v)} ${esc(k)}`).join(', ') : '');
  return `${e.message ? `<p class="muted">${esc(e.message)}</p>` : ''}<table class="sites-table"><thead><tr><th>site</th><th>region</th><th>verdict</th>
    <th class="num">score</th><th>best node</th><th>why</th></tr></thead><tbody>${sites.map((s) => `<tr data-site-verdict="${esc(s.site)}">
    <td>${esc(s.site)}</td><td>${esc(s.region)}</td><td><span class="badge ${esc(s.verdict)}">${esc(s.verdict)}</span></td>
    <td class="num">${s.score == null ? '' : s.score}</td><td>${esc(s.best_node || '')}</td>
    <td>${esc(s.reason)}${s.detail ? ': ' + esc(s.detail) : ''}<div class="mini">${comp(s.components)}${nr(s.node_reasons)}</div></td></tr>`).join('')}</tbody></table>`;
}

// ---------------------------------------------------------------- results

async function viewResults() {
  const r = await api('/api/v1/results');
  if (!r.results.length) {
    setView(`<h1>Results</h1><div class="panel" id="results-list"><p>No results in <code>${esc(r.dir)}</code> yet.</p>
      <p class="muted">Run <code>./archipelago experiment fgd</code> (the FGD study, into <code>results/fgd</code>) or
      <code>./archipelago simulate scenarios/node-outage.yaml</code>, or start the server with <code>--results DIR</code>.</p></div>`);
    return;
  }
  setView(`<h1>Results <span class="muted">${esc(r.dir)}</span></h1><div class="results" id="results-list">${r.results.map((x) => `
    <div class="panel" data-result="${esc(x.name)}" data-kind="${esc(x.kind)}"><h3><a href="#/results/${encodeURIComponent(x.name)}">${esc(x.name)}</a></h3>
    <span class="badge">${esc({ 'fgd-study': 'FGD study', simulation: 'simulation', other: 'files' }[x.kind])}</span>
    <div class="files">${x.files.map((f) => `<span>${esc(f.name)} <span class="muted">${fmt(f.bytes / 1024, 0)} KiB</span></span>`).join(' · ')}</div></div>`).join('')}</div>`);
}

async function fileUrl(name, file) {
  const res = await api('/api/v1/results/' + encodeURIComponent(name) + '/files/' + encodeURIComponent(file), { raw: true });
  return URL.createObjectURL(await res.blob());
}

async function viewResult(name) {
  name = decodeURIComponent(name);
  const seq = S.renderSeq;
  const list = await api('/api/v1/results');
  const r = list.results.find((x) => x.name === name);
  if (!r) throw new Error('no result ' + name);
  const links = r.files.map((f) => `<a href="#" data-file="${esc(f.name)}">${esc(f.name)}</a>`).join('');
  setView(`<h1>${esc(name)} <span class="badge">${esc(r.kind)}</span></h1><div class="filters"><a href="#/results">← Results</a></div>
    <div class="panel files" id="result-files">${links}</div><div id="result-body"></div>`);
  $('#result-files').onclick = async (ev) => {
    const a = ev.target.closest('a[data-file]');
    if (!a) return;
    ev.preventDefault();
    const file = a.dataset.file;
    const url = await fileUrl(name, file);
    if (/\.(html?|svg)$/i.test(file)) {
      // documents that can run script are shown in a sandboxed frame: a blob URL would otherwise run with the dashboard's origin
      $('#result-body').innerHTML = `<h2>${esc(file)}</h2><iframe class="report" id="report" sandbox="allow-scripts" src="${url}"></iframe>`;
    } else {
      window.open(url, '_blank');
    }
  };
  const body = $('#result-body');
  if (r.kind === 'fgd-study') {
    const c = await api('/api/v1/results/' + encodeURIComponent(name) + '/curves');
    if (seq !== S.renderSeq) return;
    body.innerHTML = `<h2>GPU allocation vs arrived workload</h2><div class="filters"><label>workload <select id="workload">${c.workloads.map((w) =>
      `<option>${esc(w.workload)}</option>`).join('')}</select></label><label><input type="checkbox" id="zoom"> zoom to 80–130 %</label>
      <span class="muted">drag across the chart to zoom, double-click to reset; mean over seeds; the study's x axis is the arrived GPU
      demand as % of capacity</span></div><div class="chart" id="curves"></div>`;
    const draw = () => {
      const w = c.workloads.find((x) => x.workload === $('#workload').value) || c.workloads[0];
      const colors = ['#4aa3ff', '#3ecf8e', '#f5b342', '#ff5d5d', '#b48cff', '#5ad1d1', '#ff9f6b', '#c7c7c7'];
      const el = $('#curves');
      el.innerHTML = '';
      el.dataset.workload = w.workload;
      el.dataset.series = w.series.length;
      new uPlot({
        width: Math.max(300, el.clientWidth - 20), height: 380,
        scales: { x: { time: false, range: $('#zoom').checked ? [80, 130] : [0, 130] }, y: { range: $('#zoom').checked ? [70, 100] : [0, 100] } },
        series: [{ label: 'arrived %' }, ...w.series.map((s, i) => ({ label: `${s.policy} (${s.seeds} seeds)`, stroke: colors[i % colors.length], width: 2 }))],
        axes: [{ stroke: '#8996a5', grid: { stroke: '#2b3540' }, label: 'arrived workload (% of GPU capacity)' },
          { stroke: '#8996a5', grid: { stroke: '#2b3540' }, label: 'GPU allocation %' }],
      }, [c.x, ...w.series.map((s) => s.y)], el);
    };
    $('#workload').onchange = draw;
    $('#zoom').onchange = draw;
    draw();
  } else if (r.kind === 'simulation') {
    const url = await fileUrl(name, 'report.html');
    if (seq !== S.renderSeq) return;
    body.innerHTML = `<h2>Report</h2><iframe class="report" id="report" sandbox="allow-scripts" src="${url}"></iframe>`;
  } else {
    const img = r.files.find((f) => f.name.endsWith('.png'));
    if (img) body.innerHTML = `<img alt="${esc(img.name)}" style="max-width:100%" src="${await fileUrl(name, img.name)}">`;
  }
}

// ---------------------------------------------------------------- start

window.addEventListener('hashchange', route);
$('#logout').onclick = () => logout();
(async () => {
  showIdentity();
  if (S.token) {
    try {
      S.me = await api('/api/v1/me');
      showIdentity();
      connect();
    } catch (e) { /* route() shows the login */ }
  }
  route();
})();
