// The page's script, part 4: the timeline of every slot (which package built
// where and when, failures in red), drawn on a canvas: one filled path per
// colour, bars narrower than a pixel merged with their neighbours, and only
// the window the operator looks at (the whole run, the last hour, or one
// moved and zoomed with the buttons, a drag or a double click). Hovering a
// bar names it; a click searches for it. The same pass sums how many slots
// were busy in each pixel's time, for the utilisation chart below.

export const SCRIPT_TIMELINE = String.raw`
var tl = { mode: 'all', span: 3600, end: null, geom: null, drag: null, boxWidth: 0 };
var LABEL_W = 130; var AXIS_H = 18; var MIN_SPAN = 60;
function runSpan() {
  var h = store.head; var now = h.now;
  var t0 = store.t0 !== null ? store.t0 : (h.startedAt !== null ? h.startedAt : now);
  if (h.startedAt !== null && h.startedAt < t0) t0 = h.startedAt;
  return { t0: t0, t1: Math.max(now, t0 + MIN_SPAN) };
}
function tlWindow() {
  var run = runSpan();
  if (tl.mode === 'all') return run;
  var span = Math.min(tl.span, run.t1 - run.t0);
  var end = tl.mode === 'follow' ? run.t1 : Math.min(Math.max(tl.end, run.t0 + span), run.t1);
  return { t0: end - span, t1: end };
}
function setWindow(mode, span, end) {
  var run = runSpan();
  tl.span = Math.max(MIN_SPAN, Math.min(span, run.t1 - run.t0));
  tl.mode = mode;
  tl.end = end === undefined ? run.t1 : end;
  if (tl.mode === 'fixed' && tl.end >= run.t1 && store.head.result === 'running') tl.mode = 'follow';
  if (tl.span >= run.t1 - run.t0) tl.mode = 'all';
  drawCharts();
}
function zoom(factor, at) {
  var w = tlWindow(); var span = (w.t1 - w.t0) * factor;
  var centre = at === undefined ? (w.t0 + w.t1) / 2 : at;
  setWindow('fixed', span, centre + span / 2);
}
function timelineControls() {
  var box = byId('timeline-controls');
  if (!box || box.firstChild) return;
  var button = function (label, title, action) {
    var b = el('button', null, label); b.setAttribute('title', title); b.setAttribute('type', 'button');
    b.addEventListener('click', action); box.appendChild(b);
  };
  button('whole run', 'show the whole run', function () { setWindow('all', Infinity); });
  button('last 6 h', 'follow the last six hours', function () { setWindow('follow', 6 * 3600); });
  button('last hour', 'follow the last hour', function () { setWindow('follow', 3600); });
  button('last 10 min', 'follow the last ten minutes', function () { setWindow('follow', 600); });
  button('\u2212', 'zoom out', function () { zoom(2); });
  button('+', 'zoom in', function () { zoom(0.5); });
  button('\u25c0', 'earlier', function () { var w = tlWindow(); setWindow('fixed', w.t1 - w.t0, w.t1 - (w.t1 - w.t0) / 2); });
  button('\u25b6', 'later', function () { var w = tlWindow(); setWindow('fixed', w.t1 - w.t0, w.t1 + (w.t1 - w.t0) / 2); });
  box.appendChild(el('span', 'note', '')).id = 'timeline-window';
}
function sortedRows() {
  if (store.rowList.version !== store.versions.rows) {
    store.rowList = Array.from(store.rows.values()).sort(function (a, b) { return a.host === b.host ? a.slot - b.slot : (a.host < b.host ? -1 : 1); });
    store.rowList.version = store.versions.rows;
  }
  return store.rowList;
}
// The first bar of a row (sorted by start) that may reach into the window: a slot runs one job at a time, so only the bar before the first that starts inside can.
function firstVisible(bars, t0) {
  var lo = 0; var hi = bars.length;
  while (lo < hi) { var mid = (lo + hi) >>> 1; if (bars[mid].start < t0) lo = mid + 1; else hi = mid; }
  for (var back = 0; back < 8 && lo > 0 && (bars[lo - 1].end === null || bars[lo - 1].end >= t0); back++) lo--;
  return lo;
}
// Adds the span [a, b) (pixels, fractions allowed) to per-pixel sums: full pixels through a difference array.
function coverage(busy, diff, a, b) {
  if (b <= a) return;
  var ia = Math.floor(a); var ib = Math.floor(b);
  if (ia === ib) { busy[ia] += b - a; return; }
  busy[ia] += ia + 1 - a;
  diff[ia + 1] += 1; diff[ib] -= 1;
  if (ib < busy.length) busy[ib] += b - ib;
}
function canvasFor(box, cssWidth, cssHeight) {
  var canvas = box.querySelector('canvas');
  if (!canvas) { canvas = el('canvas'); box.appendChild(canvas); }
  var dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(cssWidth * dpr) || canvas.height !== Math.round(cssHeight * dpr)) {
    canvas.width = Math.round(cssWidth * dpr); canvas.height = Math.round(cssHeight * dpr);
    canvas.style.width = cssWidth + 'px'; canvas.style.height = cssHeight + 'px';
  }
  var ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssWidth, cssHeight);
  return { canvas: canvas, ctx: ctx };
}
function axis(ctx, w, left, width, top, bottom) {
  ctx.strokeStyle = '#e0e0e0'; ctx.fillStyle = '#455a64'; ctx.font = '11px system-ui, sans-serif';
  for (var i = 0; i <= 6; i++) {
    var x = left + (width * i) / 6;
    ctx.beginPath(); ctx.moveTo(x + 0.5, top); ctx.lineTo(x + 0.5, bottom); ctx.stroke();
    ctx.textAlign = i === 0 ? 'left' : (i === 6 ? 'right' : 'center');
    ctx.fillText(fmtClock(w.t0 + ((w.t1 - w.t0) * i) / 6, (w.t1 - w.t0) / 6 < 60), x, bottom + 12);
  }
  ctx.textAlign = 'left';
}
function drawTimeline() {
  var box = byId('timeline-chart');
  if (!box) return null;
  var rows = sortedRows();
  var empty = byId('timeline-empty');
  empty.textContent = rows.length === 0 ? 'no job has started yet' : '';
  if (rows.length === 0) { clear(box); return null; }
  var w = tlWindow(); var now = store.head.now;
  var width = Math.max(400, (tl.boxWidth || 1000) - LABEL_W - 10);
  var rowH = Math.max(3, Math.min(18, Math.floor(900 / rows.length)));
  var height = rows.length * rowH;
  var c = canvasFor(box, LABEL_W + width + 10, height + AXIS_H);
  var ctx = c.ctx;
  ctx.fillStyle = 'rgba(0,0,0,0.03)';
  for (var r = 1; r < rows.length; r += 2) ctx.fillRect(LABEL_W, r * rowH, width, rowH);
  axis(ctx, w, LABEL_W, width, 0, height);
  ctx.fillStyle = '#455a64';
  if (rowH >= 9) rows.forEach(function (row, i) { ctx.fillText(row.label, 4, i * rowH + rowH - 4, LABEL_W - 8); });
  var scale = width / (w.t1 - w.t0);
  var paths = { built: new Path2D(), lost: new Path2D(), failed: new Path2D(), running: new Path2D() };
  var counts = { built: 0, lost: 0, failed: 0, running: 0 };
  var busy = new Float64Array(width); var diff = new Float64Array(width + 1);
  var barH = Math.max(1, rowH - (rowH > 6 ? 4 : 1)); var pad = (rowH - barH) / 2;
  rows.forEach(function (row, i) {
    if (!row.sorted) { row.bars.sort(function (a, b) { return a.start - b.start; }); row.sorted = true; }
    var bars = row.bars; var y = i * rowH + pad;
    var kind = null; var x0 = 0; var x1 = 0;
    for (var k = firstVisible(bars, w.t0); k < bars.length; k++) {
      var b = bars[k];
      if (b.start > w.t1) break;
      var end = b.end === null ? now : b.end;
      if (end < w.t0) continue;
      counts[b.outcome]++;
      var a = (Math.max(b.start, w.t0) - w.t0) * scale; var z = (Math.min(end, w.t1) - w.t0) * scale;
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
  ['built', 'lost', 'failed', 'running'].forEach(function (kind) { ctx.fillStyle = COLOURS[kind]; ctx.fill(paths[kind]); });
  var run = 0;
  for (var x = 0; x < width; x++) { run += diff[x]; busy[x] += run; }
  tl.geom = { w: w, rows: rows, rowH: rowH, scale: scale, width: width, height: height, canvas: c.canvas };
  var shown = counts.built + counts.failed + counts.running + counts.lost;
  Object.keys(counts).forEach(function (kind) { c.canvas.setAttribute('data-' + kind, String(counts[kind])); });
  c.canvas.setAttribute('role', 'img');
  c.canvas.setAttribute('aria-label', 'timeline of ' + rows.length + ' slots, ' + fmtTime(w.t0) + ' to ' + fmtTime(w.t1) + ': ' + shown + ' jobs, '
    + counts.built + ' built, ' + counts.failed + ' failed, ' + counts.running + ' running, ' + counts.lost + ' lost');
  var label = byId('timeline-window');
  if (label) label.textContent = fmtTime(w.t0) + ' to ' + fmtTime(w.t1) + ' (' + fmtDur(w.t1 - w.t0) + ', ' + (tl.mode === 'all' ? 'whole run' : tl.mode === 'follow' ? 'following' : 'fixed') + ')';
  hookTimeline(c.canvas);
  return { w: w, busy: busy, width: width };
}
// The bar under a point of the canvas, if any (two pixels of slack).
function barAt(x, y) {
  var g = tl.geom;
  if (!g || x < LABEL_W || y < 0 || y >= g.height) return null;
  var row = g.rows[Math.floor(y / g.rowH)];
  if (!row) return null;
  var t = g.w.t0 + (x - LABEL_W) / g.scale; var slack = 2 / g.scale; var bars = row.bars;
  var lo = 0; var hi = bars.length;
  while (lo < hi) { var mid = (lo + hi) >>> 1; if (bars[mid].start <= t + slack) lo = mid + 1; else hi = mid; }
  for (var k = lo - 1; k >= 0 && k >= lo - 3; k--) {
    var b = bars[k]; var end = b.end === null ? store.head.now : b.end;
    if (end >= t - slack) return b;
  }
  return null;
}
function describeBar(b) {
  var p = pkgOf(b.pkg); var end = b.end === null ? store.head.now : b.end;
  return p.pkgpath + ' (' + p.pkgname + ') on ' + b.host + ':' + b.slot + ', ' + fmtTime(b.start) + ', ' + fmtDur(end - b.start) + ', ' + b.outcome + (b.detail ? ': ' + b.detail : '');
}
function hookTimeline(canvas) {
  if (canvas.hooked) return;
  canvas.hooked = true;
  var tip = byId('timeline-tip');
  var point = function (e) { var r = canvas.getBoundingClientRect(); return { x: e.clientX - r.left, y: e.clientY - r.top }; };
  canvas.addEventListener('mousemove', function (e) {
    var p = point(e);
    if (tl.drag) {
      var g = tl.geom; var dt = (tl.drag.x - p.x) / g.scale;
      if (Math.abs(tl.drag.x - p.x) > 3) { tl.drag.moved = true; setWindow('fixed', tl.drag.span, tl.drag.end + dt); }
      return;
    }
    var b = barAt(p.x, p.y);
    if (!b) { tip.hidden = true; canvas.style.cursor = 'grab'; return; }
    tip.textContent = describeBar(b); tip.hidden = false; canvas.style.cursor = 'pointer';
    tip.style.left = Math.min(p.x + 12, canvas.clientWidth - 360) + 'px'; tip.style.top = (p.y + 14) + 'px';
  });
  canvas.addEventListener('mouseleave', function () { tip.hidden = true; tl.drag = null; });
  canvas.addEventListener('mousedown', function (e) { var w = tlWindow(); tl.drag = { x: point(e).x, span: w.t1 - w.t0, end: w.t1, moved: false }; });
  canvas.addEventListener('mouseup', function (e) {
    var drag = tl.drag; tl.drag = null;
    if (drag && drag.moved) return;
    var p = point(e); var b = barAt(p.x, p.y);
    if (b) setQuery(pkgOf(b.pkg).pkgname);
  });
  canvas.addEventListener('dblclick', function (e) {
    var g = tl.geom; var p = point(e);
    if (g && p.x >= LABEL_W) zoom(0.25, g.w.t0 + (p.x - LABEL_W) / g.scale);
  });
}
`;
