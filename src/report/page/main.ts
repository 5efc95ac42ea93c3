// The page's script, part 7: how the page gets its data and when it draws.
// report.html embeds a snapshot. The live page fetches one (api/snapshot),
// then follows the server's updates (api/events, from the revision it has);
// the browser reconnects by itself and names the last revision it got, and
// a page the server cannot bring up to date (too far behind, or another
// server) loads a snapshot afresh. Each update is applied, then drawn once.

export const SCRIPT_MAIN = String.raw`
function render() {
  if (!store.head) return;
  drawCharts();
  renderHeader(store.head); renderCounters(store.head, store.counts); renderHosts(store.hosts);
  timed('kiln-tables', renderTables);
  renderMessages();
}
function connection(text) {
  var note = byId('connection');
  note.textContent = text; note.hidden = text === '';
}
function live() {
  state.live = true;
  var source = null;
  var loading = false;
  function load() {
    if (loading) return;
    loading = true;
    if (source) { source.close(); source = null; }
    var t0 = performance.now();
    fetch('api/snapshot').then(function (r) {
      if (!r.ok) throw new Error('the server answered ' + r.status);
      return r.json();
    }).then(function (snapshot) {
      timed('kiln-apply-snapshot', function () { applyUpdate(snapshot); });
      timed('kiln-render', render);
      try { performance.measure('kiln-load', { start: t0, end: performance.now() }); } catch (e) { /* a help only */ }
      loading = false;
      connection('');
      follow();
    }, function (err) {
      loading = false;
      connection('cannot reach the server (' + err.message + '); trying again');
      setTimeout(load, 3000);
    });
  }
  function follow() {
    source = new EventSource('api/events?since=' + encodeURIComponent(store.epoch + '.' + store.rev));
    source.addEventListener('update', function (e) {
      var t0 = performance.now();
      // Until the next frame is on screen: the update's script, then the browser's style, layout and paint.
      requestAnimationFrame(function () {
        setTimeout(function () { try { performance.measure('kiln-update-painted', { start: t0, end: performance.now() }); } catch (err) { /* a help only */ } }, 0);
      });
      timed('kiln-update', function () {
        var update = JSON.parse(e.data);
        if (update.epoch !== store.epoch || update.from !== store.rev) { load(); return; }
        applyUpdate(update);
        render();
      });
    });
    source.addEventListener('reset', function () { load(); });
    source.addEventListener('open', function () { connection(''); });
    source.addEventListener('error', function () {
      if (source && source.readyState === EventSource.CLOSED) { connection('disconnected; trying again'); setTimeout(load, 3000); return; }
      connection('reconnecting');
    });
  }
  load();
}
function start() {
  var search = byId('search');
  search.addEventListener('input', function () { state.query = search.value.trim(); render(); });
  var filter = byId('status-filter');
  filter.addEventListener('change', function () { state.statusFilter = filter.value; render(); });
  // The charts' width, read when the layout changes rather than while drawing (reading it there would lay the page out again).
  new ResizeObserver(function (entries) {
    var width = Math.round(entries[0].contentRect.width);
    if (width === tl.boxWidth) return;
    tl.boxWidth = width;
    if (store.head) drawCharts();
  }).observe(byId('timeline'));
  timelineControls();
  watchTables();
  var embedded = byId('kiln-data');
  if (!embedded) { live(); return; }
  timed('kiln-apply-snapshot', function () { applyUpdate(JSON.parse(embedded.textContent)); });
  timed('kiln-render', render);
}
start();
`;
