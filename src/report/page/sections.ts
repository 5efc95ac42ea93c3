// What each section shows: the header and counters, the hosts, and the
// tables (running jobs, failures, packages depending on failures, every
// package), each fed from the page's copy.

import type { Counts } from '../view/run-view.js';
import type { WireHead, WireHost } from '../view/page-wire.js';
import { isFailed, isIndirect, runningRows, store, type Pkg, type RunningRow } from './store.js';
import { renderTable, type CellValue, type Column } from './tables.js';
import { byId, clear, type Content, el, logLink, maybeById, repaint, state, statusCell } from './dom.js';
import { fmtBytes, fmtDur, fmtTime } from './format.js';

export function setQuery(q: string): void {
  state.query = q;
  const box = maybeById<HTMLInputElement>('search');
  if (box) box.value = q;
  repaint.all();
}

function counter(cls: string, label: string, n: number, title?: string): HTMLDivElement {
  const div = el('div', `counter ${cls}`); div.setAttribute('data-count', label);
  if (title) div.setAttribute('title', title);
  div.appendChild(el('b', null, n)); div.appendChild(document.createTextNode(label)); return div;
}

export function renderHeader(h: WireHead): void {
  byId('run').textContent = h.run ? `run ${h.run}` : '';
  const badge = byId('result'); badge.textContent = h.result; badge.className = `badge ${h.result}`;
  const parts: string[] = [];
  if (h.tree) parts.push(h.tree);
  if (h.startedAt) parts.push(`started ${fmtTime(h.startedAt)}`);
  if (h.finishedAt) parts.push(`ended ${fmtTime(h.finishedAt)}`);
  if (h.startedAt) parts.push(`elapsed ${fmtDur((h.finishedAt || h.now) - h.startedAt)}`);
  if (h.eta) parts.push(`ETA ${fmtTime(h.eta.at)} (in ${fmtDur(h.eta.remainingS)}${h.eta.basis ? `, ${h.eta.basis}` : ''})`);
  byId('times').textContent = parts.join(' \u00b7 ');
  byId('behind').textContent = store.behind > 0 ? `catching up: ${store.behind} changes to come` : '';
  document.title = `kiln ${h.run || ''} ${h.result}`;
}

export function renderCounters(h: WireHead, c: Counts): void {
  const s = c.byStatus; const box = byId('counters'); clear(box);
  box.appendChild(counter('done', 'built', s.done));
  box.appendChild(counter('done', 'up to date', s['up-to-date']));
  box.appendChild(counter('running', 'running', s.building));
  box.appendChild(counter('', 'queued', c.queued, 'ready, waiting for a slot'));
  box.appendChild(counter('', 'waiting', c.waiting, 'waiting for dependencies'));
  box.appendChild(counter('failed', 'failed', s.failed));
  box.appendChild(counter('prefailed', 'prefailed', s.prefailed));
  box.appendChild(counter('indirect', 'indirect', s['indirect-failed'] + s['indirect-prefailed'], 'depending on a failed or prefailed package'));
  box.appendChild(counter('', 'total', c.total));
  const bar = byId('bar'); clear(bar);
  const total = Math.max(1, c.total);
  ([[s.done + s['up-to-date'], '#2e7d32'], [s.failed, '#c62828'], [s.prefailed, '#6d4c41'],
    [s['indirect-failed'] + s['indirect-prefailed'], '#ef6c00'], [s.building, '#1565c0']] as const).forEach(([n, colour]) => {
    const span = el('span'); span.style.width = `${(100 * n) / total}%`; span.style.background = colour; bar.appendChild(span);
  });
  const scan = byId('scan');
  scan.textContent = h.scan && !h.resolved ? `scanning: ${h.scan.scanned} of ${h.scan.total} ports (${h.scan.cached} cached, ${h.scan.errors} errors)`
    : (h.scan ? `scanned ${h.scan.scanned} ports (${h.scan.cached} cached, ${h.scan.errors} errors)` : '');
}

export function renderHosts(hosts: readonly WireHost[]): void {
  const box = byId('hosts'); clear(box);
  if (hosts.length === 0) box.appendChild(el('span', 'note', 'no host yet'));
  hosts.forEach((h) => {
    const load = h.load && h.state === 'up' ? ` load ${h.load.loadPerCore.toFixed(2)}` : '';
    const text = `${h.name} ${h.state} ${h.busy}/${h.slots}${h.speed !== 1 ? ` sf=${h.speed}` : ''}${h.class ? ` [${h.class}]` : ''}${h.where ? ` [${h.where}]` : ''}${load}${h.reason ? ` (${h.reason})` : ''}${h.checked ? ` {${h.checked}}` : ''}`;
    box.appendChild(el('span', `host ${h.state}`, text));
  });
  // The fetch jobs, under the running builds: a line per distfile coming, then what the run fetched.
  const f = store.fetches, list = byId('fetches'); clear(list);
  if (!f) return;
  for (const r of f.running) list.appendChild(el('li', 'fetch', `fetch ${r.name} from ${r.site}: ${fmtBytes(r.bytes)} of ${fmtBytes(r.size)}, ${fmtBytes(Math.round(r.rate))}/s`));
  if (f.fetched + f.failed > 0) list.appendChild(el('li', 'fetched', `fetched ${f.fetched} files, ${fmtBytes(f.bytes)} in ${fmtDur(f.seconds)}${f.failed ? ` (${f.failed} failed)` : ''}`));
}

export function renderMessages(): void {
  const list = byId('messages');
  if (list.getAttribute('data-version') === String(store.versions.messages)) return;
  list.setAttribute('data-version', String(store.versions.messages));
  clear(list);
  store.messages.forEach((m) => { list.appendChild(el('li', m.level, `${fmtTime(m.at)} ${m.text}`)); });
}

type Extra<R> = Partial<Omit<Column<R>, 'key' | 'label' | 'value'>>;

function col<R>(key: string, label: string, value: (row: R) => CellValue, extra?: Extra<R>): Column<R> {
  return { key, label, value, ...extra };
}

const FIXED = { fixed: true };

export function watchTables(): void {
  const seen = new IntersectionObserver((entries) => {
    let appeared = false;
    entries.forEach((e) => {
      const id = e.target.getAttribute('data-table')!;
      if (e.isIntersecting && state.hidden[id]) appeared = true;
      state.hidden[id] = !e.isIntersecting;
    });
    if (appeared) repaint.all();
  }, { rootMargin: '400px 0px' });
  ['failures', 'indirect', 'packages'].forEach((id) => {
    const section = byId(id).closest('section')!;
    section.setAttribute('data-table', id);
    seen.observe(section);
  });
}

function whyOf(r: Pkg): string {
  return r.error || r.reason || (r.blockedBy.length ? `blocked by ${r.blockedBy.join(' ')}` : '') || r.waiting || '';
}

const timeCell = (at: (r: Pkg) => number | null) => (r: Pkg): Content => fmtTime(at(r));
const durCell = (r: Pkg): Content => fmtDur(r.durationS);
const logCell = (r: Pkg): Content => logLink(r.log);
const statusOf = (r: Pkg): Content => statusCell(r.status);

/** The long tables are worked out only while on screen (or nearly): off screen, an update costs them nothing. */
export function renderTables(h: WireHead): void {
  const v = store.versions;
  const shown = (id: string): boolean => !state.hidden[id];
  renderTable<RunningRow>({ id: 'running', rows: runningRows(h), version: `${store.rev}:${h.now}`, defaultSort: { key: 'slot', dir: 'ascending' },
    rowVersion: (r) => `${r.phase}${r.elapsedS}${r.logBytes}${r.stuck}`,
    rowClass: (r) => (r.stuck ? 'stuck' : null),
    columns: [
      col('slot', 'Slot', (r) => `${r.host}:${r.slot}`),
      col('pkgpath', 'Pkgpath', (r) => r.pkgpath),
      col('pkgname', 'Pkgname', (r) => r.pkgname),
      col('phase', 'Phase', (r) => r.phase),
      col('start', 'Started', (r) => r.startedAt, { num: true, cell: (r) => fmtTime(r.startedAt) }),
      col('elapsed', 'Elapsed', (r) => r.elapsedS, { num: true, cell: (r) => fmtDur(r.elapsedS) }),
      col('expected', 'Expected', (r) => r.expectedS, { num: true, cell: (r) => fmtDur(r.expectedS) }),
      col('log', 'Log vs last', (r) => r.logPercent, { num: true, cell: (r) => (r.logPercent === null ? fmtBytes(r.logBytes) : `${r.logPercent}%`) }),
      col('idle', 'Unchanged', (r) => r.idleS, { num: true, cell: (r) => (r.stuck ? `for ${fmtDur(r.idleS)}` : '') }),
    ] });
  if (shown('failures')) renderTable<Pkg>({ id: 'failures', rows: () => Array.from(store.failed), version: v.failures,
    members: v.failedMembers, joined: store.failedLog, member: (r) => isFailed(r.status), note: 'failures-note',
    defaultSort: { key: 'breaks', dir: 'descending' },
    columns: [
      col('pkgpath', 'Pkgpath', (r) => r.pkgpath, FIXED),
      col('pkgname', 'Pkgname', (r) => r.pkgname, FIXED),
      col('status', 'Status', (r) => r.status, { cell: statusOf }),
      col('phase', 'Phase', (r) => r.phase),
      col('error', 'Error', (r) => r.error || r.reason, { wrap: true }),
      col('breaks', 'Breaks', (r) => store.breaks.get(r.pkgname) || 0, { num: true }),
      col('maintainer', 'Maintainer', (r) => r.maintainer, FIXED),
      col('host', 'Host', (r) => r.host),
      col('at', 'When', (r) => r.endedAt, { num: true, cell: timeCell((r) => r.endedAt) }),
      col('duration', 'Took', (r) => r.durationS, { num: true, cell: durCell }),
      col('log', 'Log', (r) => r.log, { cell: logCell }),
    ] });
  if (shown('indirect')) renderTable<Pkg>({ id: 'indirect', rows: () => Array.from(store.indirect), version: v.indirect,
    members: v.indirectMembers, joined: store.indirectLog, member: (r) => isIndirect(r.status), note: 'indirect-note',
    defaultSort: { key: 'pkgpath', dir: 'ascending' },
    columns: [
      col('pkgpath', 'Pkgpath', (r) => r.pkgpath, FIXED),
      col('pkgname', 'Pkgname', (r) => r.pkgname, FIXED),
      col('status', 'Status', (r) => r.status, { cell: statusOf }),
      col('blockedBy', 'Root cause', (r) => r.blockedBy.join(' '), { wrap: true }),
      col('maintainer', 'Maintainer', (r) => r.maintainer, FIXED),
    ] });
  const statusFilter = state.statusFilter;
  if (shown('packages')) renderTable<Pkg>({ id: 'packages', rows: store.pkgLog, version: v.packages, members: store.pkgLog.length, joined: store.pkgLog,
    note: 'packages-note', defaultSort: { key: 'pkgpath', dir: 'ascending' }, filterKey: statusFilter,
    filter: statusFilter ? (r) => r.status === statusFilter || (statusFilter === 'indirect' && isIndirect(r.status)) : null,
    columns: [
      col('pkgpath', 'Pkgpath', (r) => r.pkgpath, FIXED),
      col('pkgname', 'Pkgname', (r) => r.pkgname, FIXED),
      col('status', 'Status', (r) => r.status, { cell: statusOf }),
      col('host', 'Host', (r) => r.host),
      col('start', 'Started', (r) => r.startedAt, { num: true, cell: timeCell((r) => r.startedAt) }),
      col('duration', 'Took', (r) => r.durationS, { num: true, cell: durCell }),
      col('size', 'Log size', (r) => r.logBytes, { num: true, cell: (r) => fmtBytes(r.logBytes) }),
      col('why', 'Why', whyOf, { wrap: true }),
      col('maintainer', 'Maintainer', (r) => r.maintainer, FIXED),
      col('log', 'Log', (r) => r.log, { cell: logCell }),
    ] });
}
