// The page's script, part 2: the page's own copy of the run, kept by
// applying the server's updates (page-wire.ts); a snapshot (an update from
// revision 0) starts it afresh. Failures, indirect failures and how many
// packages each failure breaks are worked out here from the packages, as
// their statuses change, so the server never sends those tables.

export const SCRIPT_STORE = String.raw`
var WIRE_FORMAT = 2;
var store = newStore();
function newStore() {
  return {
    epoch: '', rev: 0, head: null, counts: null, hosts: [], keepMessages: 100, behind: 0,
    pkgs: [], bars: [], rows: new Map(), rowList: [], running: new Map(), capacity: [], messages: [],
    breaks: new Map(), failed: new Set(), indirect: new Set(), t0: null,
    // Append-only: every package in the order it came, and each that joined the failed or indirect set (a table takes what it has not seen).
    pkgLog: [], failedLog: [], indirectLog: [],
    versions: { packages: 0, failures: 0, failedMembers: 0, indirect: 0, indirectMembers: 0, bars: 0, rows: 0, messages: 0 },
  };
}
function isFailed(status) { return status === 'failed' || status === 'prefailed'; }
function isIndirect(status) { return status === 'indirect-failed' || status === 'indirect-prefailed'; }
function nz(v) { return v === undefined ? null : v; }
function addBreaks(roots, by) {
  if (!roots) return;
  roots.forEach(function (root) {
    var n = (store.breaks.get(root) || 0) + by;
    if (n > 0) store.breaks.set(root, n); else store.breaks.delete(root);
    var failed = packageNamed(root);
    if (failed) failed.ver++;
  });
  if (roots.length > 0) store.versions.failures++;
}
function packageNamed(name) {
  if (!store.byName) { store.byName = new Map(); store.pkgs.forEach(function (p) { if (p) store.byName.set(p.pkgname, p); }); }
  return store.byName.get(name);
}
// Sets a package's changing part from row t, starting at column o: status, phase, error, reason, blockedBy, host, startedAt, durationS, log, logBytes, endedAt, waiting.
function setStatus(p, t, o) {
  var wasFailed = isFailed(p.status); var wasIndirect = isIndirect(p.status);
  addBreaks(p.blockedBy, -1);
  p.status = t[o]; p.phase = nz(t[o + 1]); p.error = nz(t[o + 2]); p.reason = nz(t[o + 3]); p.blockedBy = t[o + 4] || [];
  p.host = nz(t[o + 5]); p.startedAt = nz(t[o + 6]); p.durationS = nz(t[o + 7]); p.log = nz(t[o + 8]); p.logBytes = nz(t[o + 9]); p.endedAt = nz(t[o + 10]); p.waiting = nz(t[o + 11]);
  p.ver++;
  addBreaks(p.blockedBy, 1);
  var failed = isFailed(p.status); var indirect = isIndirect(p.status);
  if (failed !== wasFailed) { if (failed) { store.failed.add(p); store.failedLog.push(p); } else store.failed.delete(p); store.versions.failedMembers++; }
  if (indirect !== wasIndirect) { if (indirect) { store.indirect.add(p); store.indirectLog.push(p); } else store.indirect.delete(p); store.versions.indirectMembers++; }
  if (failed || wasFailed) store.versions.failures++;
  if (indirect || wasIndirect) store.versions.indirect++;
  store.versions.packages++;
}
function rowOf(host, slot) {
  var key = host + '\u0000' + slot;
  var row = store.rows.get(key);
  if (!row) {
    row = { host: host, slot: slot, label: host + ':' + slot, bars: [], sorted: true };
    store.rows.set(key, row);
    store.versions.rows++;
  }
  return row;
}
function applyBar(t) {
  var b = store.bars[t[0]];
  if (!b) {
    b = { i: t[0], job: t[1], pkg: t[2], host: t[3], slot: t[4], start: t[5] };
    store.bars[b.i] = b;
    var row = rowOf(b.host, b.slot);
    var last = row.bars[row.bars.length - 1];
    if (last && last.start > b.start) row.sorted = false;
    row.bars.push(b);
    if (store.t0 === null || b.start < store.t0) store.t0 = b.start;
  }
  b.end = nz(t[6]); b.outcome = t[7]; b.detail = nz(t[8]);
  store.versions.bars++;
}
function applyUpdate(u) {
  if (u.format !== WIRE_FORMAT) throw new Error('this page knows update format ' + WIRE_FORMAT + ', the server sent ' + u.format + ': reload the page');
  if (u.from === 0) {
    store = newStore();
    // Every table starts afresh: its rows were the old copy's.
    Object.keys(state.tables).forEach(function (id) { var t = state.tables[id]; t.key = null; t.sorted = null; t.shown = []; t.seen = 0; });
  }
  store.epoch = u.epoch; store.rev = u.to; store.behind = u.behind;
  store.head = u.head; store.counts = u.counts; store.hosts = u.hosts; store.keepMessages = u.keepMessages; store.fetches = u.fetches;
  u.hosts.forEach(function (h) { for (var s = 0; s < h.slots; s++) rowOf(h.name, s); });
  u.packages.forEach(function (t) {
    var p = store.pkgs[t[0]];
    if (!p) {
      p = { i: t[0], status: 'open', blockedBy: [], ver: 0 };
      store.pkgs[p.i] = p;
      store.pkgLog.push(p);
      store.versions.failedMembers++; store.versions.indirectMembers++;
    } else if (store.byName) store.byName.delete(p.pkgname);
    p.pkgname = t[1]; p.pkgpath = t[2]; p.maintainer = t[3];
    if (store.byName) store.byName.set(p.pkgname, p);
    setStatus(p, t, 4);
  });
  u.statuses.forEach(function (t) { var p = store.pkgs[t[0]]; if (p) setStatus(p, t, 1); });
  u.bars.forEach(applyBar);
  u.running.forEach(function (t) {
    store.running.set(t[0], {
      job: t[0], bar: t[1], pkg: t[2], host: t[3], slot: t[4], startedAt: t[5], attempt: t[6], makeJobs: t[7], phase: t[8],
      expectedS: t[9], logBytes: nz(t[10]) || 0, lastLogBytes: nz(t[11]), idleS: nz(t[12]) || 0, progressAt: nz(t[13]),
      stuckAfterS: nz(t[14]),
    });
  });
  var live = new Set(u.runningJobs);
  store.running.forEach(function (r, job) { if (!live.has(job)) store.running.delete(job); });
  u.capacity.forEach(function (c) { store.capacity[c[0]] = { at: c[1], slots: c[2] }; });
  if (u.messages.length > 0) {
    var last = store.messages.length > 0 ? store.messages[store.messages.length - 1].seq : 0;
    u.messages.forEach(function (m) { if (m[0] > last) store.messages.push({ seq: m[0], at: m[1], level: m[2], text: m[3] }); });
    if (store.messages.length > store.keepMessages) store.messages.splice(0, store.messages.length - store.keepMessages);
    store.versions.messages++;
  }
}
function pkgOf(i) { return store.pkgs[i] || { pkgname: '', pkgpath: '', maintainer: '' }; }
// What the running table shows of a job: elapsed and idle time from the update's now.
function runningRows() {
  var now = store.head.now; var stuckAfter = store.head.stuckAfterS; var rows = [];
  store.running.forEach(function (r) {
    var p = pkgOf(r.pkg);
    var idle = r.progressAt === null ? Math.max(0, now - r.startedAt) : r.idleS + Math.max(0, now - r.progressAt);
    rows.push({
      job: r.job, pkgname: p.pkgname, pkgpath: p.pkgpath, host: r.host, slot: r.slot, phase: r.phase, startedAt: r.startedAt,
      elapsedS: Math.max(0, now - r.startedAt), expectedS: r.expectedS, logBytes: r.logBytes,
      logPercent: r.lastLogBytes ? Math.round((r.logBytes / r.lastLogBytes) * 100) : null, idleS: idle, stuck: idle >= (r.stuckAfterS === null ? stuckAfter : r.stuckAfterS),
    });
  });
  return rows;
}
`;
