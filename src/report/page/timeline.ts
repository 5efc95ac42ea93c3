// The timeline of every slot (which package built where and when, failures
// in red), drawn on a canvas: one filled path per colour, bars narrower than
// a pixel merged with their neighbours, and only the window the operator
// looks at (the whole run, the last hour, or one moved and zoomed with the
// buttons, a drag or a double click). Hovering a bar names it; a click
// searches for it. The same pass sums how many slots were busy in each
// pixel's time, for the utilisation chart below.

import type { WireHead } from '../view/page-wire.js';
import { setQuery } from './sections.js';
import { pkgOf, store, type Bar, type SlotRow } from './store.js';
import { byId, clear, COLOURS, el, maybeById, repaint } from './dom.js';
import { fmtClock, fmtDur, fmtTime } from './format.js';

export interface TimeWindow {
  readonly t0: number;
  readonly t1: number;
}

type Mode = 'all' | 'follow' | 'fixed';

interface Geometry {
  readonly w: TimeWindow;
  readonly rows: readonly SlotRow[];
  readonly rowH: number;
  readonly scale: number;
  readonly width: number;
  readonly height: number;
  readonly canvas: HTMLCanvasElement;
}

/** What the timeline drew: its window, and the busy slots summed per pixel. */
export interface Drawn {
  readonly w: TimeWindow;
  readonly busy: Float64Array;
  readonly width: number;
}

export const tl = {
  mode: 'all' as Mode, span: 3600, end: null as number | null, geom: null as Geometry | null,
  drag: null as { x: number; span: number; end: number; moved: boolean } | null,
  /** The chart's width, read when the layout changes (main.ts). */
  boxWidth: 0,
};
export const LABEL_W = 130; export const AXIS_H = 18; const MIN_SPAN = 60;
const hooked = new WeakSet<HTMLCanvasElement>();

function runSpan(h: WireHead): TimeWindow {
  const now = h.now;
  let t0 = store.t0 !== null ? store.t0 : (h.startedAt !== null ? h.startedAt : now);
  if (h.startedAt !== null && h.startedAt < t0) t0 = h.startedAt;
  return { t0, t1: Math.max(now, t0 + MIN_SPAN) };
}

function tlWindow(h: WireHead): TimeWindow {
  const run = runSpan(h);
  if (tl.mode === 'all') return run;
  const span = Math.min(tl.span, run.t1 - run.t0);
  const end = tl.mode === 'follow' ? run.t1 : Math.min(Math.max(tl.end ?? run.t1, run.t0 + span), run.t1);
  return { t0: end - span, t1: end };
}

function setWindow(h: WireHead, mode: Mode, span: number, end?: number): void {
  const run = runSpan(h);
  tl.span = Math.max(MIN_SPAN, Math.min(span, run.t1 - run.t0));
  tl.mode = mode;
  tl.end = end === undefined ? run.t1 : end;
  if (tl.mode === 'fixed' && tl.end >= run.t1 && h.result === 'running') tl.mode = 'follow';
  if (tl.span >= run.t1 - run.t0) tl.mode = 'all';
  repaint.charts();
}

function zoom(h: WireHead, factor: number, at?: number): void {
  const w = tlWindow(h); const span = (w.t1 - w.t0) * factor;
  const centre = at === undefined ? (w.t0 + w.t1) / 2 : at;
  setWindow(h, 'fixed', span, centre + span / 2);
}

export function timelineControls(): void {
  const box = maybeById('timeline-controls');
  if (!box || box.firstChild) return;
  // The buttons act on the run the page has when clicked (none yet: nothing to move).
  const button = (label: string, title: string, action: (h: WireHead) => void): void => {
    const b = el('button', null, label); b.setAttribute('title', title); b.setAttribute('type', 'button');
    b.addEventListener('click', () => { if (store.head) action(store.head); }); box.appendChild(b);
  };
  button('whole run', 'show the whole run', (h) => { setWindow(h, 'all', Infinity); });
  button('last 6 h', 'follow the last six hours', (h) => { setWindow(h, 'follow', 6 * 3600); });
  button('last hour', 'follow the last hour', (h) => { setWindow(h, 'follow', 3600); });
  button('last 10 min', 'follow the last ten minutes', (h) => { setWindow(h, 'follow', 600); });
  button('\u2212', 'zoom out', (h) => { zoom(h, 2); });
  button('+', 'zoom in', (h) => { zoom(h, 0.5); });
  button('\u25c0', 'earlier', (h) => { const w = tlWindow(h); setWindow(h, 'fixed', w.t1 - w.t0, w.t1 - (w.t1 - w.t0) / 2); });
  button('\u25b6', 'later', (h) => { const w = tlWindow(h); setWindow(h, 'fixed', w.t1 - w.t0, w.t1 + (w.t1 - w.t0) / 2); });
  box.appendChild(el('span', 'note', '')).id = 'timeline-window';
}

function sortedRows(): SlotRow[] {
  if (store.rowListVersion !== store.versions.rows) {
    store.rowList = Array.from(store.rows.values()).sort((a, b) => (a.host === b.host ? a.slot - b.slot : (a.host < b.host ? -1 : 1)));
    store.rowListVersion = store.versions.rows;
  }
  return store.rowList;
}

/** The first bar of a row (sorted by start) that may reach into the window: a slot runs one job at a time, so only the bar before the first that starts inside can. */
function firstVisible(bars: readonly Bar[], t0: number): number {
  let lo = 0; let hi = bars.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (bars[mid]!.start < t0) lo = mid + 1; else hi = mid; }
  for (let back = 0; back < 8 && lo > 0 && (bars[lo - 1]!.end === null || bars[lo - 1]!.end! >= t0); back++) lo--;
  return lo;
}

/** Adds the span [a, b) (pixels, fractions allowed) to per-pixel sums: full pixels through a difference array. */
function coverage(busy: Float64Array, diff: Float64Array, a: number, b: number): void {
  if (b <= a) return;
  const ia = Math.floor(a); const ib = Math.floor(b);
  if (ia === ib) { busy[ia]! += b - a; return; }
  busy[ia]! += ia + 1 - a;
  diff[ia + 1]! += 1; diff[ib]! -= 1;
  if (ib < busy.length) busy[ib]! += b - ib;
}

export function canvasFor(box: HTMLElement, cssWidth: number, cssHeight: number): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } {
  let canvas = box.querySelector('canvas');
  if (!canvas) { canvas = el('canvas'); box.appendChild(canvas); }
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(cssWidth * dpr) || canvas.height !== Math.round(cssHeight * dpr)) {
    canvas.width = Math.round(cssWidth * dpr); canvas.height = Math.round(cssHeight * dpr);
    canvas.style.width = `${cssWidth}px`; canvas.style.height = `${cssHeight}px`;
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssWidth, cssHeight);
  return { canvas, ctx };
}

export function axis(ctx: CanvasRenderingContext2D, w: TimeWindow, left: number, width: number, top: number, bottom: number): void {
  ctx.strokeStyle = '#e0e0e0'; ctx.fillStyle = '#455a64'; ctx.font = '11px system-ui, sans-serif';
  for (let i = 0; i <= 6; i++) {
    const x = left + (width * i) / 6;
    ctx.beginPath(); ctx.moveTo(x + 0.5, top); ctx.lineTo(x + 0.5, bottom); ctx.stroke();
    ctx.textAlign = i === 0 ? 'left' : (i === 6 ? 'right' : 'center');
    ctx.fillText(fmtClock(w.t0 + ((w.t1 - w.t0) * i) / 6, (w.t1 - w.t0) / 6 < 60), x, bottom + 12);
  }
  ctx.textAlign = 'left';
}

export function drawTimeline(h: WireHead): Drawn | null {
  const box = maybeById('timeline-chart');
  if (!box) return null;
  const rows = sortedRows();
  const empty = byId('timeline-empty');
  empty.textContent = rows.length === 0 ? 'no job has started yet' : '';
  if (rows.length === 0) { clear(box); return null; }
  const w = tlWindow(h); const now = h.now;
  const width = Math.max(400, (tl.boxWidth || 1000) - LABEL_W - 10);
  const rowH = Math.max(3, Math.min(18, Math.floor(900 / rows.length)));
  const height = rows.length * rowH;
  const c = canvasFor(box, LABEL_W + width + 10, height + AXIS_H);
  const ctx = c.ctx;
  ctx.fillStyle = 'rgba(0,0,0,0.03)';
  for (let r = 1; r < rows.length; r += 2) ctx.fillRect(LABEL_W, r * rowH, width, rowH);
  axis(ctx, w, LABEL_W, width, 0, height);
  ctx.fillStyle = '#455a64';
  if (rowH >= 9) rows.forEach((row, i) => { ctx.fillText(row.label, 4, i * rowH + rowH - 4, LABEL_W - 8); });
  const scale = width / (w.t1 - w.t0);
  const paths = { built: new Path2D(), lost: new Path2D(), failed: new Path2D(), running: new Path2D() };
  const counts = { built: 0, lost: 0, failed: 0, running: 0 };
  const busy = new Float64Array(width); const diff = new Float64Array(width + 1);
  const barH = Math.max(1, rowH - (rowH > 6 ? 4 : 1)); const pad = (rowH - barH) / 2;
  rows.forEach((row, i) => {
    if (!row.sorted) { row.bars.sort((a, b) => a.start - b.start); row.sorted = true; }
    const bars = row.bars; const y = i * rowH + pad;
    let kind: Bar['outcome'] | null = null; let x0 = 0; let x1 = 0;
    for (let k = firstVisible(bars, w.t0); k < bars.length; k++) {
      const b = bars[k]!;
      if (b.start > w.t1) break;
      const end = b.end === null ? now : b.end;
      if (end < w.t0) continue;
      counts[b.outcome]++;
      const a = (Math.max(b.start, w.t0) - w.t0) * scale; let z = (Math.min(end, w.t1) - w.t0) * scale;
      coverage(busy, diff, a, Math.min(z, width));
      if (z - a >= 3) {
        // Wide enough to tell apart: its own rect, a pixel short so the next job shows where it starts.
        if (kind !== null) { paths[kind].rect(LABEL_W + x0, y, x1 - x0, barH); kind = null; }
        paths[b.outcome].rect(LABEL_W + a, y, z - a - 1, barH);
        continue;
      }
      if (z - a < 1) z = a + 1;
      if (kind === b.outcome && a <= x1 + 0.5) { if (z > x1) x1 = z; continue; }
      if (kind !== null) paths[kind].rect(LABEL_W + x0, y, x1 - x0, barH);
      kind = b.outcome; x0 = a; x1 = z;
    }
    if (kind !== null) paths[kind].rect(LABEL_W + x0, y, x1 - x0, barH);
  });
  (['built', 'lost', 'failed', 'running'] as const).forEach((kind) => { ctx.fillStyle = COLOURS[kind]; ctx.fill(paths[kind]); });
  let run = 0;
  for (let x = 0; x < width; x++) { run += diff[x]!; busy[x]! += run; }
  tl.geom = { w, rows, rowH, scale, width, height, canvas: c.canvas };
  const shown = counts.built + counts.failed + counts.running + counts.lost;
  (Object.keys(counts) as (keyof typeof counts)[]).forEach((kind) => { c.canvas.setAttribute(`data-${kind}`, String(counts[kind])); });
  c.canvas.setAttribute('role', 'img');
  c.canvas.setAttribute('aria-label', `timeline of ${rows.length} slots, ${fmtTime(w.t0)} to ${fmtTime(w.t1)}: ${shown} jobs, `
    + `${counts.built} built, ${counts.failed} failed, ${counts.running} running, ${counts.lost} lost`);
  const label = maybeById('timeline-window');
  if (label) label.textContent = `${fmtTime(w.t0)} to ${fmtTime(w.t1)} (${fmtDur(w.t1 - w.t0)}, ${tl.mode === 'all' ? 'whole run' : tl.mode === 'follow' ? 'following' : 'fixed'})`;
  hookTimeline(c.canvas);
  return { w, busy, width };
}

/** The bar under a point of the canvas, if any (two pixels of slack). */
function barAt(h: WireHead, x: number, y: number): Bar | null {
  const g = tl.geom;
  if (!g || x < LABEL_W || y < 0 || y >= g.height) return null;
  const row = g.rows[Math.floor(y / g.rowH)];
  if (!row) return null;
  const t = g.w.t0 + (x - LABEL_W) / g.scale; const slack = 2 / g.scale; const bars = row.bars;
  let lo = 0; let hi = bars.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (bars[mid]!.start <= t + slack) lo = mid + 1; else hi = mid; }
  for (let k = lo - 1; k >= 0 && k >= lo - 3; k--) {
    const b = bars[k]!; const end = b.end === null ? h.now : b.end;
    if (end >= t - slack) return b;
  }
  return null;
}

function describeBar(h: WireHead, b: Bar): string {
  const p = pkgOf(b.pkg); const end = b.end === null ? h.now : b.end;
  return `${p.pkgpath} (${p.pkgname}) on ${b.host}:${b.slot}, ${fmtTime(b.start)}, ${fmtDur(end - b.start)}, ${b.outcome}${b.detail ? `: ${b.detail}` : ''}`;
}

function hookTimeline(canvas: HTMLCanvasElement): void {
  if (hooked.has(canvas)) return;
  hooked.add(canvas);
  const tip = byId('timeline-tip');
  const point = (e: MouseEvent): { x: number; y: number } => { const r = canvas.getBoundingClientRect(); return { x: e.clientX - r.left, y: e.clientY - r.top }; };
  canvas.addEventListener('mousemove', (e) => {
    const h = store.head;
    if (!h) return;
    const p = point(e);
    if (tl.drag) {
      const g = tl.geom!; const dt = (tl.drag.x - p.x) / g.scale;
      if (Math.abs(tl.drag.x - p.x) > 3) { tl.drag.moved = true; setWindow(h, 'fixed', tl.drag.span, tl.drag.end + dt); }
      return;
    }
    const b = barAt(h, p.x, p.y);
    if (!b) { tip.hidden = true; canvas.style.cursor = 'grab'; return; }
    tip.textContent = describeBar(h, b); tip.hidden = false; canvas.style.cursor = 'pointer';
    tip.style.left = `${Math.min(p.x + 12, canvas.clientWidth - 360)}px`; tip.style.top = `${p.y + 14}px`;
  });
  canvas.addEventListener('mouseleave', () => { tip.hidden = true; tl.drag = null; });
  canvas.addEventListener('mousedown', (e) => {
    if (!store.head) return;
    const w = tlWindow(store.head); tl.drag = { x: point(e).x, span: w.t1 - w.t0, end: w.t1, moved: false };
  });
  canvas.addEventListener('mouseup', (e) => {
    const drag = tl.drag; tl.drag = null;
    if (drag?.moved || !store.head) return;
    const p = point(e); const b = barAt(store.head, p.x, p.y);
    if (b) setQuery(pkgOf(b.pkg).pkgname);
  });
  canvas.addEventListener('dblclick', (e) => {
    const g = tl.geom; const p = point(e);
    if (g && store.head && p.x >= LABEL_W) zoom(store.head, 0.25, g.w.t0 + (p.x - LABEL_W) / g.scale);
  });
}
