// The page's script, part 5: utilisation over the timeline's window, from
// the busy time the timeline's pass summed per pixel and the slots the
// hosts had (a step series the server sends as it changes), drawn on a
// canvas: busy slots filled, all slots dashed, and the window's average.

export const SCRIPT_CHARTS = String.raw`
// The slots at time t: the last capacity point at or before it.
function capacityAt(points, t) {
  var lo = 0; var hi = points.length;
  while (lo < hi) { var mid = (lo + hi) >>> 1; if (points[mid].at <= t) lo = mid + 1; else hi = mid; }
  return lo === 0 ? 0 : points[lo - 1].slots;
}
function drawUtilisation(drawn) {
  var box = byId('utilisation-chart');
  var average = byId('utilisation-average');
  if (!box) return;
  if (!drawn) { clear(box); average.textContent = ''; return; }
  var points = store.capacity.filter(function (p) { return p; });
  var width = drawn.width; var h = 90; var w = drawn.w; var perPx = (w.t1 - w.t0) / width;
  var slots = new Float64Array(width); var max = 1; var busyTime = 0; var slotTime = 0;
  var now = store.head.now;
  for (var x = 0; x < width; x++) {
    var t = w.t0 + (x + 0.5) * perPx;
    var s = t > now ? 0 : Math.max(capacityAt(points, t), drawn.busy[x]);
    slots[x] = s; max = Math.max(max, s, drawn.busy[x]);
    if (t <= now) { busyTime += drawn.busy[x]; slotTime += s; }
  }
  var c = canvasFor(box, LABEL_W + width + 10, h + AXIS_H);
  var ctx = c.ctx;
  var y = function (v) { return h - (v / max) * (h - 4); };
  axis(ctx, w, LABEL_W, width, 0, h);
  ctx.beginPath(); ctx.moveTo(LABEL_W, h);
  for (var i = 0; i < width; i++) ctx.lineTo(LABEL_W + i + 0.5, y(drawn.busy[i]));
  ctx.lineTo(LABEL_W + width, h); ctx.closePath();
  ctx.fillStyle = 'rgba(21,101,192,0.35)'; ctx.fill();
  ctx.beginPath();
  for (var j = 0; j < width; j++) { if (j === 0) ctx.moveTo(LABEL_W, y(slots[0])); else ctx.lineTo(LABEL_W + j + 0.5, y(slots[j])); }
  ctx.setLineDash([4, 3]); ctx.strokeStyle = '#455a64'; ctx.stroke(); ctx.setLineDash([]);
  ctx.fillStyle = '#455a64'; ctx.font = '11px system-ui, sans-serif';
  ctx.fillText('slots busy (max ' + Math.round(max) + ')', 4, 14);
  c.canvas.setAttribute('role', 'img');
  var text = slotTime > 0 ? 'average ' + Math.round((100 * busyTime) / slotTime) + '% of the slots busy in this window' : '';
  c.canvas.setAttribute('aria-label', 'utilisation: ' + (text || 'no slots yet'));
  average.textContent = text;
}
function drawCharts() {
  if (!store.head) return;
  var drawn = timed('kiln-timeline', drawTimeline);
  drawUtilisation(drawn);
}
`;
