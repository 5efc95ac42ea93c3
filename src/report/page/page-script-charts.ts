// The page's script, part 2: the timeline of every slot (a Gantt chart: which
// package built where and when, failures in red) and utilisation over time,
// drawn as SVG through the DOM.

export const SCRIPT_CHARTS = String.raw`
var SVG = 'http://www.w3.org/2000/svg';
var COLOURS = { built: '#2e7d32', failed: '#c62828', lost: '#9e9e9e', running: '#1565c0' };
function svgEl(tag, attrs) {
  var node = document.createElementNS(SVG, tag);
  Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
  return node;
}
function timeRange(view) {
  var t0 = view.startedAt;
  view.timeline.forEach(function (b) { if (t0 === undefined || t0 === null || b.start < t0) t0 = b.start; });
  if (t0 === undefined || t0 === null) t0 = view.now;
  var t1 = Math.max(view.now, t0 + 1);
  return { t0: t0, t1: t1 };
}
function axis(svg, range, left, width, y) {
  var span = range.t1 - range.t0;
  for (var i = 0; i <= 6; i++) {
    var t = range.t0 + (span * i) / 6;
    var x = left + (width * i) / 6;
    svg.appendChild(svgEl('line', { x1: x, x2: x, y1: 0, y2: y, stroke: '#e0e0e0' }));
    var label = svgEl('text', { x: x, y: y + 12, 'text-anchor': i === 0 ? 'start' : (i === 6 ? 'end' : 'middle') });
    label.textContent = fmtClock(t);
    svg.appendChild(label);
  }
}
function drawTimeline(view) {
  var box = byId('timeline');
  if (!box) return;
  clear(box);
  var slots = {};
  view.hosts.forEach(function (h) { for (var s = 0; s < h.slots; s++) slots[h.name + ':' + s] = { host: h.name, slot: s }; });
  view.timeline.forEach(function (b) { slots[b.host + ':' + b.slot] = { host: b.host, slot: b.slot }; });
  var keys = Object.keys(slots).sort(function (a, b) {
    var x = slots[a]; var y = slots[b];
    return x.host === y.host ? x.slot - y.slot : (x.host < y.host ? -1 : 1);
  });
  if (keys.length === 0) { box.appendChild(el('div', 'note', 'no job has started yet')); return; }
  var rowH = 18; var left = 130; var width = Math.max(400, (box.clientWidth || 1000) - left - 10);
  var height = keys.length * rowH;
  var svg = svgEl('svg', { width: left + width + 10, height: height + 18, role: 'img', 'aria-label': 'timeline of every slot' });
  var range = timeRange(view);
  var scale = function (t) { return left + ((t - range.t0) / (range.t1 - range.t0)) * width; };
  axis(svg, range, left, width, height);
  keys.forEach(function (k, i) {
    var label = svgEl('text', { x: 4, y: i * rowH + 13 });
    label.textContent = k;
    svg.appendChild(label);
    if (i % 2 === 1) svg.appendChild(svgEl('rect', { x: left, y: i * rowH, width: width, height: rowH, fill: '#000', 'fill-opacity': 0.03 }));
  });
  view.timeline.forEach(function (b) {
    var row = keys.indexOf(b.host + ':' + b.slot);
    var x = scale(b.start);
    var rect = svgEl('rect', {
      x: x, y: row * rowH + 2, width: Math.max(1.5, scale(b.end) - x), height: rowH - 4, rx: 2,
      fill: COLOURS[b.outcome] || '#000', 'class': 'job ' + b.outcome, 'data-pkgname': b.pkgname,
    });
    var title = svgEl('title');
    title.textContent = b.pkgpath + ' (' + b.pkgname + ') on ' + b.host + ':' + b.slot + ', ' + fmtTime(b.start) + ', ' + fmtDur(b.end - b.start) + ', ' + b.outcome + (b.detail ? ': ' + b.detail : '');
    rect.appendChild(title);
    rect.addEventListener('click', function () { setQuery(b.pkgname); });
    svg.appendChild(rect);
  });
  box.appendChild(svg);
}
function drawUtilisation(view) {
  var box = byId('utilisation');
  if (!box) return;
  clear(box);
  var points = view.utilisation;
  if (points.length === 0) { box.appendChild(el('div', 'note', 'no job has started yet')); return; }
  var left = 130; var width = Math.max(400, (box.clientWidth || 1000) - left - 10); var h = 90;
  var range = timeRange(view);
  var max = 1;
  points.forEach(function (p) { max = Math.max(max, p.slots, p.busy); });
  var scaleX = function (t) { return left + ((Math.max(t, range.t0) - range.t0) / (range.t1 - range.t0)) * width; };
  var scaleY = function (v) { return h - (v / max) * (h - 4); };
  var svg = svgEl('svg', { width: left + width + 10, height: h + 18, role: 'img', 'aria-label': 'busy slots over time' });
  axis(svg, range, left, width, h);
  var busy = 'M' + scaleX(points[0].at) + ',' + h;
  var slots = '';
  var busyTime = 0; var slotTime = 0;
  points.forEach(function (p, i) {
    var next = i + 1 < points.length ? points[i + 1].at : range.t1;
    busy += ' L' + scaleX(p.at) + ',' + scaleY(p.busy) + ' L' + scaleX(next) + ',' + scaleY(p.busy);
    slots += (i === 0 ? 'M' : ' L') + scaleX(p.at) + ',' + scaleY(p.slots) + ' L' + scaleX(next) + ',' + scaleY(p.slots);
    busyTime += p.busy * (next - p.at); slotTime += p.slots * (next - p.at);
  });
  busy += ' L' + scaleX(range.t1) + ',' + h + ' Z';
  svg.appendChild(svgEl('path', { d: busy, fill: '#1565c0', 'fill-opacity': 0.35, stroke: '#1565c0' }));
  svg.appendChild(svgEl('path', { d: slots, fill: 'none', stroke: '#455a64', 'stroke-dasharray': '4 3' }));
  var label = svgEl('text', { x: 4, y: 14 });
  label.textContent = 'slots busy (max ' + max + ')';
  svg.appendChild(label);
  var avg = svgEl('text', { x: 4, y: 30, id: 'utilisation-average' });
  avg.textContent = slotTime > 0 ? 'average ' + Math.round((100 * busyTime) / slotTime) + '%' : '';
  svg.appendChild(avg);
  box.appendChild(svg);
}
`;
