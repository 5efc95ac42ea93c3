// The page's own copy of the run, kept by applying the server's updates
// (view/page-wire.ts); a snapshot (an update from revision 0) starts it
// afresh. Failures, indirect failures and how many packages each failure
// breaks are worked out here from the packages, as their statuses change,
// so the server never sends those tables.

import type { FetchesView } from '../view/run-view-fetches.js';
import type { PkgName, Status } from '../../core/model.js';
import type { Counts } from '../view/run-view.js';
import { WIRE_FORMAT, type WireBar, type WireHead, type WireHost, type WireStatusPart, type WireUpdate } from '../view/page-wire.js';
import { forgetRows } from './tables.js';

export interface Pkg {
  readonly i: number;
  pkgname: PkgName;
  pkgpath: string;
  maintainer: string;
  status: Status;
  phase: string | null;
  error: string | null;
  reason: string | null;
  blockedBy: readonly PkgName[];
  host: string | null;
  startedAt: number | null;
  durationS: number | null;
  log: string | null;
  logBytes: number | null;
  endedAt: number | null;
  waiting: string | null;
  /** Bumped on every change, so a table redraws only the rows that changed. */
  ver: number;
}

export interface Bar {
  readonly i: number;
  readonly job: number;
  readonly pkg: number;
  readonly host: string;
  readonly slot: number;
  readonly start: number;
  end: number | null;
  outcome: WireBar[7];
  detail: string | null;
}

/** A slot's row of the timeline. */
export interface SlotRow {
  readonly host: string;
  readonly slot: number;
  readonly label: string;
  readonly bars: Bar[];
  sorted: boolean;
}

export interface Running {
  readonly job: number;
  readonly bar: number;
  readonly pkg: number;
  readonly host: string;
  readonly slot: number;
  readonly startedAt: number;
  readonly attempt: number;
  readonly makeJobs: number;
  readonly phase: string;
  readonly expectedS: number;
  readonly logBytes: number;
  readonly lastLogBytes: number | null;
  readonly idleS: number;
  readonly progressAt: number | null;
  readonly stuckAfterS: number | null;
}

export interface Message {
  readonly seq: number;
  readonly at: number;
  readonly level: string;
  readonly text: string;
}

export type Versions = Record<'packages' | 'failures' | 'failedMembers' | 'indirect' | 'indirectMembers' | 'bars' | 'rows' | 'messages', number>;

function newStore() {
  return {
    epoch: '', rev: 0, head: null as WireHead | null, counts: null as Counts | null, hosts: [] as readonly WireHost[], keepMessages: 100, behind: 0, fetches: null as FetchesView | null,
    pkgs: [] as (Pkg | undefined)[], bars: [] as (Bar | undefined)[], rows: new Map<string, SlotRow>(),
    rowList: [] as SlotRow[], rowListVersion: -1, running: new Map<number, Running>(),
    capacity: [] as ({ at: number; slots: number } | undefined)[], messages: [] as Message[],
    breaks: new Map<PkgName, number>(), failed: new Set<Pkg>(), indirect: new Set<Pkg>(), t0: null as number | null,
    byName: undefined as Map<PkgName, Pkg> | undefined,
    // Append-only: every package in the order it came, and each that joined the failed or indirect set (a table takes what it has not seen).
    pkgLog: [] as Pkg[], failedLog: [] as Pkg[], indirectLog: [] as Pkg[],
    versions: { packages: 0, failures: 0, failedMembers: 0, indirect: 0, indirectMembers: 0, bars: 0, rows: 0, messages: 0 },
  };
}

export type Store = ReturnType<typeof newStore>;

export let store: Store = newStore();

export function isFailed(status: Status): boolean { return status === 'failed' || status === 'prefailed'; }
export function isIndirect(status: Status): boolean { return status === 'indirect-failed' || status === 'indirect-prefailed'; }
const nz = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function addBreaks(roots: readonly PkgName[], by: number): void {
  roots.forEach((root) => {
    const n = (store.breaks.get(root) ?? 0) + by;
    if (n > 0) store.breaks.set(root, n); else store.breaks.delete(root);
    const failed = packageNamed(root);
    if (failed) failed.ver++;
  });
  if (roots.length > 0) store.versions.failures++;
}

function packageNamed(name: PkgName): Pkg | undefined {
  if (!store.byName) {
    const byName = new Map<PkgName, Pkg>();
    store.pkgs.forEach((p) => { if (p) byName.set(p.pkgname, p); });
    store.byName = byName;
  }
  return store.byName.get(name);
}

/** Sets a package's changing part. */
function setStatus(p: Pkg, t: WireStatusPart): void {
  const wasFailed = isFailed(p.status); const wasIndirect = isIndirect(p.status);
  addBreaks(p.blockedBy, -1);
  p.status = t[0]; p.phase = nz(t[1]); p.error = nz(t[2]); p.reason = nz(t[3]); p.blockedBy = t[4] || [];
  p.host = nz(t[5]); p.startedAt = nz(t[6]); p.durationS = nz(t[7]); p.log = nz(t[8]); p.logBytes = nz(t[9]); p.endedAt = nz(t[10]); p.waiting = nz(t[11]);
  p.ver++;
  addBreaks(p.blockedBy, 1);
  const failed = isFailed(p.status); const indirect = isIndirect(p.status);
  if (failed !== wasFailed) { if (failed) { store.failed.add(p); store.failedLog.push(p); } else store.failed.delete(p); store.versions.failedMembers++; }
  if (indirect !== wasIndirect) { if (indirect) { store.indirect.add(p); store.indirectLog.push(p); } else store.indirect.delete(p); store.versions.indirectMembers++; }
  if (failed || wasFailed) store.versions.failures++;
  if (indirect || wasIndirect) store.versions.indirect++;
  store.versions.packages++;
}

function rowOf(host: string, slot: number): SlotRow {
  const key = `${host}\u0000${slot}`;
  let row = store.rows.get(key);
  if (!row) {
    row = { host, slot, label: `${host}:${slot}`, bars: [], sorted: true };
    store.rows.set(key, row);
    store.versions.rows++;
  }
  return row;
}

function applyBar(t: WireBar): void {
  let b = store.bars[t[0]];
  if (!b) {
    b = { i: t[0], job: t[1], pkg: t[2], host: t[3], slot: t[4], start: t[5], end: null, outcome: t[7], detail: null };
    store.bars[b.i] = b;
    const row = rowOf(b.host, b.slot);
    const last = row.bars[row.bars.length - 1];
    if (last && last.start > b.start) row.sorted = false;
    row.bars.push(b);
    if (store.t0 === null || b.start < store.t0) store.t0 = b.start;
  }
  b.end = t[6]; b.outcome = t[7]; b.detail = nz(t[8]);
  store.versions.bars++;
}

export function applyUpdate(u: WireUpdate): void {
  if (u.format !== WIRE_FORMAT) throw new Error(`this page knows update format ${WIRE_FORMAT}, the server sent ${u.format}: reload the page`);
  if (u.from === 0) {
    store = newStore();
    forgetRows();
  }
  store.epoch = u.epoch; store.rev = u.to; store.behind = u.behind;
  store.head = u.head; store.counts = u.counts; store.hosts = u.hosts; store.keepMessages = u.keepMessages; store.fetches = u.fetches;
  u.hosts.forEach((h) => { for (let s = 0; s < h.slots; s++) rowOf(h.name, s); });
  u.packages.forEach((t) => {
    let p = store.pkgs[t[0]];
    if (!p) {
      p = {
        i: t[0], pkgname: t[1], pkgpath: t[2], maintainer: t[3], status: 'open', phase: null, error: null, reason: null, blockedBy: [],
        host: null, startedAt: null, durationS: null, log: null, logBytes: null, endedAt: null, waiting: null, ver: 0,
      };
      store.pkgs[p.i] = p;
      store.pkgLog.push(p);
      store.versions.failedMembers++; store.versions.indirectMembers++;
    } else if (store.byName) store.byName.delete(p.pkgname);
    p.pkgname = t[1]; p.pkgpath = t[2]; p.maintainer = t[3];
    if (store.byName) store.byName.set(p.pkgname, p);
    const [, , , , ...status] = t;
    setStatus(p, status);
  });
  u.statuses.forEach((t) => { const p = store.pkgs[t[0]]; const [, ...status] = t; if (p) setStatus(p, status); });
  u.bars.forEach(applyBar);
  u.running.forEach((t) => {
    store.running.set(t[0], {
      job: t[0], bar: t[1], pkg: t[2], host: t[3], slot: t[4], startedAt: t[5], attempt: t[6], makeJobs: t[7], phase: t[8],
      expectedS: t[9], logBytes: nz(t[10]) || 0, lastLogBytes: nz(t[11]), idleS: nz(t[12]) || 0, progressAt: nz(t[13]),
      stuckAfterS: nz(t[14]),
    });
  });
  const live = new Set(u.runningJobs);
  store.running.forEach((_, job) => { if (!live.has(job)) store.running.delete(job); });
  u.capacity.forEach((c) => { store.capacity[c[0]] = { at: c[1], slots: c[2] }; });
  if (u.messages.length > 0) {
    const last = store.messages.length > 0 ? store.messages[store.messages.length - 1]!.seq : 0;
    u.messages.forEach((m) => { if (m[0] > last) store.messages.push({ seq: m[0], at: m[1], level: m[2], text: m[3] }); });
    if (store.messages.length > store.keepMessages) store.messages.splice(0, store.messages.length - store.keepMessages);
    store.versions.messages++;
  }
}

export function pkgOf(i: number): Pick<Pkg, 'pkgname' | 'pkgpath' | 'maintainer'> {
  return store.pkgs[i] ?? { pkgname: '', pkgpath: '', maintainer: '' };
}

export interface RunningRow {
  readonly job: number;
  readonly pkgname: string;
  readonly pkgpath: string;
  readonly host: string;
  readonly slot: number;
  readonly phase: string;
  readonly startedAt: number;
  readonly elapsedS: number;
  readonly expectedS: number;
  readonly logBytes: number;
  readonly logPercent: number | null;
  readonly idleS: number;
  readonly stuck: boolean;
}

/** What the running table shows of a job: elapsed and idle time from the update's now. */
export function runningRows(head: WireHead): RunningRow[] {
  const now = head.now; const stuckAfter = head.stuckAfterS; const rows: RunningRow[] = [];
  store.running.forEach((r) => {
    const p = pkgOf(r.pkg);
    const idle = r.progressAt === null ? Math.max(0, now - r.startedAt) : r.idleS + Math.max(0, now - r.progressAt);
    rows.push({
      job: r.job, pkgname: p.pkgname, pkgpath: p.pkgpath, host: r.host, slot: r.slot, phase: r.phase, startedAt: r.startedAt,
      elapsedS: Math.max(0, now - r.startedAt), expectedS: r.expectedS, logBytes: r.logBytes,
      logPercent: r.lastLogBytes ? Math.round((r.logBytes / r.lastLogBytes) * 100) : null, idleS: idle,
      stuck: idle >= (r.stuckAfterS === null ? stuckAfter : r.stuckAfterS),
    });
  });
  return rows;
}
