// How the page gets its data and when it draws. report.html embeds a
// snapshot. The live page fetches one (api/snapshot), then follows the
// server's updates (api/events, from the revision it has); the browser
// reconnects by itself and names the last revision it got, and a page the
// server cannot bring up to date (too far behind, or another server) loads
// a snapshot afresh. Each update is applied, then drawn once.
// Bundled by esbuild into one script (npm run build:page) that
// sinks/page-html.ts puts into the page.

import type { WireUpdate } from '../view/page-wire.js';
import { drawCharts } from './charts.js';
import { renderCounters, renderHeader, renderHosts, renderMessages, renderTables, watchTables } from './sections.js';
import { applyUpdate, store } from './store.js';
import { timelineControls, tl } from './timeline.js';
import { byId, maybeById, repaint, state, timed } from './dom.js';

function render(): void {
  const h = store.head;
  if (!h || !store.counts) return;
  drawCharts();
  renderHeader(h); renderCounters(h, store.counts); renderHosts(store.hosts);
  timed('kiln-tables', () => { renderTables(h); });
  renderMessages();
}

function connection(text: string): void {
  const note = byId('connection');
  note.textContent = text; note.hidden = text === '';
}

function measure(name: string, start: number): void {
  try { performance.measure(name, { start, end: performance.now() }); } catch { /* a help only */ }
}

function live(): void {
  state.live = true;
  let source: EventSource | null = null;
  let loading = false;
  function load(): void {
    if (loading) return;
    loading = true;
    if (source) { source.close(); source = null; }
    const t0 = performance.now();
    void fetch('api/snapshot').then((r) => {
      if (!r.ok) throw new Error(`the server answered ${r.status}`);
      return r.json() as Promise<WireUpdate>;
    }).then((snapshot) => {
      timed('kiln-apply-snapshot', () => { applyUpdate(snapshot); });
      timed('kiln-render', render);
      measure('kiln-load', t0);
      loading = false;
      connection('');
      follow();
    }, (err: unknown) => {
      loading = false;
      connection(`cannot reach the server (${err instanceof Error ? err.message : String(err)}); trying again`);
      setTimeout(load, 3000);
    });
  }
  function follow(): void {
    const events = new EventSource(`api/events?since=${encodeURIComponent(`${store.epoch}.${store.rev}`)}`);
    source = events;
    events.addEventListener('update', (e) => {
      const t0 = performance.now();
      // Until the next frame is on screen: the update's script, then the browser's style, layout and paint.
      requestAnimationFrame(() => { setTimeout(() => { measure('kiln-update-painted', t0); }, 0); });
      timed('kiln-update', () => {
        const update = JSON.parse(e.data as string) as WireUpdate;
        if (update.epoch !== store.epoch || update.from !== store.rev) { load(); return; }
        applyUpdate(update);
        render();
      });
    });
    events.addEventListener('reset', () => { load(); });
    events.addEventListener('open', () => { connection(''); });
    events.addEventListener('error', () => {
      if (source && source.readyState === EventSource.CLOSED) { connection('disconnected; trying again'); setTimeout(load, 3000); return; }
      connection('reconnecting');
    });
  }
  load();
}

function start(): void {
  repaint.all = render;
  repaint.charts = drawCharts;
  const search = byId<HTMLInputElement>('search');
  search.addEventListener('input', () => { state.query = search.value.trim(); render(); });
  const filter = byId<HTMLSelectElement>('status-filter');
  filter.addEventListener('change', () => { state.statusFilter = filter.value; render(); });
  // The charts' width, read when the layout changes rather than while drawing (reading it there would lay the page out again).
  new ResizeObserver((entries) => {
    const width = Math.round(entries[0]!.contentRect.width);
    if (width === tl.boxWidth) return;
    tl.boxWidth = width;
    if (store.head) drawCharts();
  }).observe(byId('timeline'));
  timelineControls();
  watchTables();
  const embedded = maybeById('kiln-data');
  if (!embedded) { live(); return; }
  timed('kiln-apply-snapshot', () => { applyUpdate(JSON.parse(embedded.textContent ?? '') as WireUpdate); });
  timed('kiln-render', render);
}

start();
