// The page's script, part 3: sortable, searchable tables that stay quick
// with tens of thousands of rows. A table is worked out again only when its
// rows, the search, the filter or the sort changed; it shows the first 500
// rows that match (more on asking); strings sort by collation rank, worked
// out once per distinct value of a column (whichever table shows it), then
// as numbers; a column whose values never
// change keeps its sorted order until rows are added; and rows whose data
// did not change keep their DOM nodes.

export const SCRIPT_TABLES = String.raw`
// Natural order: builder1:2 before builder1:10, py39 before py312.
var collator = new Intl.Collator(undefined, { numeric: true });
var PAGE_ROWS = 100;
// The rank of every distinct value of a column, in collation order; values not seen yet rebuild it.
function ranksOf(cacheKey, values) {
  var cache = state.ranks[cacheKey];
  var missing = !cache;
  if (cache) for (var i = 0; i < values.length && !missing; i++) if (!cache.has(values[i])) missing = true;
  if (!missing) return cache;
  var distinct = new Set(cache ? Array.from(cache.keys()) : []);
  values.forEach(function (v) { distinct.add(v); });
  var sorted = Array.from(distinct).sort(collator.compare);
  cache = new Map();
  sorted.forEach(function (v, i) { cache.set(v, i); });
  state.ranks[cacheKey] = cache;
  return cache;
}
// Rows sorted by a column: empty values last whichever the direction, ties in the rows' own order.
// Strings sort by rank, packed with the row's place into one number, so the browser's own numeric sort does the work.
function sortRows(rows, col, dir) {
  var n = rows.length; var sign = dir === 'descending' ? -1 : 1;
  if (col.num) {
    var keys = new Float64Array(n); var empty = new Uint8Array(n);
    rows.forEach(function (row, i) { var v = col.value(row); if (isEmpty(v)) empty[i] = 1; else keys[i] = Number(v); });
    var index = Array.from({ length: n }, function (_, i) { return i; });
    index.sort(function (a, b) {
      if (empty[a] !== empty[b]) return empty[a] - empty[b];
      var d = keys[a] - keys[b];
      return d !== 0 ? sign * d : a - b;
    });
    return index.map(function (i) { return rows[i]; });
  }
  var values = new Array(n); var strings = [];
  rows.forEach(function (row, i) { var v = col.value(row); values[i] = isEmpty(v) ? null : String(v); if (values[i] !== null) strings.push(values[i]); });
  var ranks = ranksOf(col.key, strings);
  var last = ranks.size;
  var packed = new Float64Array(n);
  for (var i = 0; i < n; i++) {
    var rank = values[i] === null ? last + 1 : (sign > 0 ? ranks.get(values[i]) : last - ranks.get(values[i]));
    packed[i] = rank * 2097152 + i;
  }
  packed.sort();
  var out = new Array(n);
  for (var k = 0; k < n; k++) out[k] = rows[packed[k] % 2097152];
  return out;
}
// Every row sorted by a (string) column whose values never change: sorted once, then kept as rows come
// and go (the rows that came are sorted alone and merged in, by the ranks kept beside the rows), so a
// burst of new rows costs what it brings.
function rankKey(ranks, col, row) { var v = col.value(row); return isEmpty(v) ? Infinity : ranks.get(String(v)); }
function fixedOrder(cache, spec, col, dir) {
  var key = col.key + '\u0001' + dir; var sorted = cache.sorted; var ranks;
  if (!sorted || sorted.key !== key) {
    var all = sortRows(rowsOf(spec), col, dir);
    ranks = state.ranks[col.key] || new Map();
    cache.seen = spec.joined.length;
    cache.sorted = { key: key, members: spec.members, rows: all, set: new Set(all), ranks: ranks, keys: all.map(function (row) { return rankKey(ranks, col, row); }) };
    return all;
  }
  if (sorted.members === spec.members) return sorted.rows;
  var set = sorted.set;
  // The rows that joined since: from the table's log, not a pass over every row.
  var fresh = new Set();
  for (var l = cache.seen; l < spec.joined.length; l++) {
    var joined = spec.joined[l];
    if (!set.has(joined) && (!spec.member || spec.member(joined))) fresh.add(joined);
  }
  cache.seen = spec.joined.length;
  var came = sortRows(Array.from(fresh), col, dir);
  ranks = state.ranks[col.key] || new Map();
  if (ranks !== sorted.ranks) sorted.keys = sorted.rows.map(function (row) { return rankKey(ranks, col, row); });
  var cameKeys = came.map(function (row) { return rankKey(ranks, col, row); });
  var sign = dir === 'descending' ? -1 : 1;
  var rows = []; var keys = []; var i = 0; var j = 0; var n = sorted.rows.length;
  while (i < n || j < came.length) {
    var a = i < n ? sorted.keys[i] : 0; var b = j < came.length ? cameKeys[j] : 0;
    var kept = j >= came.length || (i < n && (a === b || (a !== Infinity && (b === Infinity || sign * (a - b) < 0))));
    if (kept) {
      var row = sorted.rows[i++];
      if (spec.member && !spec.member(row)) { set.delete(row); continue; }
      rows.push(row); keys.push(a);
    } else {
      set.add(came[j]); rows.push(came[j]); keys.push(b); j++;
    }
  }
  cache.sorted = { key: key, members: spec.members, rows: rows, set: set, ranks: ranks, keys: keys };
  return rows;
}
function haystack(cache, spec, row) {
  var ver = spec.rowVersion(row); var known = cache.hay.get(row);
  if (known && known.ver === ver) return known.text;
  var parts = [];
  spec.columns.forEach(function (c) { if (c.search === false || c.num) return; var v = c.value(row); if (!isEmpty(v)) parts.push(String(v).toLowerCase()); });
  var text = parts.join('\u0001');
  cache.hay.set(row, { ver: ver, text: text });
  return text;
}
function tableCache(spec) {
  var cache = state.tables[spec.id];
  if (!cache) {
    cache = { key: null, hay: new WeakMap(), sorted: null, shown: [] };
    state.tables[spec.id] = cache;
    var table = byId(spec.id); var thead = el('thead'); var tr = el('tr');
    spec.columns.forEach(function (col) {
      var th = el('th', col.num ? 'num' : null, col.label);
      th.setAttribute('data-key', col.key);
      th.addEventListener('click', function () {
        var now = state.sort[spec.id] || spec.defaultSort;
        var dir = now.key === col.key && now.dir === 'ascending' ? 'descending' : (now.key === col.key ? 'ascending' : (col.num ? 'descending' : 'ascending'));
        state.sort[spec.id] = { key: col.key, dir: dir };
        render();
      });
      tr.appendChild(th);
    });
    thead.appendChild(tr); table.appendChild(thead); table.appendChild(el('tbody'));
  }
  return cache;
}
function rowNode(spec, row) {
  var tr = el('tr', spec.rowClass ? spec.rowClass(row) : null);
  spec.columns.forEach(function (c) {
    var cell = c.cell ? c.cell(row) : null;
    if (cell && cell.nodeName === 'TD') { tr.appendChild(cell); return; }
    var td = el('td', c.num ? 'num' : (c.wrap ? 'wrap' : null));
    if (cell && typeof cell === 'object') td.appendChild(cell);
    else if (cell !== null && cell !== undefined) td.textContent = String(cell);
    else { var v = c.value(row); td.textContent = isEmpty(v) ? '' : String(v); }
    tr.appendChild(td);
  });
  return tr;
}
function rowsOf(spec) { return typeof spec.rows === 'function' ? spec.rows() : spec.rows; }
// spec: { id, rows (or a function giving them), version, members (changes when rows come or go), joined (every row that
// came, in order, append-only), member(row) (still one of the rows), columns: [{ key, label, value(row), num, fixed, wrap, search, cell(row) }], defaultSort, rowVersion(row), filter(row), filterKey, rowClass(row), note }
function renderTable(spec) { timed('kiln-table-' + spec.id, function () { tableOnce(spec); }); }
function tableOnce(spec) {
  var table = byId(spec.id);
  if (!table) return;
  spec.rowVersion = spec.rowVersion || function (row) { return row.ver; };
  var cache = tableCache(spec);
  var sort = state.sort[spec.id] || spec.defaultSort;
  var limit = state.limits[spec.id] || PAGE_ROWS;
  var q = state.query.toLowerCase();
  var key = [spec.version, sort.key, sort.dir, limit, q, spec.filterKey || ''].join('\u0001');
  if (cache.key === key) return;
  cache.key = key;
  if (cache.sortShown !== sort.key + sort.dir) {
    cache.sortShown = sort.key + sort.dir;
    Array.prototype.forEach.call(table.querySelectorAll('th'), function (th) {
      if (th.getAttribute('data-key') === sort.key) th.setAttribute('aria-sort', sort.dir); else th.removeAttribute('aria-sort');
    });
  }
  var col = spec.columns.filter(function (c) { return c.key === sort.key; })[0] || spec.columns[0];
  var matches = function (row) { return (!spec.filter || spec.filter(row)) && (!q || haystack(cache, spec, row).indexOf(q) >= 0); };
  var rows;
  var filtering = spec.filter || q;
  if (col.fixed && !col.num && spec.joined) {
    rows = fixedOrder(cache, spec, col, sort.dir);
    if (filtering) rows = rows.filter(matches);
  } else {
    rows = rowsOf(spec);
    rows = sortRows(filtering ? rows.filter(matches) : rows, col, sort.dir);
  }
  var shown = rows.slice(0, limit);
  var tbody = table.tBodies[0];
  var same = cache.shown.length === shown.length && shown.every(function (row, i) { return cache.shown[i].row === row; });
  if (same) {
    // The same rows in the same order: replace only those whose data changed.
    shown.forEach(function (row, i) {
      var was = cache.shown[i]; var ver = spec.rowVersion(row);
      if (was.ver === ver) return;
      var tr = rowNode(spec, row);
      tbody.replaceChild(tr, was.tr);
      cache.shown[i] = { row: row, ver: ver, tr: tr };
    });
  } else {
    // Rows still shown whose data did not change keep their nodes, wherever they move to.
    var old = new Map(cache.shown.map(function (s) { return [s.row, s]; }));
    var fragment = document.createDocumentFragment();
    cache.shown = shown.map(function (row) {
      var was = old.get(row); var ver = spec.rowVersion(row);
      var tr = was && was.ver === ver ? was.tr : rowNode(spec, row);
      fragment.appendChild(tr);
      return { row: row, ver: ver, tr: tr };
    });
    tbody.replaceChildren(fragment);
  }
  table.setAttribute('data-rows', String(rows.length));
  if (spec.note) noteFor(spec, rows.length, shown.length);
}
function noteFor(spec, matching, shown) {
  var note = byId(spec.note);
  if (!note) return;
  clear(note);
  note.appendChild(document.createTextNode(matching > shown ? 'showing ' + shown + ' of ' + matching + ' matching; search to narrow, or ' : matching + ' shown'));
  if (matching > shown) {
    var more = el('button', 'more', 'show ' + Math.min(PAGE_ROWS, matching - shown) + ' more');
    more.addEventListener('click', function () { state.limits[spec.id] = shown + PAGE_ROWS; render(); });
    note.appendChild(more);
  }
}
`;
