// Utilisation over the timeline's window, from the busy time the timeline's
// pass summed per pixel and the slots the hosts had (a step series the
// server sends as it changes), drawn on a canvas: busy slots filled, all
// slots dashed, and the window's average.

import type { WireHead } from '../view/page-wire.js';
import { store } from './store.js';
import { AXIS_H, axis, canvasFor, drawTimeline, LABEL_W, type Drawn } from './timeline.js';
import { clear, maybeById, byId, timed } from './dom.js';

interface CapacityPoint {
  readonly at: number;
  readonly slots: number;
}

/** The slots at time t: the last capacity point at or before it. */
function capacityAt(points: readonly CapacityPoint[], t: number): number {
  let lo = 0; let hi = points.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (points[mid]!.at <= t) lo = mid + 1; else hi = mid; }
  return lo === 0 ? 0 : points[lo - 1]!.slots;
}

function drawUtilisation(h: WireHead, drawn: Drawn | null): void {
  const box = maybeById('utilisation-chart');
  const average = byId('utilisation-average');
  if (!box) return;
  if (!drawn) { clear(box); average.textContent = ''; return; }
  const points = store.capacity.filter((p): p is CapacityPoint => p !== undefined);
  const width = drawn.width; const height = 90; const w = drawn.w; const perPx = (w.t1 - w.t0) / width;
  const slots = new Float64Array(width); let max = 1; let busyTime = 0; let slotTime = 0;
  const now = h.now;
  for (let x = 0; x < width; x++) {
    const t = w.t0 + (x + 0.5) * perPx;
    const s = t > now ? 0 : Math.max(capacityAt(points, t), drawn.busy[x]!);
    slots[x] = s; max = Math.max(max, s, drawn.busy[x]!);
    if (t <= now) { busyTime += drawn.busy[x]!; slotTime += s; }
  }
  const c = canvasFor(box, LABEL_W + width + 10, height + AXIS_H);
  const ctx = c.ctx;
  const y = (v: number): number => height - (v / max) * (height - 4);
  axis(ctx, w, LABEL_W, width, 0, height);
  ctx.beginPath(); ctx.moveTo(LABEL_W, height);
  for (let i = 0; i < width; i++) ctx.lineTo(LABEL_W + i + 0.5, y(drawn.busy[i]!));
  ctx.lineTo(LABEL_W + width, height); ctx.closePath();
  ctx.fillStyle = 'rgba(21,101,192,0.35)'; ctx.fill();
  ctx.beginPath();
  for (let j = 0; j < width; j++) { if (j === 0) ctx.moveTo(LABEL_W, y(slots[0]!)); else ctx.lineTo(LABEL_W + j + 0.5, y(slots[j]!)); }
  ctx.setLineDash([4, 3]); ctx.strokeStyle = '#455a64'; ctx.stroke(); ctx.setLineDash([]);
  ctx.fillStyle = '#455a64'; ctx.font = '11px system-ui, sans-serif';
  ctx.fillText(`slots busy (max ${Math.round(max)})`, 4, 14);
  c.canvas.setAttribute('role', 'img');
  const text = slotTime > 0 ? `average ${Math.round((100 * busyTime) / slotTime)}% of the slots busy in this window` : '';
  c.canvas.setAttribute('aria-label', `utilisation: ${text || 'no slots yet'}`);
  average.textContent = text;
}

export function drawCharts(): void {
  const h = store.head;
  if (!h) return;
  const drawn = timed('kiln-timeline', () => drawTimeline(h));
  drawUtilisation(h, drawn);
}
