// The page's script, part 3: what each section shows, and how the page gets
// its data: embedded (report.html) or from the server, kept live by
// server-sent events.

export const SCRIPT_MAIN = String.raw`
function setQuery(q) { state.query = q; var box = byId('search'); if (box) box.value = q; render(); }
function counter(cls, label, n, title) {
  var div = el('div', 'counter ' + cls); div.setAttribute('data-count', label);
  if (title) div.setAttribute('title', title);
  div.appendChild(el('b', null, n)); div.appendChild(document.createTextNode(label)); return div;
}
function renderHeader(v) {
  byId('run').textContent = v.run ? 'run ' + v.run : '';
  var badge = byId('result'); badge.textContent = v.result; badge.className = 'badge ' + v.result;
  var parts = [];
  if (v.tree) parts.push(v.tree);
  if (v.startedAt) parts.push('started ' + fmtTime(v.startedAt));
  if (v.finishedAt) parts.push('ended ' + fmtTime(v.finishedAt));
  if (v.startedAt) parts.push('elapsed ' + fmtDur((v.finishedAt || v.now) - v.startedAt));
  if (v.eta) parts.push('ETA ' + fmtTime(v.eta.at) + ' (in ' + fmtDur(v.eta.remainingS) + ')');
  byId('times').textContent = parts.join(' \u00b7 ');
  document.title = 'kiln ' + (v.run || '') + ' ' + v.result;
}
function renderCounters(v) {
  var c = v.counts; var s = c.byStatus; var box = byId('counters'); clear(box);
  box.appendChild(counter('done', 'built', s.done));
  box.appendChild(counter('done', 'up to date', s['up-to-date']));
  box.appendChild(counter('running', 'running', s.building));
  box.appendChild(counter('', 'queued', c.queued, 'ready, waiting for a slot'));
  box.appendChild(counter('', 'waiting', c.waiting, 'waiting for dependencies'));
  box.appendChild(counter('failed', 'failed', s.failed));
  box.appendChild(counter('prefailed', 'prefailed', s.prefailed));
  box.appendChild(counter('indirect', 'indirect', s['indirect-failed'] + s['indirect-prefailed'], 'depending on a failed or prefailed package'));
  box.appendChild(counter('', 'total', c.total));
  var bar = byId('bar'); clear(bar);
  var total = Math.max(1, c.total);
  [[s.done + s['up-to-date'], '#2e7d32'], [s.failed, '#c62828'], [s.prefailed, '#6d4c41'],
   [s['indirect-failed'] + s['indirect-prefailed'], '#ef6c00'], [s.building, '#1565c0']].forEach(function (p) {
    var span = el('span'); span.style.width = (100 * p[0] / total) + '%'; span.style.background = p[1]; bar.appendChild(span);
  });
  var scan = byId('scan');
  scan.textContent = v.scan && !v.resolved ? 'scanning: ' + v.scan.scanned + ' of ' + v.scan.total + ' ports (' + v.scan.cached + ' cached, ' + v.scan.errors + ' errors)'
    : (v.scan ? 'scanned ' + v.scan.scanned + ' ports (' + v.scan.cached + ' cached, ' + v.scan.errors + ' errors)' : '');
}
function renderHosts(v) {
  var box = byId('hosts'); clear(box);
  v.hosts.forEach(function (h) {
    var div = el('span', 'host ' + h.state, h.name + ' ' + h.state + ' ' + h.busy + '/' + h.slots + (h.reason ? ' (' + h.reason + ')' : ''));
    box.appendChild(div);
  });
}
function renderMessages(v) {
  var box = byId('messages'); clear(box);
  v.messages.slice(-20).forEach(function (m) { box.appendChild(el('li', m.level, fmtTime(m.at) + ' ' + m.text)); });
}
function col(key, label, value, extra) {
  var c = { key: key, label: label, value: value };
  Object.keys(extra || {}).forEach(function (k) { c[k] = extra[k]; });
  return c;
}
function render() {
  var v = state.view;
  if (!v) return;
  renderHeader(v); renderCounters(v); renderHosts(v);
  renderTable({ id: 'running', rows: v.running, defaultSort: { key: 'slot', dir: 'ascending' },
    rowClass: function (r) { return r.stuck ? 'stuck' : null; },
    columns: [
      col('slot', 'Slot', function (r) { return r.host + ':' + r.slot; }),
      col('pkgpath', 'Pkgpath', function (r) { return r.pkgpath; }),
      col('pkgname', 'Pkgname', function (r) { return r.pkgname; }),
      col('phase', 'Phase', function (r) { return r.phase; }),
      col('start', 'Started', function (r) { return r.startedAt; }, { num: true, cell: function (r) { return fmtTime(r.startedAt); } }),
      col('elapsed', 'Elapsed', function (r) { return r.elapsedS; }, { num: true, cell: function (r) { return fmtDur(r.elapsedS); } }),
      col('expected', 'Expected', function (r) { return r.expectedS; }, { num: true, cell: function (r) { return fmtDur(r.expectedS); } }),
      col('log', 'Log vs last', function (r) { return r.logPercent; }, { num: true, cell: function (r) { return r.logPercent === undefined || r.logPercent === null ? fmtBytes(r.logBytes) : r.logPercent + '%'; } }),
      col('idle', 'Unchanged', function (r) { return r.idleS; }, { num: true, cell: function (r) { return r.stuck ? 'for ' + fmtDur(r.idleS) : ''; } }),
    ] });
  drawTimeline(v); drawUtilisation(v);
  renderTable({ id: 'failures', rows: v.failures, defaultSort: { key: 'breaks', dir: 'descending' },
    columns: [
      col('pkgpath', 'Pkgpath', function (r) { return r.pkgpath; }),
      col('pkgname', 'Pkgname', function (r) { return r.pkgname; }),
      col('status', 'Status', function (r) { return r.status; }, { cell: function (r) { return statusCell(r.status); } }),
      col('phase', 'Phase', function (r) { return r.phase; }),
      col('error', 'Error', function (r) { return r.error || r.reason; }, { wrap: true }),
      col('breaks', 'Breaks', function (r) { return r.breaks; }, { num: true }),
      col('maintainer', 'Maintainer', function (r) { return r.maintainer; }),
      col('host', 'Host', function (r) { return r.host; }),
      col('at', 'When', function (r) { return r.at; }, { num: true, cell: function (r) { return fmtTime(r.at); } }),
      col('duration', 'Took', function (r) { return r.durationS; }, { num: true, cell: function (r) { return fmtDur(r.durationS); } }),
      col('log', 'Log', function (r) { return r.log; }, { cell: function (r) { return logLink(r.log); } }),
    ] });
  renderTable({ id: 'indirect', rows: v.indirect, defaultSort: { key: 'pkgpath', dir: 'ascending' },
    columns: [
      col('pkgpath', 'Pkgpath', function (r) { return r.pkgpath; }),
      col('pkgname', 'Pkgname', function (r) { return r.pkgname; }),
      col('status', 'Status', function (r) { return r.status; }, { cell: function (r) { return statusCell(r.status); } }),
      col('blockedBy', 'Root cause', function (r) { return r.blockedBy.join(' '); }, { wrap: true }),
      col('maintainer', 'Maintainer', function (r) { return r.maintainer; }),
    ] });
  renderTable({ id: 'packages', rows: state.packages, defaultSort: { key: 'pkgpath', dir: 'ascending' }, limit: 500, note: 'packages-note',
    filter: function (r) { return !state.statusFilter || r.status === state.statusFilter || (state.statusFilter === 'indirect' && r.status.indexOf('indirect') === 0); },
    columns: [
      col('pkgpath', 'Pkgpath', function (r) { return r.pkgpath; }),
      col('pkgname', 'Pkgname', function (r) { return r.pkgname; }),
      col('status', 'Status', function (r) { return r.status; }, { cell: function (r) { return statusCell(r.status); } }),
      col('host', 'Host', function (r) { return r.host; }),
      col('start', 'Started', function (r) { return r.startedAt; }, { num: true, cell: function (r) { return fmtTime(r.startedAt); } }),
      col('duration', 'Took', function (r) { return r.durationS; }, { num: true, cell: function (r) { return fmtDur(r.durationS); } }),
      col('size', 'Log size', function (r) { return r.logBytes; }, { num: true, cell: function (r) { return fmtBytes(r.logBytes); } }),
      col('why', 'Why', function (r) { return r.error || r.reason || (r.blockedBy.length ? 'blocked by ' + r.blockedBy.join(' ') : ''); }, { wrap: true }),
      col('maintainer', 'Maintainer', function (r) { return r.maintainer; }),
      col('log', 'Log', function (r) { return r.log; }, { cell: function (r) { return logLink(r.log); } }),
    ] });
  renderMessages(v);
}
function start() {
  var search = byId('search');
  search.addEventListener('input', function () { state.query = search.value.trim(); render(); });
  var filter = byId('status-filter');
  filter.addEventListener('change', function () { state.statusFilter = filter.value; render(); });
  var embedded = byId('kiln-view');
  if (embedded) {
    state.view = JSON.parse(embedded.textContent);
    state.packages = state.view.packages;
    render();
    return;
  }
  state.live = true;
  var lastPackages = 0; var fetching = false;
  function refreshPackages(force) {
    if (fetching || (!force && Date.now() - lastPackages < 4000)) return;
    fetching = true;
    fetch('api/packages').then(function (r) { return r.json(); }).then(function (list) {
      state.packages = list; lastPackages = Date.now(); fetching = false; render();
    }, function () { fetching = false; });
  }
  var source = new EventSource('api/events');
  source.addEventListener('view', function (e) {
    state.view = JSON.parse(e.data);
    render();
    refreshPackages(state.view.result !== 'running');
  });
  source.addEventListener('error', function () { byId('result').textContent = 'disconnected'; });
  refreshPackages(true);
}
start();
`;
