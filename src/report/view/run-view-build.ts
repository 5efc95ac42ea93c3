// A RunView from the folded state: the whole run as plain data at one
// moment, for the report files, the terminal, hooks and `/api/view`. The
// views that run every second (the terminal) ask for `tables: false` and
// get the counters, hosts and running jobs without copying every bar and
// package; the page's own updates do not go through here (page-delta.ts).

import type { HostRecord, PackageRecord, RunningRecord } from './run-view-records.js';
import { packageRow } from './run-view-records.js';
import type { RunViewState } from './run-view-state.js';
import type { FailureRow, HostView, IndirectRow, RunView, RunningJob, TimelineBar } from './run-view.js';

export interface ViewOptions {
  /** False: no list of every package. */
  readonly packages?: boolean;
  /** False: no timeline, utilisation, failures, indirect failures or packages. */
  readonly tables?: boolean;
}

/** A host as every view shows it (the terminal, kiln status, the page): `busy` of its slots running a job. */
export function hostView(name: string, h: HostRecord, busy: number): HostView {
  return {
    name, state: h.state, reason: h.reason, slots: h.slots, busy, load: h.load, ...(h.class !== undefined && { class: h.class }),
    ...(h.where !== undefined && { where: h.where }), ...(h.checked !== undefined && { checked: h.checked }),
  };
}

export function buildView(state: RunViewState, now: number, options: ViewOptions = {}): RunView {
  const head = state.head;
  const at = head.finishedAt ?? Math.max(now, state.latest);
  const running = [...state.running.values()].map((r) => runningJob(r, state, at))
    .sort((a, b) => a.host.localeCompare(b.host) || a.slot - b.slot);
  const busy = new Map<string, number>();
  for (const r of running) busy.set(r.host, (busy.get(r.host) ?? 0) + 1);
  const hosts = [...state.hosts].map(([name, h]) => hostView(name, h, busy.get(name) ?? 0));
  state.refreshEta(at);
  const eta = state.remainingS(at);
  const tables = options.tables !== false;
  return {
    run: head.run, tree: head.tree, logdir: head.logdir, resumed: head.resumed, ...(head.arch !== undefined && { arch: head.arch }),
    startedAt: head.startedAt, finishedAt: head.finishedAt, result: head.result, now: at,
    scan: head.scan, resolved: head.resolved, counts: state.counts(), running, hosts,
    timeline: tables ? state.bars.map((b): TimelineBar => {
      const pkg = state.packages[b.pkg]!.info;
      return {
        job: b.job, pkgname: pkg.pkgname, pkgpath: pkg.pkgpath, host: b.host, slot: b.slot, start: b.start,
        end: b.end ?? Math.max(at, b.start), outcome: b.outcome, detail: b.detail,
      };
    }) : [],
    utilisation: tables ? [...state.utilisation] : [],
    failures: tables ? failures(state) : [],
    indirect: tables ? indirect(state.packages) : [],
    packages: !tables || options.packages === false ? [] : state.packages.map((r) => packageRow(r, state.breaks.get(r.info.pkgname) ?? 0)),
    eta: eta === undefined ? undefined : { remainingS: eta, at: at + eta, basis: state.etaBasis ?? 'from history' },
    messages: state.messages.map((m) => ({ at: m.at, level: m.level, text: m.text })),
    spaceShort: state.spaceShort,
    fetches: state.fetches.view(at),
  };
}

function runningJob(r: RunningRecord, state: RunViewState, now: number): RunningJob {
  const idleS = r.progressAt === undefined ? Math.max(0, now - r.job.startedAt) : r.idleS + Math.max(0, now - r.progressAt);
  return {
    job: r.job.id, pkgname: r.job.pkgname, pkgpath: r.job.pkgpath, host: r.job.host, slot: r.job.slot,
    attempt: r.job.attempt, makeJobs: r.job.makeJobs, phase: r.phase, startedAt: r.job.startedAt,
    elapsedS: Math.max(0, now - r.job.startedAt), expectedS: r.expectedS, logBytes: r.logBytes, lastLogBytes: r.lastLogBytes,
    logPercent: r.lastLogBytes ? Math.round((r.logBytes / r.lastLogBytes) * 100) : undefined,
    idleS, stuck: idleS >= (r.stuckAfterS ?? state.stuckAfterS),
  };
}

/** The failure row of one package, if it failed. */
export function failureRow(r: PackageRecord, breaks: number): FailureRow | undefined {
  if (r.status !== 'failed' && r.status !== 'prefailed') return undefined;
  return {
    pkgname: r.info.pkgname, pkgpath: r.info.pkgpath, status: r.status, phase: r.phase, error: r.error, reason: r.reason,
    breaks, maintainer: r.info.maintainer, host: r.host, log: r.log, at: r.endedAt, durationS: r.durationS,
  };
}

function failures(state: RunViewState): FailureRow[] {
  const rows: FailureRow[] = [];
  for (const r of state.packages) {
    const row = failureRow(r, state.breaks.get(r.info.pkgname) ?? 0);
    if (row) rows.push(row);
  }
  return rows.sort((a, b) => b.breaks - a.breaks || a.pkgpath.localeCompare(b.pkgpath) || a.pkgname.localeCompare(b.pkgname));
}

function indirect(packages: readonly PackageRecord[]): IndirectRow[] {
  const rows: IndirectRow[] = [];
  for (const r of packages) {
    if (r.status !== 'indirect-failed' && r.status !== 'indirect-prefailed') continue;
    rows.push({ pkgname: r.info.pkgname, pkgpath: r.info.pkgpath, status: r.status, blockedBy: r.blockedBy, maintainer: r.info.maintainer });
  }
  return rows.sort((a, b) => a.pkgpath.localeCompare(b.pkgpath) || a.pkgname.localeCompare(b.pkgname));
}
