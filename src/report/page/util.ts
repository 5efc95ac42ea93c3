// The page's script, part 1: the page's own state and small helpers.
// Plain browser JavaScript in a string (no template literals inside). Every
// value from the run goes into the page as text nodes, attributes set
// through the DOM, or text drawn on a canvas, never as markup, so port
// metadata cannot inject anything.

export const SCRIPT_UTIL = String.raw`
var state = { query: '', statusFilter: '', live: false, sort: {}, limits: {}, tables: {}, ranks: {}, hidden: {} };
var COLOURS = { built: '#2e7d32', failed: '#c62828', lost: '#9e9e9e', running: '#1565c0' };
function byId(id) { return document.getElementById(id); }
function el(tag, cls, content) {
  var node = document.createElement(tag);
  if (cls) node.className = cls;
  if (content !== undefined && content !== null) {
    if (typeof content === 'object') node.appendChild(content); else node.textContent = String(content);
  }
  return node;
}
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
function isEmpty(v) { return v === undefined || v === null || v === ''; }
function pad2(n) { return (n < 10 ? '0' : '') + n; }
function fmtDur(s) {
  if (isEmpty(s)) return '';
  s = Math.max(0, Math.round(s));
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm' + pad2(s % 60) + 's';
  if (s < 86400) return Math.floor(s / 3600) + 'h' + pad2(Math.floor((s % 3600) / 60)) + 'm';
  return Math.floor(s / 86400) + 'd' + pad2(Math.floor((s % 86400) / 3600)) + 'h';
}
function fmtTime(t) {
  if (isEmpty(t)) return '';
  var d = new Date(t * 1000);
  return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()) + ' ' + pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' + pad2(d.getSeconds());
}
/** hh:mm, or hh:mm:ss when the labels are less than a minute apart (else a short window repeats one minute). */
function fmtClock(t, seconds) { var d = new Date(t * 1000); return pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + (seconds ? ':' + pad2(d.getSeconds()) : ''); }
function fmtBytes(n) {
  if (isEmpty(n)) return '';
  if (n < 1024) return n + ' B';
  var units = ['KiB', 'MiB', 'GiB']; var v = n / 1024; var i = 0;
  while (v >= 1024 && i < units.length - 1) { v = v / 1024; i++; }
  return v.toFixed(1) + ' ' + units[i];
}
// A log path relative to the run directory, as a relative link: each part encoded, so it stays a path.
function logLink(log) {
  if (!log) return '';
  var a = el('a', null, 'log');
  a.setAttribute('href', log.split('/').map(encodeURIComponent).join('/'));
  a.setAttribute('rel', 'noopener');
  return a;
}
function statusCell(status) { return el('td', 'status-' + status, status); }
// Records how long a piece of work took, for the browser's performance tools and the benchmarks.
function timed(name, work) {
  var t0 = performance.now();
  var value = work();
  try {
    performance.measure(name, { start: t0, end: performance.now() });
    if (performance.getEntriesByType('measure').length > 2000) performance.clearMeasures();
  } catch (e) { /* measures are a help, never a need */ }
  return value;
}
`;
