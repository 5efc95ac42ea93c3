// Folds the RunEvent stream into what the views show. One instance per
// view source: the live reporters feed it as events arrive, `kiln status`
// and `kiln serve` feed it from the run's event log. `view(now)` takes a
// snapshot; nothing here reads a clock.

import type { HostState, Job } from '../core/engine-events.js';
import type { PkgName, Status } from '../core/model.js';
import type { PackageInfo, RunEvent, RunEventSink } from '../core/run-events.js';
import { unreachable } from '../core/unreachable.js';
import { estimateRemaining } from './run-view-eta.js';
import type {
  BarOutcome, Counts, FailureRow, HostView, IndirectRow, MessageRow, PackageRow, RunResult, RunView,
  RunningJob, ScanView, TimelineBar, UtilisationPoint,
} from './run-view.js';

export interface RunViewOptions {
  /** Seconds without log growth after which a job shows as stuck. */
  readonly stuckAfterS?: number;
  /** How many warnings and errors the view keeps. */
  readonly keepMessages?: number;
  /** The run directory, when known before run-started says it: log paths are shown relative to it. */
  readonly logdir?: string;
}

interface PackageRecord {
  info: PackageInfo;
  status: Status;
  phase: string | undefined;
  error: string | undefined;
  reason: string | undefined;
  blockedBy: readonly PkgName[];
  host: string | undefined;
  startedAt: number | undefined;
  durationS: number | undefined;
  endedAt: number | undefined;
  log: string | undefined;
  logBytes: number | undefined;
}

interface RunningRecord {
  job: Job;
  expectedS: number;
  lastLogBytes: number | undefined;
  phase: string;
  logBytes: number;
  progressAt: number | undefined;
  idleS: number;
  bar: number;
}

interface HostRecord {
  state: HostState;
  reason: string | undefined;
  slots: number;
}

type MutableBar = { -readonly [K in keyof TimelineBar]: TimelineBar[K] };

const FINAL_RESULTS = new Set<RunResult>(['complete', 'stopped', 'interrupted']);

export class RunViewState implements RunEventSink {
  private readonly stuckAfterS: number;
  private readonly keepMessages: number;
  private run = '';
  private tree = '';
  private logdir = '';
  private resumed = false;
  private startedAt: number | undefined;
  private finishedAt: number | undefined;
  private result: RunResult = 'running';
  private scan: ScanView | undefined;
  private resolved = false;
  private lastAt = 0;
  private readonly packages = new Map<PkgName, PackageRecord>();
  private readonly running = new Map<number, RunningRecord>();
  private readonly hosts = new Map<string, HostRecord>();
  private readonly bars: MutableBar[] = [];
  private readonly utilisation: UtilisationPoint[] = [];
  private readonly messages: MessageRow[] = [];

  constructor(options: RunViewOptions = {}) {
    this.stuckAfterS = options.stuckAfterS ?? 60;
    this.keepMessages = options.keepMessages ?? 100;
    this.logdir = options.logdir ?? '';
  }

  /** Time of the latest event seen. */
  get latest(): number {
    return this.lastAt;
  }

  get finished(): boolean {
    return FINAL_RESULTS.has(this.result);
  }

  emit(event: RunEvent): void {
    const at = event.type === 'status' ? event.change.at : event.at;
    if (at > this.lastAt) this.lastAt = at;
    switch (event.type) {
      case 'run-started':
        this.run = event.run; this.tree = event.tree; this.resumed = event.resumed;
        if (this.logdir === '') this.logdir = event.logdir;
        this.startedAt ??= event.at;
        this.result = 'running';
        this.finishedAt = undefined;
        break;
      case 'scan-progress':
        this.scan = { scanned: event.scanned, total: event.total, cached: event.cached, errors: event.errors };
        break;
      case 'resolved':
        for (const info of event.entries) {
          const known = this.packages.get(info.pkgname);
          if (known) known.info = info;
          else this.packages.set(info.pkgname, blankRecord(info));
        }
        this.resolved = true;
        break;
      case 'status': this.status(event.change); break;
      case 'job-started': this.jobStarted(event.at, event.job, event.expectedS, event.lastLogBytes); break;
      case 'job-phase': {
        const running = this.running.get(event.job);
        if (running) running.phase = event.phase;
        break;
      }
      case 'job-progress': {
        const running = this.running.get(event.job);
        if (running) { running.logBytes = event.logBytes; running.idleS = event.idleS; running.progressAt = event.at; }
        break;
      }
      case 'job-ended': this.jobEnded(event); break;
      case 'host': this.host(event.at, event.host, event.state, event.reason, event.slots); break;
      case 'message':
        this.messages.push({ at: event.at, level: event.level, text: event.text });
        if (this.messages.length > this.keepMessages) this.messages.splice(0, this.messages.length - this.keepMessages);
        break;
      case 'run-finished':
        this.finishedAt = event.at;
        this.result = event.result;
        for (const id of [...this.running.keys()]) this.endJob(id, event.at, 'lost', `run ${event.result}`);
        break;
      default: unreachable(event);
    }
  }

  private record(pkgname: PkgName, pkgpath = ''): PackageRecord {
    let record = this.packages.get(pkgname);
    if (!record) {
      record = blankRecord({ pkgname, pkgpath, maintainer: '', comment: '', categories: '', depends: [], expectedS: 0 });
      this.packages.set(pkgname, record);
    } else if (record.info.pkgpath === '' && pkgpath !== '') {
      record.info = { ...record.info, pkgpath };
    }
    return record;
  }

  private status(change: Extract<RunEvent, { type: 'status' }>['change']): void {
    this.resolved = true; // the engine gives statuses only once the packages are resolved
    const record = this.record(change.pkgname);
    record.status = change.status;
    const failed = change.status === 'failed' || change.status === 'prefailed';
    record.phase = failed ? change.phase : undefined;
    record.error = failed ? change.error : undefined;
    record.reason = change.reason;
    record.blockedBy = change.status.startsWith('indirect') ? [...change.blockedBy ?? []].sort() : [];
    // A job's package open again: the job was lost (its host went, or infrastructure failed).
    if (change.status === 'open' && change.job !== undefined && this.running.has(change.job)) {
      this.endJob(change.job, change.at, 'lost', change.reason);
    }
    if (failed && change.job === undefined) record.endedAt ??= change.at;
  }

  private jobStarted(at: number, job: Job, expectedS: number, lastLogBytes: number | undefined): void {
    const record = this.record(job.pkgname, job.pkgpath);
    record.host = job.host;
    record.startedAt = job.startedAt;
    this.bars.push({
      job: job.id, pkgname: job.pkgname, pkgpath: job.pkgpath, host: job.host, slot: job.slot,
      start: job.startedAt, end: job.startedAt, outcome: 'running', detail: undefined,
    });
    this.running.set(job.id, {
      job, expectedS, lastLogBytes, phase: 'start', logBytes: 0, progressAt: undefined, idleS: 0, bar: this.bars.length - 1,
    });
    const host = this.hosts.get(job.host);
    if (!host) this.hosts.set(job.host, { state: 'up', reason: undefined, slots: job.slot + 1 });
    else if (host.slots <= job.slot) host.slots = job.slot + 1;
    this.sample(at);
  }

  private jobEnded(event: Extract<RunEvent, { type: 'job-ended' }>): void {
    if (!this.running.has(event.job.id)) return; // lost before it ended: the engine ignores it too
    const record = this.record(event.job.pkgname, event.job.pkgpath);
    const outcome = event.outcome;
    record.host = event.job.host;
    record.endedAt = event.at;
    switch (outcome.kind) {
      case 'built':
        record.durationS = event.durationS; record.log = this.relative(event.log); record.logBytes = event.logBytes;
        this.endJob(event.job.id, event.at, 'built', undefined);
        break;
      case 'failed':
        record.durationS = event.durationS; record.log = this.relative(event.log); record.logBytes = event.logBytes;
        this.endJob(event.job.id, event.at, 'failed', outcome.error);
        break;
      case 'infrastructure':
        this.endJob(event.job.id, event.at, 'lost', outcome.reason);
        break;
      default: unreachable(outcome);
    }
  }

  private endJob(id: number, at: number, outcome: BarOutcome, detail: string | undefined): void {
    const running = this.running.get(id);
    if (!running) return;
    this.running.delete(id);
    const bar = this.bars[running.bar]!;
    bar.end = Math.max(at, bar.start);
    bar.outcome = outcome;
    bar.detail = detail;
    this.sample(at);
  }

  private host(at: number, name: string, state: HostState, reason: string | undefined, slots: number | undefined): void {
    const known = this.hosts.get(name);
    const record: HostRecord = known ?? { state, reason, slots: slots ?? 0 };
    record.state = state;
    record.reason = reason;
    if (slots !== undefined) record.slots = slots;
    this.hosts.set(name, record);
    if (state === 'down') {
      for (const [id, running] of [...this.running]) {
        if (running.job.host === name) this.endJob(id, at, 'lost', `host ${name} lost${reason === undefined ? '' : `: ${reason}`}`);
      }
    }
    this.sample(at);
  }

  private sample(at: number): void {
    let slots = 0;
    for (const host of this.hosts.values()) if (host.state !== 'down') slots += host.slots;
    const point: UtilisationPoint = { at, busy: this.running.size, slots: Math.max(slots, this.running.size) };
    const last = this.utilisation.at(-1);
    if (last && last.at === at) this.utilisation[this.utilisation.length - 1] = point;
    else this.utilisation.push(point);
  }

  /** A log path as the run directory's files name it: relative to it. */
  private relative(log: string): string {
    const dir = this.logdir.endsWith('/') ? this.logdir : `${this.logdir}/`;
    return this.logdir !== '' && log.startsWith(dir) ? log.slice(dir.length) : log;
  }

  /** A snapshot at `now`; `packages: false` leaves out the list of every package. */
  view(now: number, options: { readonly packages?: boolean } = {}): RunView {
    const at = this.finishedAt ?? Math.max(now, this.lastAt);
    const breaks = this.breaks();
    const running = [...this.running.values()].map((r) => this.runningJob(r, at))
      .sort((a, b) => a.host.localeCompare(b.host) || a.slot - b.slot);
    const busy = new Map<string, number>();
    for (const r of running) busy.set(r.host, (busy.get(r.host) ?? 0) + 1);
    const hosts: HostView[] = [...this.hosts].map(([name, h]) => ({ name, state: h.state, reason: h.reason, slots: h.slots, busy: busy.get(name) ?? 0 }));
    const counts = this.counts();
    const upSlots = hosts.filter((h) => h.state === 'up').reduce((n, h) => n + h.slots, 0);
    const eta = this.resolved && !this.finished
      ? estimateRemaining(this.packages.values(), running, upSlots, (name) => this.packages.get(name)?.status)
      : undefined;
    return {
      run: this.run, tree: this.tree, logdir: this.logdir, resumed: this.resumed,
      startedAt: this.startedAt, finishedAt: this.finishedAt, result: this.result, now: at,
      scan: this.scan, resolved: this.resolved, counts, running, hosts,
      timeline: this.bars.map((b) => (b.outcome === 'running' ? { ...b, end: Math.max(at, b.start) } : { ...b })),
      utilisation: [...this.utilisation],
      failures: this.failures(breaks),
      indirect: this.indirect(),
      packages: options.packages === false ? [] : [...this.packages.values()].map((r) => packageRow(r, breaks.get(r.info.pkgname) ?? 0)),
      eta: eta === undefined ? undefined : { remainingS: eta, at: at + eta },
      messages: [...this.messages],
    };
  }

  private runningJob(r: RunningRecord, now: number): RunningJob {
    const idleS = r.progressAt === undefined ? Math.max(0, now - r.job.startedAt) : r.idleS + Math.max(0, now - r.progressAt);
    return {
      job: r.job.id, pkgname: r.job.pkgname, pkgpath: r.job.pkgpath, host: r.job.host, slot: r.job.slot,
      attempt: r.job.attempt, makeJobs: r.job.makeJobs, phase: r.phase, startedAt: r.job.startedAt,
      elapsedS: Math.max(0, now - r.job.startedAt), expectedS: r.expectedS, logBytes: r.logBytes, lastLogBytes: r.lastLogBytes,
      logPercent: r.lastLogBytes ? Math.round((r.logBytes / r.lastLogBytes) * 100) : undefined,
      idleS, stuck: idleS >= this.stuckAfterS,
    };
  }

  /** How many packages name each root cause in their blocked_by. */
  private breaks(): Map<PkgName, number> {
    const breaks = new Map<PkgName, number>();
    for (const r of this.packages.values()) {
      for (const root of r.blockedBy) breaks.set(root, (breaks.get(root) ?? 0) + 1);
    }
    return breaks;
  }

  private counts(): Counts {
    const byStatus: Record<Status, number> = {
      open: 0, building: 0, done: 0, failed: 0, prefailed: 0, 'indirect-failed': 0, 'indirect-prefailed': 0, 'up-to-date': 0,
    };
    let queued = 0;
    for (const r of this.packages.values()) {
      byStatus[r.status]++;
      if (r.status === 'open' && r.info.depends.every((d) => isBuilt(this.packages.get(d)?.status))) queued++;
    }
    return { total: this.packages.size, byStatus, queued, waiting: byStatus.open - queued };
  }

  private failures(breaks: Map<PkgName, number>): FailureRow[] {
    const rows: FailureRow[] = [];
    for (const r of this.packages.values()) {
      if (r.status !== 'failed' && r.status !== 'prefailed') continue;
      rows.push({
        pkgname: r.info.pkgname, pkgpath: r.info.pkgpath, status: r.status, phase: r.phase, error: r.error, reason: r.reason,
        breaks: breaks.get(r.info.pkgname) ?? 0, maintainer: r.info.maintainer, host: r.host, log: r.log,
        at: r.endedAt, durationS: r.durationS,
      });
    }
    return rows.sort((a, b) => b.breaks - a.breaks || a.pkgpath.localeCompare(b.pkgpath) || a.pkgname.localeCompare(b.pkgname));
  }

  private indirect(): IndirectRow[] {
    const rows: IndirectRow[] = [];
    for (const r of this.packages.values()) {
      if (r.status !== 'indirect-failed' && r.status !== 'indirect-prefailed') continue;
      rows.push({ pkgname: r.info.pkgname, pkgpath: r.info.pkgpath, status: r.status, blockedBy: r.blockedBy, maintainer: r.info.maintainer });
    }
    return rows.sort((a, b) => a.pkgpath.localeCompare(b.pkgpath) || a.pkgname.localeCompare(b.pkgname));
  }
}

function blankRecord(info: PackageInfo): PackageRecord {
  return {
    info, status: 'open', phase: undefined, error: undefined, reason: undefined, blockedBy: [], host: undefined,
    startedAt: undefined, durationS: undefined, endedAt: undefined, log: undefined, logBytes: undefined,
  };
}

function packageRow(r: PackageRecord, breaks: number): PackageRow {
  return {
    pkgname: r.info.pkgname, pkgpath: r.info.pkgpath, status: r.status, maintainer: r.info.maintainer, comment: r.info.comment,
    phase: r.phase, error: r.error, reason: r.reason, blockedBy: r.blockedBy, breaks, host: r.host,
    startedAt: r.startedAt, durationS: r.durationS, log: r.log, logBytes: r.logBytes,
  };
}

/** Built this run or before: what a dependent needs. A dependency outside the run counts as built. */
export function isBuilt(status: Status | undefined): boolean {
  return status === undefined || status === 'done' || status === 'up-to-date';
}
