// Folds the RunEvent stream into what the views show. One instance per
// view source: the live reporters feed it as events arrive, `kiln status`
// and `kiln serve` feed it from the run's event log. Every change advances
// `rev` and is stamped on the record it changed, so the page's updates send
// only what changed (page-delta.ts); `view(now)` takes a whole snapshot
// (run-view-build.ts). The jobs, their bars and the hosts are kept by
// run-view-timeline.ts, the ETA by run-view-eta-cache.ts. Nothing here
// reads a clock.

import type { PkgName, Status } from '../../core/model.js';
import type { LeftOutPort, PackageInfo, RunEvent, RunEventSink } from '../../core/run-events.js';
import { unreachable } from '../../core/unreachable.js';
import { buildView, type ViewOptions } from './run-view-build.js';
import { StatusCounts } from './run-view-counts.js';
import { EtaCache } from './run-view-eta-cache.js';
import { FetchBook } from './run-view-fetches.js';
import { PackageGraph } from './run-view-graph.js';
import {
  blankRecord, type BarRecord, type CapacityPoint, type HostRecord, type MessageRecord, type PackageRecord, type RunningRecord,
} from './run-view-records.js';
import { Timeline } from './run-view-timeline.js';
import type { Counts, RunResult, RunView, ScanView, UtilisationPoint } from './run-view.js';
import { ViewJournal } from './view-journal.js';

export interface RunViewOptions {
  /** Seconds without log growth after which a job shows as stuck. */
  readonly stuckAfterS?: number;
  /** How many warnings and errors the view keeps. */
  readonly keepMessages?: number;
  /** The run directory, when known before run-started says it: log paths are shown relative to it. */
  readonly logdir?: string;
}

/** What the views show of the run as a whole. */
export interface RunHead {
  run: string;
  tree: string;
  logdir: string;
  resumed: boolean;
  arch?: string;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  result: RunResult;
  scan: ScanView | undefined;
  resolved: boolean;
}

const FINAL_RESULTS = new Set<RunResult>(['complete', 'stopped', 'interrupted', 'no-host']);
const isLeft = (status: Status): boolean => status === 'open' || status === 'building';

export class RunViewState implements RunEventSink {
  readonly stuckAfterS: number;
  readonly keepMessages: number;
  private readonly runHead: RunHead;
  private lastAt = 0;
  private revision = 0;
  private messageSeq = 0;
  private readonly pkgs: PackageRecord[] = [];
  private readonly byName = new Map<PkgName, PackageRecord>();
  private readonly timeline = new Timeline({
    bump: () => this.bump(),
    noteBar: (bar) => this.journal.note('bar', bar.index, bar.rev, this.records()),
  });
  private readonly messageRecords: MessageRecord[] = [];
  private readonly leftOutPaths = new Set<string>(); // ports left out for their PKGNAME: rows of their own, not found by it
  private readonly shortOfSpace = new Map<string, string>();
  private readonly breakCounts = new Map<PkgName, number>();
  private readonly statusCounts = new StatusCounts();
  private readonly fetchBook = new FetchBook();
  private graph: PackageGraph | undefined;
  /** Each package's status and expected seconds by index: what the ETA's pass reads, kept beside the records for speed. */
  private readonly statusList: Status[] = [];
  private readonly expectedList: number[] = [];
  private readonly guessedList: boolean[] = [];
  private readonly eta = new EtaCache({
    graph: () => this.currentGraph(), statuses: this.statusList, expected: this.expectedList, guessed: this.guessedList,
    running: this.timeline.running, hosts: this.timeline.hosts,
  });
  readonly journal = new ViewJournal((kind, index) => {
    switch (kind) {
      case 'bar': return this.timeline.bars[index]?.rev;
      case 'package': return this.pkgs[index]?.rev;
      case 'static': return this.pkgs[index]?.staticRev;
      default: return unreachable(kind);
    }
  });

  constructor(options: RunViewOptions = {}) {
    this.stuckAfterS = options.stuckAfterS ?? 60;
    this.keepMessages = options.keepMessages ?? 100;
    this.runHead = {
      run: '', tree: '', logdir: options.logdir ?? '', resumed: false, startedAt: undefined, finishedAt: undefined,
      result: 'running', scan: undefined, resolved: false,
    };
  }

  /** Time of the latest event seen. */
  get latest(): number { return this.lastAt; }
  /** Grows with every event and every record it changes. */
  get rev(): number { return this.revision; }
  get finished(): boolean { return FINAL_RESULTS.has(this.runHead.result); }
  get head(): Readonly<RunHead> { return this.runHead; }
  get packages(): readonly PackageRecord[] { return this.pkgs; }
  get bars(): readonly BarRecord[] { return this.timeline.bars; }
  get running(): ReadonlyMap<number, RunningRecord> { return this.timeline.running; }
  get hosts(): ReadonlyMap<string, HostRecord> { return this.timeline.hosts; }
  get utilisation(): readonly UtilisationPoint[] { return this.timeline.utilisation; }
  get capacity(): readonly CapacityPoint[] { return this.timeline.capacity; }
  get messages(): readonly MessageRecord[] { return this.messageRecords; }
  /** Why no job starts: the directories short of space, with what is missing. */
  get spaceShort(): readonly string[] { return [...this.shortOfSpace.values()]; }
  /** The fetch jobs (run-view-fetches.ts). */
  get fetches(): FetchBook { return this.fetchBook; }
  /** How many packages name each root cause in their blocked_by. */
  get breaks(): ReadonlyMap<PkgName, number> { return this.breakCounts; }

  packageNamed(pkgname: PkgName): PackageRecord | undefined {
    return this.byName.get(pkgname);
  }

  /** Why each open package has not started, as `why` says it; the others say nothing. */
  noteWaiting(why: (record: PackageRecord) => string | undefined): void {
    for (const record of this.pkgs) {
      const text = record.status === 'open' ? why(record) : undefined;
      if (text !== record.waiting) { record.waiting = text; this.touch(record); }
    }
  }

  emit(event: RunEvent): void {
    const at = event.type === 'status' ? event.change.at : event.at;
    if (at > this.lastAt) this.lastAt = at;
    this.bump();
    const head = this.runHead;
    switch (event.type) {
      case 'run-started':
        head.run = event.run; head.tree = event.tree; head.resumed = event.resumed;
        if (event.arch !== undefined) head.arch = event.arch;
        if (head.logdir === '') head.logdir = event.logdir;
        head.startedAt ??= event.at;
        head.result = 'running';
        head.finishedAt = undefined;
        this.fetchBook.forgetRunning();
        break;
      case 'scan-progress':
        head.scan = { scanned: event.scanned, total: event.total, cached: event.cached, errors: event.errors };
        break;
      case 'resolved':
        for (const info of event.entries) {
          const known = this.byName.get(info.pkgname);
          if (known) {
            known.info = info; this.expectedList[known.index] = info.expectedS; this.guessedList[known.index] = info.guessed === true; this.touch(known, true); this.graph = undefined;
          } else this.add(info);
        }
        for (const port of event.leftOut ?? []) this.leftOut(port);
        head.resolved = true;
        this.currentGraph(); // index the graph now, not in the first view that needs it
        break;
      case 'status': this.status(event.change); break;
      case 'job-started': this.jobStarted(event); break;
      case 'job-phase': this.timeline.phase(event, this.revision); break;
      case 'job-progress': this.timeline.progress(event, this.revision); break;
      case 'job-ended': this.jobEnded(event); break;
      case 'host':
        this.eta.changed(this.revision); // the ETA's slots changed
        this.timeline.host(event);
        break;
      case 'host-load': {
        const host = this.timeline.hosts.get(event.host);
        if (host) host.load = event.load;
        break;
      }
      case 'fetch-started': case 'fetch-progress': case 'fetch-ended':
        for (const port of this.fetchBook.emit(event)) this.fetched(port);
        break;
      case 'message': this.message(event.at, event.level, event.text); break;
      case 'space':
        if (event.short) this.shortOfSpace.set(event.where, event.reason);
        else this.shortOfSpace.delete(event.where);
        this.message(event.at, 'warning', event.reason);
        break;
      case 'run-finished':
        head.finishedAt = event.at;
        head.result = event.result;
        this.timeline.endAll(event.at, `run ${event.result}`);
        this.fetchBook.forgetRunning();
        break;
      default: unreachable(event);
    }
  }

  private message(at: number, level: MessageRecord['level'], text: string): void {
    this.messageRecords.push({ at, level, text, seq: ++this.messageSeq, rev: this.revision });
    if (this.messageRecords.length > this.keepMessages) this.messageRecords.splice(0, this.messageRecords.length - this.keepMessages);
  }

  private bump(): number {
    return ++this.revision;
  }

  /** How many records the journal's entries can name: each package twice (its row, its static part) and each bar. */
  private records(): number {
    return 2 * this.pkgs.length + this.timeline.bars.length;
  }

  private touch(record: PackageRecord, staticChanged = false): void {
    if (staticChanged) {
      record.staticRev = this.bump();
      this.journal.note('static', record.index, record.staticRev, this.records());
    }
    record.rev = this.bump();
    this.journal.note('package', record.index, record.rev, this.records());
  }

  private add(info: PackageInfo, named = true): PackageRecord {
    const record = blankRecord(info, this.pkgs.length, this.bump());
    record.fetch = this.fetchBook.ofPackage(info.pkgname); // fetched before the package was resolved (a resumed run's replay)
    this.pkgs.push(record);
    this.statusList.push(record.status);
    this.expectedList.push(info.expectedS);
    this.guessedList.push(info.guessed === true);
    if (named) this.byName.set(info.pkgname, record);
    this.statusCounts.added(record.status);
    this.graph = undefined;
    this.journal.note('static', record.index, record.staticRev, this.records());
    return record;
  }

  /** A port the run does not build, as a prefailed row with its reason; statuses for its pkgname go to the port that kept it. */
  private leftOut({ pkgname, pkgpath, maintainer, reason }: LeftOutPort): void {
    if (this.leftOutPaths.has(pkgpath)) return;
    this.leftOutPaths.add(pkgpath);
    const record = this.add({ pkgname, pkgpath, maintainer, comment: '', categories: '', depends: [], expectedS: 0 }, false);
    record.reason = reason; // a new row: the page gets it whole, status and reason with it
    this.setStatus(record, 'prefailed');
  }

  private record(pkgname: PkgName, pkgpath = ''): PackageRecord {
    const record = this.byName.get(pkgname);
    if (!record) return this.add({ pkgname, pkgpath, maintainer: '', comment: '', categories: '', depends: [], expectedS: 0 });
    if (record.info.pkgpath === '' && pkgpath !== '') { record.info = { ...record.info, pkgpath }; this.touch(record, true); }
    return record;
  }

  private setStatus(record: PackageRecord, status: Status): void {
    const before = record.status;
    record.status = status;
    this.statusList[record.index] = status;
    if (before !== status) this.eta.changed(this.revision);
    if (!isLeft(before) && isLeft(status)) this.eta.forgetOrder(); // back in the queue (retried): walk the whole graph again
    this.statusCounts.changed(record.index, before, status, (i) => this.statusList[i]!);
  }

  private setBlockedBy(record: PackageRecord, roots: readonly PkgName[]): void {
    for (const root of record.blockedBy) {
      const n = (this.breakCounts.get(root) ?? 1) - 1;
      if (n === 0) this.breakCounts.delete(root); else this.breakCounts.set(root, n);
    }
    record.blockedBy = roots;
    for (const root of roots) this.breakCounts.set(root, (this.breakCounts.get(root) ?? 0) + 1);
  }

  private status(change: Extract<RunEvent, { type: 'status' }>['change']): void {
    this.runHead.resolved = true; // the engine gives statuses only once the packages are resolved
    const record = this.record(change.pkgname);
    this.setStatus(record, change.status);
    const failed = change.status === 'failed' || change.status === 'prefailed';
    record.phase = failed ? change.phase : undefined;
    record.error = failed ? change.error : undefined;
    record.reason = change.reason;
    this.setBlockedBy(record, change.status.startsWith('indirect') ? [...change.blockedBy ?? []].sort() : []);
    // A job's package open again: the job was lost (its host went, or infrastructure failed).
    if (change.status === 'open' && change.job !== undefined) this.timeline.reopen(change.job, change.at, change.reason);
    if (failed && change.job === undefined) {
      record.endedAt ??= change.at;
      // A failure that stands from an earlier run: its log and host are that run's.
      if (change.log !== undefined) record.log = this.relative(change.log);
      if (change.host !== undefined) record.host = change.host;
    }
    this.touch(record);
  }

  /** A package's distfiles came (or one could not be had): its row shows what fetching took. */
  private fetched(pkgname: PkgName): void {
    const record = this.byName.get(pkgname);
    if (!record) return;
    record.fetch = this.fetchBook.ofPackage(pkgname);
    this.touch(record);
  }

  private jobStarted(event: Extract<RunEvent, { type: 'job-started' }>): void {
    const record = this.record(event.job.pkgname, event.job.pkgpath);
    record.host = event.job.host;
    record.allocation = this.timeline.hosts.get(event.job.host)?.where;
    record.startedAt = event.job.startedAt;
    this.touch(record);
    this.timeline.started(event, record.index);
  }

  private jobEnded(event: Extract<RunEvent, { type: 'job-ended' }>): void {
    if (!this.timeline.running.has(event.job.id)) return; // lost before it ended: the engine ignores it too
    const record = this.record(event.job.pkgname, event.job.pkgpath);
    const outcome = event.outcome;
    record.host = event.job.host;
    record.endedAt = event.at;
    switch (outcome.kind) {
      case 'built':
      case 'failed':
        record.durationS = event.durationS; record.log = this.relative(event.log); record.logBytes = event.logBytes;
        if (outcome.kind === 'built' && this.guessedList[record.index] === true) {
          this.eta.built(event.durationS * (this.timeline.hosts.get(event.job.host)?.speed ?? 1), this.expectedList[record.index] ?? 0);
        }
        this.timeline.end(event.job.id, event.at, outcome.kind, outcome.kind === 'failed' ? outcome.error : undefined);
        break;
      case 'infrastructure':
        this.timeline.end(event.job.id, event.at, 'lost', outcome.reason);
        break;
      default: unreachable(outcome);
    }
    this.touch(record);
  }

  /** A log path as the run directory's files name it: relative to it. */
  private relative(log: string): string {
    const logdir = this.runHead.logdir;
    const dir = logdir.endsWith('/') ? logdir : `${logdir}/`;
    return logdir !== '' && log.startsWith(dir) ? log.slice(dir.length) : log;
  }

  private currentGraph(): PackageGraph {
    if (!this.graph) {
      this.eta.forgetOrder();
      this.graph = new PackageGraph(this.pkgs.map((r) => ({ index: r.index, pkgname: r.info.pkgname, depends: r.info.depends })));
      this.statusCounts.rebuild(this.graph, (i) => this.statusList[i]!);
    }
    return this.graph;
  }

  counts(): Counts {
    if (!this.statusCounts.current) this.currentGraph();
    return this.statusCounts.counts();
  }

  /** What the last ETA was worked out from ("from history", "from this run", ...). */
  get etaBasis(): string | undefined {
    return this.eta.basis;
  }

  /**
   * Seconds the run has left at `now`, or undefined (not resolved, finished,
   * or nothing can run), as of the last `refreshEta`: the expected end stays
   * and the seconds left count down to it. Worked out here only the first time.
   */
  remainingS(now: number): number | undefined {
    return !this.runHead.resolved || this.finished ? undefined : this.eta.remainingS(now);
  }

  /**
   * Works the ETA out again if statuses or hosts changed and 5 seconds have
   * passed since the last time, or a minute has (run-view-eta-cache.ts).
   * Returns whether it did.
   */
  refreshEta(now: number, force = false): boolean {
    return this.runHead.resolved && !this.finished && this.eta.refresh(now, force);
  }

  /** A snapshot at `now`; `packages: false` leaves out the list of every package, `tables: false` every list but running and hosts. */
  view(now: number, options: ViewOptions = {}): RunView {
    return buildView(this, now, options);
  }
}
