// The page's script, part 6: what each section shows: the header and
// counters, the hosts, and the tables (running jobs, failures, packages
// depending on failures, every package), each fed from the page's copy.

export const SCRIPT_SECTIONS = String.raw`
function setQuery(q) { state.query = q; var box = byId('search'); if (box) box.value = q; render(); }
function counter(cls, label, n, title) {
  var div = el('div', 'counter ' + cls); div.setAttribute('data-count', label);
  if (title) div.setAttribute('title', title);
  div.appendChild(el('b', null, n)); div.appendChild(document.createTextNode(label)); return div;
}
function renderHeader(h) {
  byId('run').textContent = h.run ? 'run ' + h.run : '';
  var badge = byId('result'); badge.textContent = h.result; badge.className = 'badge ' + h.result;
  var parts = [];
  if (h.tree) parts.push(h.tree);
  if (h.startedAt) parts.push('started ' + fmtTime(h.startedAt));
  if (h.finishedAt) parts.push('ended ' + fmtTime(h.finishedAt));
  if (h.startedAt) parts.push('elapsed ' + fmtDur((h.finishedAt || h.now) - h.startedAt));
  if (h.eta) parts.push('ETA ' + fmtTime(h.eta.at) + ' (in ' + fmtDur(h.eta.remainingS) + (h.eta.basis ? ', ' + h.eta.basis : '') + ')');
  byId('times').textContent = parts.join(' \u00b7 ');
  byId('behind').textContent = store.behind > 0 ? 'catching up: ' + store.behind + ' changes to come' : '';
  document.title = 'kiln ' + (h.run || '') + ' ' + h.result;
}
function renderCounters(h, c) {
  var s = c.byStatus; var box = byId('counters'); clear(box);
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
  scan.textContent = h.scan && !h.resolved ? 'scanning: ' + h.scan.scanned + ' of ' + h.scan.total + ' ports (' + h.scan.cached + ' cached, ' + h.scan.errors + ' errors)'
    : (h.scan ? 'scanned ' + h.scan.scanned + ' ports (' + h.scan.cached + ' cached, ' + h.scan.errors + ' errors)' : '');
}
function renderHosts(hosts) {
  var box = byId('hosts'); clear(box);
  if (hosts.length === 0) box.appendChild(el('span', 'note', 'no host yet'));
  hosts.forEach(function (h) {
    var text = h.name + ' ' + h.state + ' ' + h.busy + '/' + h.slots + (h.speed !== 1 ? ' sf=' + h.speed : '') + (h.load && h.state === 'up' ? ' load ' + h.load.loadPerCore.toFixed(2) : '') + (h.reason ? ' (' + h.reason + ')' : '');
    box.appendChild(el('span', 'host ' + h.state, text));
  });
  // The fetch jobs, under the running builds: a line per distfile coming, then what the run fetched.
  var f = store.fetches, list = byId('fetches'); clear(list);
  if (!f) return;
  f.running.forEach(function (r) {
    list.appendChild(el('li', 'fetch', 'fetch ' + r.name + ' from ' + r.site + ': ' + fmtBytes(r.bytes) + ' of ' + fmtBytes(r.size) + ', ' + fmtBytes(Math.round(r.rate)) + '/s'));
  });
  if (f.fetched + f.failed > 0) list.appendChild(el('li', 'fetched', 'fetched ' + f.fetched + ' files, ' + fmtBytes(f.bytes) + ' in ' + fmtDur(f.seconds) + (f.failed ? ' (' + f.failed + ' failed)' : '')));
}
function renderMessages() {
  var list = byId('messages');
  if (list.getAttribute('data-version') === String(store.versions.messages)) return;
  list.setAttribute('data-version', String(store.versions.messages));
  clear(list);
  store.messages.forEach(function (m) { list.appendChild(el('li', m.level, fmtTime(m.at) + ' ' + m.text)); });
}
function col(key, label, value, extra) {
  var c = { key: key, label: label, value: value };
  Object.keys(extra || {}).forEach(function (k) { c[k] = extra[k]; });
  return c;
}
var FIXED = { fixed: true };
function watchTables() {
  var seen = new IntersectionObserver(function (entries) {
    var appeared = false;
    entries.forEach(function (e) {
      var id = e.target.getAttribute('data-table');
      if (e.isIntersecting && state.hidden[id]) appeared = true;
      state.hidden[id] = !e.isIntersecting;
    });
    if (appeared) render();
  }, { rootMargin: '400px 0px' });
  ['failures', 'indirect', 'packages'].forEach(function (id) {
    var section = byId(id).closest('section');
    section.setAttribute('data-table', id);
    seen.observe(section);
  });
}
function whyOf(r) { return r.error || r.reason || (r.blockedBy.length ? 'blocked by ' + r.blockedBy.join(' ') : '') || r.waiting || ''; }
// The long tables are worked out only while on screen (or nearly): off screen, an update costs them nothing.
function renderTables() {
  var v = store.versions;
  var shown = function (id) { return !state.hidden[id]; };
  renderTable({ id: 'running', rows: runningRows(), version: store.rev + ':' + store.head.now, defaultSort: { key: 'slot', dir: 'ascending' },
    rowVersion: function (r) { return r.phase + r.elapsedS + r.logBytes + r.stuck; },
    rowClass: function (r) { return r.stuck ? 'stuck' : null; },
    columns: [
      col('slot', 'Slot', function (r) { return r.host + ':' + r.slot; }),
      col('pkgpath', 'Pkgpath', function (r) { return r.pkgpath; }),
      col('pkgname', 'Pkgname', function (r) { return r.pkgname; }),
      col('phase', 'Phase', function (r) { return r.phase; }),
      col('start', 'Started', function (r) { return r.startedAt; }, { num: true, cell: function (r) { return fmtTime(r.startedAt); } }),
      col('elapsed', 'Elapsed', function (r) { return r.elapsedS; }, { num: true, cell: function (r) { return fmtDur(r.elapsedS); } }),
      col('expected', 'Expected', function (r) { return r.expectedS; }, { num: true, cell: function (r) { return fmtDur(r.expectedS); } }),
      col('log', 'Log vs last', function (r) { return r.logPercent; }, { num: true, cell: function (r) { return r.logPercent === null ? fmtBytes(r.logBytes) : r.logPercent + '%'; } }),
      col('idle', 'Unchanged', function (r) { return r.idleS; }, { num: true, cell: function (r) { return r.stuck ? 'for ' + fmtDur(r.idleS) : ''; } }),
    ] });
  if (shown('failures')) renderTable({ id: 'failures', rows: function () { return Array.from(store.failed); }, version: v.failures,
    members: v.failedMembers, joined: store.failedLog, member: function (r) { return isFailed(r.status); }, note: 'failures-note',
    defaultSort: { key: 'breaks', dir: 'descending' },
    columns: [
      col('pkgpath', 'Pkgpath', function (r) { return r.pkgpath; }, FIXED),
      col('pkgname', 'Pkgname', function (r) { return r.pkgname; }, FIXED),
      col('status', 'Status', function (r) { return r.status; }, { cell: function (r) { return statusCell(r.status); } }),
      col('phase', 'Phase', function (r) { return r.phase; }),
      col('error', 'Error', function (r) { return r.error || r.reason; }, { wrap: true }),
      col('breaks', 'Breaks', function (r) { return store.breaks.get(r.pkgname) || 0; }, { num: true }),
      col('maintainer', 'Maintainer', function (r) { return r.maintainer; }, FIXED),
      col('host', 'Host', function (r) { return r.host; }),
      col('at', 'When', function (r) { return r.endedAt; }, { num: true, cell: function (r) { return fmtTime(r.endedAt); } }),
      col('duration', 'Took', function (r) { return r.durationS; }, { num: true, cell: function (r) { return fmtDur(r.durationS); } }),
      col('log', 'Log', function (r) { return r.log; }, { cell: function (r) { return logLink(r.log); } }),
    ] });
  if (shown('indirect')) renderTable({ id: 'indirect', rows: function () { return Array.from(store.indirect); }, version: v.indirect,
    members: v.indirectMembers, joined: store.indirectLog, member: function (r) { return isIndirect(r.status); }, note: 'indirect-note',
    defaultSort: { key: 'pkgpath', dir: 'ascending' },
    columns: [
      col('pkgpath', 'Pkgpath', function (r) { return r.pkgpath; }, FIXED),
      col('pkgname', 'Pkgname', function (r) { return r.pkgname; }, FIXED),
      col('status', 'Status', function (r) { return r.status; }, { cell: function (r) { return statusCell(r.status); } }),
      col('blockedBy', 'Root cause', function (r) { return r.blockedBy.join(' '); }, { wrap: true }),
      col('maintainer', 'Maintainer', function (r) { return r.maintainer; }, FIXED),
    ] });
  if (shown('packages')) renderTable({ id: 'packages', rows: store.pkgLog, version: v.packages, members: store.pkgLog.length, joined: store.pkgLog, note: 'packages-note',
    defaultSort: { key: 'pkgpath', dir: 'ascending' }, filterKey: state.statusFilter,
    filter: state.statusFilter ? function (r) { return r.status === state.statusFilter || (state.statusFilter === 'indirect' && isIndirect(r.status)); } : null,
    columns: [
      col('pkgpath', 'Pkgpath', function (r) { return r.pkgpath; }, FIXED),
      col('pkgname', 'Pkgname', function (r) { return r.pkgname; }, FIXED),
      col('status', 'Status', function (r) { return r.status; }, { cell: function (r) { return statusCell(r.status); } }),
      col('host', 'Host', function (r) { return r.host; }),
      col('start', 'Started', function (r) { return r.startedAt; }, { num: true, cell: function (r) { return fmtTime(r.startedAt); } }),
      col('duration', 'Took', function (r) { return r.durationS; }, { num: true, cell: function (r) { return fmtDur(r.durationS); } }),
      col('size', 'Log size', function (r) { return r.logBytes; }, { num: true, cell: function (r) { return fmtBytes(r.logBytes); } }),
      col('why', 'Why', whyOf, { wrap: true }),
      col('maintainer', 'Maintainer', function (r) { return r.maintainer; }, FIXED),
      col('log', 'Log', function (r) { return r.log; }, { cell: function (r) { return logLink(r.log); } }),
    ] });
}
`;
