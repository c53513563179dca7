// The simulator's page: the live traffic as coloured squares, one per request, coloured by the image
// that answered (as in Argo's rollouts-demo), errors dark with a red border; the routes with their
// weights; and an error-rate input per image. Plain HTML, CSS and JavaScript, no build step and no
// external assets; it polls /api/state?since=N every 500 ms and draws only the newer requests.
// Squares are DOM elements (`.sq` with data-image, data-color and data-code) so a test can count them.

const STYLE = `
:root { color-scheme: dark; --bg: #0f172a; --panel: #1e293b; --line: #334155; --text: #e2e8f0; --muted: #94a3b8; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.4 system-ui, sans-serif; }
header { display: flex; align-items: baseline; gap: 16px; padding: 12px 20px; border-bottom: 1px solid var(--line); }
header h1 { margin: 0; font-size: 18px; font-weight: 600; }
header .meta { color: var(--muted); font-size: 12px; }
#problem { display: none; margin: 10px 20px 0; padding: 8px 12px; border: 1px solid #f87171; border-radius: 6px; color: #fecaca; background: #450a0a; font-size: 12px; }
main { display: grid; grid-template-columns: minmax(0, 1fr) 340px; gap: 16px; padding: 16px 20px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
h2 { margin: 0 0 8px; font-size: 13px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .06em; }
#grid { display: flex; flex-wrap: wrap; align-content: flex-start; gap: 4px; height: 440px; overflow: hidden; }
.sq { width: 16px; height: 16px; border-radius: 3px; border: 2px solid transparent; }
.sq.err { background-image: linear-gradient(rgba(0, 0, 0, .6), rgba(0, 0, 0, .6)); border-color: #ff3b3b; }
.sq.none { background-color: #475569; border-color: #ff3b3b; }
.legend { display: flex; gap: 16px; margin-top: 8px; color: var(--muted); font-size: 12px; }
.legend .sq { display: inline-block; vertical-align: -3px; margin-right: 6px; width: 14px; height: 14px; background-color: #64748b; }
#bar { display: flex; height: 22px; margin-top: 12px; border-radius: 4px; overflow: hidden; background: #0b1220; }
#bar div { height: 100%; font-size: 11px; line-height: 22px; text-align: center; color: #0f172a; font-weight: 600; overflow: hidden; white-space: nowrap; }
.host { margin-bottom: 10px; }
.host .name { font-weight: 600; overflow-wrap: anywhere; }
.host .vs { color: var(--muted); font-size: 12px; }
.dest { display: grid; grid-template-columns: 42px minmax(0, 1fr); gap: 2px 8px; margin-top: 6px; font-size: 12px; }
.dest .w { font-weight: 700; text-align: right; }
.dest .rs { grid-column: 2; color: var(--muted); display: flex; align-items: center; gap: 6px; overflow-wrap: anywhere; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 2px; flex: none; }
table { width: 100%; border-collapse: collapse; font-size: 12px; }
th { text-align: left; color: var(--muted); font-weight: 500; padding: 2px 4px; }
td { padding: 4px; border-top: 1px solid var(--line); vertical-align: middle; }
td.image { overflow-wrap: anywhere; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.rate { white-space: nowrap; }
td input { width: 56px; padding: 2px 4px; background: #0b1220; color: var(--text); border: 1px solid var(--line); border-radius: 4px; }
.empty { color: var(--muted); font-size: 12px; }
`;

const SCRIPT = `
const grid = document.getElementById('grid');
const bar = document.getElementById('bar');
const hostsEl = document.getElementById('hosts');
const imagesEl = document.getElementById('images');
const metaEl = document.getElementById('meta');
const problemEl = document.getElementById('problem');
let last = 0;
let colors = new Map();
const inputs = new Map();

function el(tag, props, children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children || []) node.append(child);
  return node;
}
const pct = (x) => (x === null || x === undefined ? '–' : Math.round(x * 100) + '%');

function capacity() {
  const per = 20; // 16px square + 4px gap
  return Math.max(50, Math.floor((grid.clientWidth + 4) / per) * Math.floor((grid.clientHeight + 4) / per));
}

function drawRequests(requests) {
  for (const r of requests) {
    const color = r.image === undefined ? null : colors.get(r.image);
    const sq = el('div', { className: 'sq' + (r.image === undefined ? ' none' : r.code >= 500 ? ' err' : '') });
    sq.dataset.image = r.image || '';
    sq.dataset.color = color ? color.name : 'none';
    sq.dataset.code = String(r.code);
    sq.title = (r.image || 'no healthy upstream') + ' → ' + r.code;
    if (color) sq.style.backgroundColor = color.css;
    grid.append(sq);
  }
  const extra = grid.children.length - capacity();
  for (let i = 0; i < extra; i++) grid.firstElementChild.remove();
}

function drawBar(images) {
  const total = images.reduce((n, i) => n + i.requests, 0);
  bar.replaceChildren(...images.filter((i) => i.requests > 0).map((i) => {
    const share = i.requests / total;
    return el('div', { textContent: share > 0.08 ? i.color + ' ' + pct(share) : '', title: i.image + ': ' + pct(share),
      style: 'width:' + share * 100 + '%;background:' + i.css });
  }));
}

function drawHosts(hosts) {
  if (hosts.length === 0) {
    hostsEl.replaceChildren(el('div', { className: 'empty', textContent: 'No VirtualService found yet.' }));
    return;
  }
  hostsEl.replaceChildren(...hosts.map((h) => {
    const box = el('div', { className: 'host' }, [
      el('div', { className: 'name', textContent: h.host }),
      el('div', { className: 'vs', textContent: 'VirtualService ' + h.virtualService + (h.route ? ', route ' + h.route : '') }),
    ]);
    for (const d of h.destinations) {
      const rows = [el('span', { className: 'w', textContent: d.weight + '%' }), el('span', { textContent: d.host })];
      if (d.replicaSets.length === 0) rows.push(el('span', { className: 'rs', textContent: 'no available ReplicaSet' }));
      for (const rs of d.replicaSets) {
        const c = colors.get(rs.image);
        rows.push(el('span', { className: 'rs' }, [el('span', { className: 'dot', style: 'background:' + (c ? c.css : '#475569') }),
          rs.name + ' ×' + rs.availableReplicas]));
      }
      box.append(el('div', { className: 'dest' }, rows));
    }
    return box;
  }));
}

async function setRate(image, input) {
  const value = Number(input.value);
  const response = await fetch('/api/errors', { method: 'PUT', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ image, rate: value / 100 }) });
  input.style.borderColor = response.ok ? '' : '#ff3030';
  input.title = response.ok ? '' : (await response.json()).error;
}

function drawImages(images) {
  if (images.length === 0) {
    imagesEl.replaceChildren(el('tr', {}, [el('td', { className: 'empty', colSpan: 4, textContent: 'No traffic yet.' })]));
    return;
  }
  imagesEl.replaceChildren(...images.map((i) => {
    let input = inputs.get(i.image);
    if (!input) {
      input = el('input', { type: 'number', min: 0, max: 100, step: 1 });
      input.dataset.image = i.image;
      input.addEventListener('change', () => void setRate(i.image, input));
      inputs.set(i.image, input);
    }
    if (document.activeElement !== input) input.value = String(Math.round(i.errorRate * 1000) / 10);
    return el('tr', {}, [
      el('td', { className: 'image' }, [el('span', { className: 'dot', style: 'background:' + i.css }), ' ', i.image]),
      el('td', { className: 'num', textContent: String(i.requests) }),
      el('td', { className: 'num', textContent: pct(i.observedErrorRate) }),
      el('td', { className: 'rate' }, [input, ' %']),
    ]);
  }));
}

async function poll() {
  try {
    const response = await fetch('/api/state?since=' + last);
    const state = await response.json();
    colors = new Map(state.images.map((i) => [i.image, { name: i.color, css: i.css }]));
    drawRequests(state.recent.requests);
    last = state.recent.last;
    drawBar(state.images);
    drawHosts(state.hosts);
    drawImages(state.images);
    metaEl.textContent = state.ratePerSecond + ' requests/s per host · counts over the last ' + state.windowSeconds + ' s';
    problemEl.style.display = state.routing.error ? 'block' : 'none';
    problemEl.textContent = state.routing.error ? 'Routing not refreshed: ' + state.routing.error : '';
  } catch (err) {
    problemEl.style.display = 'block';
    problemEl.textContent = 'Simulator not answering: ' + err;
  }
}

poll();
setInterval(poll, 500);
`;

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mesh simulator · temporal-rollouts</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Mesh simulator</h1><span class="meta" id="meta"></span></header>
<div id="problem"></div>
<main>
  <section>
    <h2>Traffic</h2>
    <div id="grid"></div>
    <div id="bar"></div>
    <div class="legend">
      <span><span class="sq"></span>one request, coloured by the image that answered</span>
      <span><span class="sq err"></span>HTTP 5xx</span>
      <span><span class="sq none"></span>no healthy upstream</span>
    </div>
  </section>
  <div>
    <section style="margin-bottom: 16px">
      <h2>Routes</h2>
      <div id="hosts"></div>
    </section>
    <section>
      <h2>Images</h2>
      <table>
        <thead><tr><th>image</th><th class="num">req</th><th class="num">5xx</th><th>errors</th></tr></thead>
        <tbody id="images"></tbody>
      </table>
    </section>
  </div>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
