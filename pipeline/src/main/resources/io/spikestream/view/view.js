// spikestream live view: one EventSource on /events; every "sensor" message carries that sensor's whole state.
'use strict';

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7',
  '#9c755f', '#bab0ac', '#86bcb6', '#d37295'];
const cards = new Map();
let serverStart = null;
let source = null;

function classColor(i) {
  return PALETTE[i % PALETTE.length];
}

function fmt(v, digits) {
  return v == null ? '–' : Number(v).toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

// black → purple → orange → yellow → white, for 0..255
function heatRgb(v) {
  const t = v / 255;
  const stops = [[0, 0, 0, 0], [0.3, 90, 20, 120], [0.6, 230, 90, 30], [0.85, 250, 210, 60], [1, 255, 255, 255]];
  for (let i = 1; i < stops.length; i++) {
    if (t <= stops[i][0]) {
      const a = stops[i - 1];
      const b = stops[i];
      const f = (t - a[0]) / (b[0] - a[0]);
      return [0, 1, 2].map(k => Math.round(a[k + 1] + f * (b[k + 1] - a[k + 1])));
    }
  }
  return [255, 255, 255];
}

function card(sensor) {
  let c = cards.get(sensor);
  if (!c) {
    const node = document.getElementById('sensor-template').content.firstElementChild.cloneNode(true);
    node.dataset.sensor = sensor;
    node.querySelector('.sensor-id').textContent = sensor;
    const empty = document.getElementById('empty');
    if (empty) {
      empty.remove();
    }
    const all = [...cards.keys(), sensor].sort();
    const next = all[all.indexOf(sensor) + 1];
    document.getElementById('sensors').insertBefore(node, next ? cards.get(next) : null);
    c = node;
    cards.set(sensor, c);
  }
  return c;
}

function drawFrame(c, f) {
  const canvas = c.querySelector('canvas.frame');
  if (canvas.width !== f.width || canvas.height !== f.height) {
    canvas.width = f.width;
    canvas.height = f.height;
  }
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(f.width, f.height);
  const heat = atob(f.heat);
  for (let i = 0; i < heat.length; i++) {
    const [r, g, b] = heatRgb(heat.charCodeAt(i));
    img.data[4 * i] = r;
    img.data[4 * i + 1] = g;
    img.data[4 * i + 2] = b;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  canvas.dataset.window = f.index;
  c.dataset.frameWindow = f.index;
  c.querySelector('.frame-caption').textContent =
    `window ${f.index} · ${(f.startUs / 1e6).toFixed(2)}–${(f.endUs / 1e6).toFixed(2)} s · ${fmt(f.events, 0)} events · busiest pixel ${fmt(f.maxCount, 0)}`;
}

function drawBars(c, w) {
  const bars = c.querySelector('.bars');
  while (bars.children.length < w.probabilities.length) {
    const row = document.createElement('div');
    row.className = 'bar';
    row.innerHTML = '<span class="name"></span><span class="track"><span class="s"></span><span class="r"></span></span><span class="pct"></span>';
    bars.appendChild(row);
  }
  while (bars.children.length > w.probabilities.length) {
    bars.lastChild.remove();
  }
  w.probabilities.forEach((p, i) => {
    const row = bars.children[i];
    const s = w.smoothedProbabilities[i];
    row.classList.toggle('top', i === w.smoothed);
    row.querySelector('.name').textContent = w.classes[i];
    row.querySelector('.name').title = w.classes[i];
    row.querySelector('.s').style.width = (100 * s).toFixed(1) + '%';
    row.querySelector('.r').style.width = (100 * p).toFixed(1) + '%';
    row.querySelector('.pct').textContent = (100 * p).toFixed(1) + '%';
    row.dataset.p = p;
    row.dataset.smoothed = s;
  });
  c.dataset.probs = w.probabilities.join(',');
  c.dataset.smoothedProbs = w.smoothedProbabilities.join(',');
}

function drawTimeline(c, timeline) {
  for (const [cls, key, name] of [['.smoothed-row', 'smoothed', 'smoothedName'], ['.top-row', 'top', 'topName']]) {
    const row = c.querySelector(cls);
    row.replaceChildren(...timeline.map(t => {
      const cell = document.createElement('span');
      cell.style.background = classColor(t[key]);
      cell.title = `window ${t.index} (t=${(t.startUs / 1e6).toFixed(2)} s): ${t[name]}` + (key === 'top' ? ` ${(100 * t.p).toFixed(1)}%` : '');
      cell.dataset.index = t.index;
      cell.dataset.name = t[name];
      return cell;
    }));
  }
}

function drawLayers(c, layers) {
  const box = c.querySelector('.layers');
  const max = Math.max(0.05, ...layers.map(l => l.rate));
  box.replaceChildren(...layers.map(l => {
    const bar = document.createElement('span');
    bar.className = 'layer';
    bar.style.height = (100 * l.rate / max).toFixed(1) + '%';
    bar.title = `${l.name}: ${l.rate.toFixed(4)}`;
    return bar;
  }));
}

function render(s) {
  const c = card(s.sensor);
  const w = s.window;
  if (w) {
    c.dataset.window = w.index;
    c.dataset.decision = w.smoothedName;
    c.dataset.top = w.topName;
    c.querySelector('.when').textContent = `window ${w.index} · t = ${(w.endUs / 1e6).toFixed(2)} s · ${w.modelId}`;
    c.querySelector('.smoothed-name').textContent = w.smoothedName;
    c.querySelector('.smoothed-name').style.color = classColor(w.smoothed);
    c.querySelector('.top-name').textContent = w.topName;
    c.querySelector('.top-p').textContent = (100 * w.probabilities[w.top]).toFixed(1) + '%';
    c.querySelector('.spn').textContent = fmt(w.spikesPerNeuron, 3);
    drawBars(c, w);
    drawLayers(c, w.layers);
  }
  if (s.frame) {
    drawFrame(c, s.frame);
  } else if (source && source !== 'job') {
    c.querySelector('.frame-caption').textContent = 'frames are not in the classifications topic; run the view on the job (run --ui-port)';
  }
  const st = s.stats;
  c.querySelector('.eps').textContent = st.eventsPerSecond == null ? '–' : fmt(st.eventsPerSecond, 0);
  c.querySelector('.windows').textContent = fmt(st.windows, 0);
  c.querySelector('.latency').textContent = st.latencyP50 == null ? '–' : `${fmt(st.latencyP50, 1)} / ${fmt(st.latencyP99, 1)} ms`;
  const notes = [];
  if (st.replays > 0) {
    notes.push(`job restarted: windows replayed ${st.replays}×`);
  }
  if (st.dropped > 0) {
    notes.push(`${st.dropped} updates skipped by the view`);
  }
  c.querySelector('.note').textContent = notes.join(' · ');
  drawTimeline(c, s.timeline);
}

function setStatus(state, text) {
  const el = document.getElementById('status');
  el.className = 'status ' + state;
  el.dataset.state = state;
  el.textContent = text;
}

function connect() {
  const es = new EventSource('events');
  es.onopen = () => setStatus('live', 'live');
  es.addEventListener('hello', e => {
    const h = JSON.parse(e.data);
    source = h.source;
    document.getElementById('source').textContent = 'showing: ' + h.source;
    if (serverStart !== null && serverStart !== h.startedAtMs) {
      // a new process: its figures start again from zero
      document.getElementById('source').textContent += ' (reconnected to a restarted process)';
    }
    serverStart = h.startedAtMs;
  });
  es.addEventListener('sensor', e => render(JSON.parse(e.data)));
  es.onerror = () => {
    setStatus('connecting', 'reconnecting…');
    if (es.readyState === EventSource.CLOSED) {
      // the browser gave up (e.g. an error status while the process restarted): try again ourselves
      setTimeout(connect, 1000);
    }
  };
}

connect();
