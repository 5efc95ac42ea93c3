// The page's script, part 1: helpers and sortable, searchable tables. Plain
// browser JavaScript in a string (no template literals inside). Every value
// from the run goes into the page as text nodes or attributes set through
// the DOM, never as markup, so port metadata cannot inject anything.

export const SCRIPT_TABLES = String.raw`
var state = { view: null, packages: [], sort: {}, query: '', statusFilter: '', live: false, heads: {} };
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
function pad2(n) { return (n < 10 ? '0' : '') + n; }
function fmtDur(s) {
  if (s === undefined || s === null) return '';
  s = Math.max(0, Math.round(s));
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm' + pad2(s % 60) + 's';
  if (s < 86400) return Math.floor(s / 3600) + 'h' + pad2(Math.floor((s % 3600) / 60)) + 'm';
  return Math.floor(s / 86400) + 'd' + pad2(Math.floor((s % 86400) / 3600)) + 'h';
}
function fmtTime(t) {
  if (t === undefined || t === null) return '';
  var d = new Date(t * 1000);
  return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()) + ' ' + pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' + pad2(d.getSeconds());
}
function fmtClock(t) { var d = new Date(t * 1000); return pad2(d.getHours()) + ':' + pad2(d.getMinutes()); }
function fmtBytes(n) {
  if (n === undefined || n === null) return '';
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

// spec: { id, columns: [{ key, label, num, value(row), cell(row) }], rows, defaultSort: { key, dir }, limit }
function renderTable(spec) {
  var table = byId(spec.id);
  if (!table) return;
  var sort = state.sort[spec.id] || spec.defaultSort || { key: spec.columns[0].key, dir: 'ascending' };
  if (!state.heads[spec.id]) {
    var thead = el('thead'); var tr = el('tr');
    spec.columns.forEach(function (col) {
      var th = el('th', col.num ? 'num' : null, col.label);
      th.setAttribute('data-key', col.key);
      th.addEventListener('click', function () {
        var now = state.sort[spec.id] || spec.defaultSort || { key: spec.columns[0].key, dir: 'ascending' };
        var dir = now.key === col.key && now.dir === 'ascending' ? 'descending' : (now.key === col.key ? 'ascending' : (col.num ? 'descending' : 'ascending'));
        state.sort[spec.id] = { key: col.key, dir: dir };
        render();
      });
      tr.appendChild(th);
    });
    thead.appendChild(tr); table.appendChild(thead); table.appendChild(el('tbody'));
    state.heads[spec.id] = true;
  }
  Array.prototype.forEach.call(table.querySelectorAll('th'), function (th) {
    if (th.getAttribute('data-key') === sort.key) th.setAttribute('aria-sort', sort.dir); else th.removeAttribute('aria-sort');
  });
  var q = state.query.toLowerCase();
  var rows = spec.rows.filter(function (row) {
    if (spec.filter && !spec.filter(row)) return false;
    if (!q) return true;
    return spec.columns.some(function (col) {
      var v = col.value(row);
      return v !== undefined && v !== null && String(v).toLowerCase().indexOf(q) >= 0;
    });
  });
  var col = spec.columns.filter(function (c) { return c.key === sort.key; })[0] || spec.columns[0];
  var sign = sort.dir === 'descending' ? -1 : 1;
  rows.sort(function (a, b) {
    var x = col.value(a); var y = col.value(b);
    var xe = x === undefined || x === null || x === ''; var ye = y === undefined || y === null || y === '';
    if (xe || ye) return xe === ye ? 0 : (xe ? 1 : -1);
    if (col.num) return sign * (Number(x) - Number(y));
    return sign * String(x).localeCompare(String(y));
  });
  var tbody = table.tBodies[0];
  clear(tbody);
  var limit = spec.limit || rows.length;
  rows.slice(0, limit).forEach(function (row) {
    var tr = el('tr', spec.rowClass ? spec.rowClass(row) : null);
    spec.columns.forEach(function (c) {
      var cell = c.cell ? c.cell(row) : null;
      if (cell && cell.nodeName === 'TD') { tr.appendChild(cell); return; }
      var td = el('td', c.num ? 'num' : (c.wrap ? 'wrap' : null));
      if (cell && typeof cell === 'object') td.appendChild(cell);
      else td.textContent = cell !== null && cell !== undefined ? String(cell) : (c.value(row) === undefined || c.value(row) === null ? '' : String(c.value(row)));
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  });
  if (spec.note) {
    var note = byId(spec.note);
    if (note) note.textContent = rows.length > limit ? 'showing ' + limit + ' of ' + rows.length + ' matching; search to narrow' : rows.length + ' shown';
  }
  table.setAttribute('data-rows', String(rows.length));
}
`;
