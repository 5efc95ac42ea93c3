// The engine: a deterministic state machine. It takes one event at a time
// and returns the commands that follow from it; it does no I/O and reads no
// clock (times come in the events). A real build and `kiln simulate` feed the
// same engine. Build states are named sets, as in dpb: open (waiting or
// ready), building, and the final states of model.ts. Hosts and their
// slots, cores and load limits live in engine-hosts.ts; the choice of what
// starts where, in engine-dispatch.ts.

import { dispatchRound, type DispatchContext, type Upcoming } from './engine-dispatch.js';
import type { EngineCommand, EngineEvent, HostState, Job, StatusChange } from './engine-events.js';
import { HostPool, type HostRecord } from './engine-hosts.js';
import { BuildGraph } from './graph.js';
import { tails } from './graph-paths.js';
import { IdHeap } from './heap.js';
import type { Estimate, HostSpec, JobOutcome, Phase, PkgName, PkgPath, Status } from './model.js';
import { memoryAdmission } from './policies/admission-memory.js';
import { adaptiveConcurrency } from './policies/concurrency-adaptive.js';
import type {
  AdmissionPolicy, ConcurrencyPolicy, MakeJobsPolicy, PlacementPolicy, PriorityContext, PriorityPolicy,
} from './policies/policy.js';
import { wallAt } from './speedup.js';
import { unreachable } from './unreachable.js';

/** Where a package starts this run. */
export type InitialState =
  | { readonly status: 'open' }
  | { readonly status: 'done' }
  | { readonly status: 'up-to-date' }
  | { readonly status: 'prefailed'; readonly reason: string }
  | { readonly status: 'failed'; readonly phase: Phase; readonly error: string };

/** One package of the run, as the engine is given it. */
export interface PlanEntry {
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  readonly deps: readonly PkgName[];
  readonly initial: InitialState;
  readonly estimate: Estimate;
  readonly makeJobsSafe: boolean;
}

export interface EngineConfig {
  readonly priority: PriorityPolicy;
  readonly placement: PlacementPolicy;
  readonly makeJobs: MakeJobsPolicy;
  /** Attempts a job gets when infrastructure fails under it (host loss does not count). */
  readonly maxAttempts: number;
  /** How a measured load limits a host. Default: adaptiveConcurrency(). */
  readonly concurrency?: ConcurrencyPolicy;
  /** Whether a job may start beside what runs on a host. Default: memoryAdmission(). */
  readonly admission?: AdmissionPolicy;
  /** Expected seconds of a job on a host of speed 1 with `makeJobs` make jobs. Default: the speedup model. */
  readonly expect?: PriorityContext['expect'];
}

interface FailureDetail {
  reason?: string;
  phase?: Phase;
  error?: string;
}

export interface EngineCounts {
  readonly total: number;
  readonly byStatus: Readonly<Record<Status, number>>;
  /** Open packages whose dependencies are all built. */
  readonly ready: number;
}

export class Engine {
  readonly graph: BuildGraph;
  readonly priority: Float64Array;
  private readonly plan: readonly PlanEntry[];
  private readonly config: EngineConfig;
  private readonly expect: PriorityContext['expect'];
  private readonly estimates: Estimate[];
  private readonly status: Status[];
  private readonly detail: (FailureDetail | undefined)[];
  private readonly blockedBy: (Set<number> | undefined)[];
  private readonly pending: Int32Array;
  private readonly attempts: Int32Array;
  private readonly ready: IdHeap;
  private readonly pathBusy = new Map<PkgPath, number>();
  private readonly pathWaiting = new Map<PkgPath, number[]>();
  private readonly hosts = new HostPool();
  private readonly jobs = new Map<number, Job>();
  private readonly counts: Record<Status, number> = {
    open: 0, building: 0, done: 0, failed: 0, prefailed: 0,
    'indirect-failed': 0, 'indirect-prefailed': 0, 'up-to-date': 0,
  };
  private readonly dispatcher: DispatchContext;
  private tail: Float64Array;
  private duration: Float64Array;
  private plannedMakeJobs: Int32Array | undefined;
  /** Jobs the core plan gives several make jobs, highest priority first. */
  private wideJobs: number[] = [];
  /** The running job of each package being built. */
  private readonly jobOfNode = new Map<number, number>();
  /** The capacity the core plan was made for, as `cores/largest`. */
  private plannedFor = '';
  private openWork = 0;
  private openCoreWork = 0;
  private nextJob = 1;
  private drainedAll = false;
  /** Hosts drained on their own (a stop-<host> file), known or not yet. */
  private readonly drainedHosts = new Set<string>();
  private began = false;
  private ended = false;

  constructor(plan: readonly PlanEntry[], config: EngineConfig, nextJobId = 1) {
    this.plan = plan;
    this.config = config;
    this.expect = config.expect ?? wallAt;
    this.graph = BuildGraph.from(plan);
    this.estimates = plan.map((p) => p.estimate);
    this.priority = config.priority.priorities(this.graph, this.estimates, { expect: this.expect });
    this.duration = Float64Array.from(this.estimates, (e) => e.wallS);
    this.tail = tails(this.graph, (id) => this.duration[id]!);
    const n = plan.length;
    this.status = new Array<Status>(n).fill('open');
    this.detail = new Array<FailureDetail | undefined>(n);
    this.blockedBy = new Array<Set<number> | undefined>(n);
    this.pending = new Int32Array(n);
    this.attempts = new Int32Array(n);
    this.ready = new IdHeap(this.priority);
    this.counts.open = n;
    for (let id = 0; id < n; id++) {
      this.openWork += this.duration[id]!;
      this.openCoreWork += this.coreWork(id);
    }
    this.nextJob = nextJobId;
    this.dispatcher = this.dispatchContext(config);
  }

  /** Applies the initial states and starts what can start. Call once, first. */
  begin(at: number): EngineCommand[] {
    if (this.began) throw new Error('engine began twice');
    this.began = true;
    const out: EngineCommand[] = [];
    this.plan.forEach((entry, id) => {
      const initial = entry.initial;
      switch (initial.status) {
        case 'open': break;
        case 'done':
        case 'up-to-date': this.set(out, at, id, initial.status); break;
        case 'prefailed': this.set(out, at, id, 'prefailed', { reason: initial.reason }); break;
        case 'failed': this.set(out, at, id, 'failed', { phase: initial.phase, error: initial.error }); break;
        default: unreachable(initial);
      }
    });
    // The resolver names cycles; this keeps the engine whole if one slips through.
    for (const cycle of this.graph.cycles()) {
      const names = cycle.map((id) => this.graph.pkgnames[id]!).join(' -> ');
      for (const id of cycle) {
        if (this.status[id] === 'open') this.set(out, at, id, 'prefailed', { reason: `dependency cycle: ${names}` });
      }
    }
    for (let id = 0; id < this.plan.length; id++) {
      const s = this.status[id]!;
      if (s === 'failed' || s === 'prefailed') this.propagate(out, at, id);
    }
    for (let id = 0; id < this.plan.length; id++) {
      let waiting = 0;
      for (const dep of this.graph.deps[id]!) if (!isBuilt(this.status[dep]!)) waiting++;
      this.pending[id] = waiting;
      if (waiting === 0 && this.status[id] === 'open') this.ready.push(id);
    }
    this.dispatch(out, at);
    return out;
  }

  handle(event: EngineEvent): EngineCommand[] {
    if (!this.began) throw new Error('engine: begin() before handle()');
    const out: EngineCommand[] = [];
    const at = event.at;
    switch (event.type) {
      case 'host-up': this.hostUp(out, at, event.host); break;
      case 'host-down': this.hostDown(out, at, event.host, event.reason); break;
      case 'drain': this.drain(out, at, event.host, true); break;
      case 'undrain': this.drain(out, at, event.host, false); break;
      case 'job-ended': this.jobEnded(out, at, event.job, event.outcome); break;
      case 'retry': this.retry(out, at, event.pkgpath); break;
      case 'host-load': {
        const host = this.hosts.get(event.host);
        if (host) this.hosts.applyLoad(host, event.load, this.config.concurrency ?? defaultConcurrency, at);
        break;
      }
      default: unreachable(event);
    }
    this.dispatch(out, at);
    return out;
  }

  // ---- views, for reporters and the simulator -------------------------

  statusOf(pkgname: PkgName): Status | undefined {
    const id = this.graph.id(pkgname);
    return id === undefined ? undefined : this.status[id];
  }

  statusById(id: number): Status {
    return this.status[id]!;
  }

  blockers(pkgname: PkgName): PkgName[] {
    const id = this.graph.id(pkgname);
    const set = id === undefined ? undefined : this.blockedBy[id];
    return set ? [...set].map((b) => this.graph.pkgnames[b]!).sort() : [];
  }

  runningJobs(): Job[] {
    return [...this.jobs.values()];
  }

  job(id: number): Job | undefined {
    return this.jobs.get(id);
  }

  /** When the engine expects a running job to end, on the run's clock. */
  expectedEnd(jobId: number): number | undefined {
    return this.hosts.running.get(jobId)?.expectedEnd;
  }

  hostStates(): { name: string; state: HostState; spec: HostSpec; running: number; coresInUse: number }[] {
    return [...this.hosts.all()].map((h) => ({
      name: h.spec.name, state: h.state, spec: h.spec, running: h.running.size, coresInUse: h.coresInUse,
    }));
  }

  snapshot(): EngineCounts {
    return { total: this.plan.length, byStatus: { ...this.counts }, ready: this.ready.size };
  }

  get finished(): boolean {
    return this.ended;
  }

  // ---- events ----------------------------------------------------------

  private hostUp(out: EngineCommand[], at: number, spec: HostSpec): void {
    const drained = this.drainedAll || this.drainedHosts.has(spec.name);
    const host = this.hosts.up(spec, drained ? 'draining' : 'up');
    out.push({ type: 'host', at, host: spec.name, state: host.state });
  }

  private hostDown(out: EngineCommand[], at: number, name: string, reason: string): void {
    const host = this.hosts.get(name);
    if (!host || host.state === 'down') return;
    host.state = 'down';
    out.push({ type: 'host', at, host: name, state: 'down', reason });
    for (const jobId of [...host.running]) {
      const job = this.jobs.get(jobId)!;
      this.release(job);
      out.push({ type: 'requeue', at, job, reason });
      this.reopen(out, at, this.graph.id(job.pkgname)!, job.id, `host ${name} lost: ${reason}`);
    }
  }

  private drain(out: EngineCommand[], at: number, name: string | undefined, on: boolean): void {
    if (name === undefined) this.drainedAll = on;
    else if (on) this.drainedHosts.add(name);
    else this.drainedHosts.delete(name);
    const host = name === undefined ? undefined : this.hosts.get(name);
    for (const h of name === undefined ? [...this.hosts.all()] : [host].filter((x) => x !== undefined)) {
      if (h.state === 'down') continue;
      const state: HostState = this.drainedAll || this.drainedHosts.has(h.spec.name) ? 'draining' : 'up';
      if (h.state !== state) {
        h.state = state;
        out.push({ type: 'host', at, host: h.spec.name, state });
      }
    }
  }

  private jobEnded(out: EngineCommand[], at: number, jobId: number, outcome: JobOutcome): void {
    const job = this.jobs.get(jobId);
    if (!job) return; // already requeued (its host was lost) or cancelled
    this.release(job);
    const id = this.graph.id(job.pkgname)!;
    switch (outcome.kind) {
      case 'built':
        this.set(out, at, id, 'done', {}, job.id);
        for (const dependent of this.graph.dependents[id]!) {
          if (--this.pending[dependent]! === 0 && this.status[dependent] === 'open') this.ready.push(dependent);
        }
        break;
      case 'failed':
        this.set(out, at, id, 'failed', { phase: outcome.phase, error: outcome.error }, job.id);
        this.propagate(out, at, id);
        break;
      case 'infrastructure':
        this.attempts[id]!++;
        if (this.attempts[id]! < this.config.maxAttempts) {
          out.push({ type: 'requeue', at, job, reason: outcome.reason });
          this.reopen(out, at, id, job.id, outcome.reason);
        } else {
          this.set(out, at, id, 'failed', { phase: 'infrastructure', error: 'infrastructure', reason: outcome.reason }, job.id);
          this.propagate(out, at, id);
        }
        break;
      default: unreachable(outcome);
    }
  }

  private retry(out: EngineCommand[], at: number, pkgpath: PkgPath): void {
    for (let id = 0; id < this.plan.length; id++) {
      if (this.graph.pkgpaths[id] !== pkgpath || this.status[id] !== 'failed') continue;
      this.attempts[id] = 0;
      this.set(out, at, id, 'open', { reason: 'retry asked' });
      this.readyIfWaitingOnNothing(id);
      this.unblock(out, at, id);
    }
  }

  // ---- transitions -----------------------------------------------------

  private set(out: EngineCommand[], at: number, id: number, status: Status, detail: FailureDetail = {}, job?: number): void {
    const before = this.status[id]!;
    this.counts[before]--;
    this.counts[status]++;
    if (before === 'open') {
      this.openWork -= this.duration[id]!;
      this.openCoreWork -= this.coreWork(id);
    }
    if (status === 'open') {
      this.openWork += this.duration[id]!;
      this.openCoreWork += this.coreWork(id);
    }
    this.status[id] = status;
    this.detail[id] = status === 'failed' || status === 'prefailed' ? detail : undefined;
    if (!status.startsWith('indirect')) this.blockedBy[id] = undefined;
    const change: StatusChange = {
      type: 'status', at, pkgname: this.graph.pkgnames[id]!, status,
      ...(detail.reason !== undefined && { reason: detail.reason }),
      ...(detail.phase !== undefined && { phase: detail.phase }),
      ...(detail.error !== undefined && { error: detail.error }),
      ...(this.blockedBy[id] && { blockedBy: [...this.blockedBy[id]].map((b) => this.graph.pkgnames[b]!) }),
      ...(job !== undefined && { job }),
    };
    out.push(change);
  }

  /** Marks everything that needs `root` (directly or not) as blocked by it. */
  private propagate(out: EngineCommand[], at: number, root: number): void {
    const indirect: Status = this.status[root] === 'prefailed' ? 'indirect-prefailed' : 'indirect-failed';
    const seen = new Set<number>([root]);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      for (const d of this.graph.dependents[queue[i]!]!) {
        if (seen.has(d)) continue;
        seen.add(d);
        const s = this.status[d]!;
        if (s !== 'open' && s !== 'indirect-failed' && s !== 'indirect-prefailed') continue;
        const blockers = this.blockedBy[d] ?? new Set<number>();
        blockers.add(root);
        this.blockedBy[d] = blockers;
        this.set(out, at, d, s === 'open' ? indirect : s);
        queue.push(d);
      }
    }
  }

  /** `root` is open again: what it alone blocked is open again too. */
  private unblock(out: EngineCommand[], at: number, root: number): void {
    const seen = new Set<number>([root]);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      for (const d of this.graph.dependents[queue[i]!]!) {
        if (seen.has(d)) continue;
        seen.add(d);
        const blockers = this.blockedBy[d];
        if (!blockers?.delete(root)) continue;
        queue.push(d);
        if (blockers.size > 0) {
          this.set(out, at, d, this.status[d]!);
        } else {
          this.set(out, at, d, 'open');
          this.readyIfWaitingOnNothing(d);
        }
      }
    }
  }

  private reopen(out: EngineCommand[], at: number, id: number, job: number, reason: string): void {
    this.set(out, at, id, 'open', { reason }, job);
    this.readyIfWaitingOnNothing(id);
  }

  private readyIfWaitingOnNothing(id: number): void {
    if (this.pending[id] === 0 && this.status[id] === 'open') this.ready.push(id);
  }

  private release(job: Job): void {
    this.jobs.delete(job.id);
    this.jobOfNode.delete(this.graph.id(job.pkgname)!);
    this.hosts.release(job);
    this.pathBusy.delete(job.pkgpath);
    const waiting = this.pathWaiting.get(job.pkgpath);
    if (waiting) {
      this.pathWaiting.delete(job.pkgpath);
      for (const id of waiting) if (this.status[id] === 'open') this.ready.push(id);
    }
  }

  // ---- dispatch --------------------------------------------------------

  private dispatch(out: EngineCommand[], at: number): void {
    if (this.ended) return;
    this.replanIfCapacityChanged();
    this.round = { out, at };
    dispatchRound(this.dispatcher, at);
    this.round = undefined;
    this.checkFinished(out, at);
  }

  /** Where and when `startJob` writes its commands during a round. */
  private round: { readonly out: EngineCommand[]; readonly at: number } | undefined;

  private startJob(id: number, host: HostRecord, makeJobs: number, expectedEnd: number): void {
    const { out, at } = this.round!;
    const entry = this.plan[id]!;
    const job: Job = {
      id: this.nextJob++, pkgname: entry.pkgname, pkgpath: entry.pkgpath, host: host.spec.name,
      slot: host.free[0]!, makeJobs, attempt: this.attempts[id]! + 1, startedAt: at,
    };
    this.jobs.set(job.id, job);
    this.jobOfNode.set(id, job.id);
    this.hosts.occupy(host, job, id, entry.estimate, expectedEnd);
    this.pathBusy.set(entry.pkgpath, job.id);
    this.set(out, job.startedAt, id, 'building', {}, job.id);
    out.push({ type: 'start', job });
  }

  /** A core-sharing plan is made for the cores that are up; when they change, so do plan and priorities. */
  private replanIfCapacityChanged(): void {
    const planner = this.config.makeJobs.plan;
    const capacity = this.hosts.capacity();
    const key = `${capacity.cores}/${capacity.largestHostCores}`;
    if (!planner || capacity.cores === 0 || key === this.plannedFor) return;
    this.plannedFor = key;
    const plan = planner(this.graph, this.estimates, this.plan.map((p) => p.makeJobsSafe), capacity, this.expect);
    this.plannedMakeJobs = plan;
    this.priority.set(this.config.priority.priorities(this.graph, this.estimates, { makeJobs: plan, expect: this.expect }));
    this.wideJobs = [];
    plan.forEach((m, id) => { if (m > 1) this.wideJobs.push(id); });
    this.wideJobs.sort((a, b) => this.priority[b]! - this.priority[a]! || a - b);
    this.ready.reorder();
    this.duration = Float64Array.from(this.estimates, (e, id) => this.expect(e, plan[id]!));
    this.tail = tails(this.graph, (id) => this.duration[id]!);
    this.openWork = 0;
    this.openCoreWork = 0;
    for (let id = 0; id < this.plan.length; id++) {
      if (this.status[id] !== 'open') continue;
      this.openWork += this.duration[id]!;
      this.openCoreWork += this.coreWork(id);
    }
  }

  private dispatchContext(config: EngineConfig): DispatchContext {
    return {
      hosts: this.hosts, ready: this.ready, priority: this.priority, estimates: this.estimates,
      tail: () => this.tail,
      duration: () => this.duration,
      plannedMakeJobs: () => this.plannedMakeJobs,
      pkgnames: this.graph.pkgnames, pkgpaths: this.graph.pkgpaths, makeJobsSafe: this.plan.map((p) => p.makeJobsSafe),
      placement: config.placement, makeJobs: config.makeJobs, admission: config.admission ?? defaultAdmission,
      expect: this.expect,
      remainingWork: () => this.openWork,
      remainingCoreWork: () => this.openCoreWork,
      isOpen: (id) => this.status[id] === 'open',
      upcoming: (at) => this.upcoming(at),
      parkIfPathBusy: (id) => {
        const pkgpath = this.graph.pkgpaths[id]!;
        if (!this.pathBusy.has(pkgpath)) return false;
        const list = this.pathWaiting.get(pkgpath) ?? [];
        list.push(id);
        this.pathWaiting.set(pkgpath, list);
        return true;
      },
      start: (id, host, makeJobs, expectedEnd) => this.startJob(id, host, makeJobs, expectedEnd),
    };
  }

  /** Expected core-seconds of a job: its planned make jobs (1 without a plan) * its expected seconds. */
  private coreWork(id: number): number {
    return (this.plannedMakeJobs?.[id] ?? 1) * this.duration[id]!;
  }

  /** Wide jobs still waiting on dependencies that run or will soon, with when they should be ready. */
  private upcoming(at: number): Upcoming[] {
    const found: Upcoming[] = [];
    const memo = new Map<number, number>();
    for (const id of this.wideJobs) {
      if (found.length >= UPCOMING_LOOKED_AT) break;
      if (this.status[id] !== 'open' || this.pending[id] === 0) continue;
      const readyAt = this.readyAt(id, at, UPCOMING_DEPTH, memo);
      if (readyAt < Infinity) found.push({ id, readyAt });
    }
    return found;
  }

  /** When `id` should be ready, by the expected ends of what it waits on, looking `depth` levels down; Infinity if unknown. */
  private readyAt(id: number, at: number, depth: number, memo: Map<number, number>): number {
    const known = memo.get(id);
    if (known !== undefined) return known;
    let ready = at;
    for (const dep of this.graph.deps[id]!) {
      const s = this.status[dep]!;
      if (isBuilt(s)) continue;
      const job = this.jobOfNode.get(dep);
      let end = Infinity;
      if (job !== undefined) end = this.hosts.endOf(job, at);
      else if (s === 'open' && depth > 0) end = this.readyAt(dep, at, depth - 1, memo) + this.duration[dep]!;
      if (end === Infinity) { ready = Infinity; break; }
      ready = Math.max(ready, end);
    }
    memo.set(id, ready);
    return ready;
  }

  private checkFinished(out: EngineCommand[], at: number): void {
    if (this.jobs.size > 0) return;
    if (this.ready.size === 0 && this.pathWaiting.size === 0) {
      for (let id = 0; id < this.plan.length; id++) {
        if (this.status[id] === 'open') this.set(out, at, id, 'prefailed', { reason: 'waits on a package that cannot be built' });
      }
      this.ended = true;
      out.push({ type: 'finished', at, result: 'complete' });
      return;
    }
    const hosts = [...this.hosts.all()];
    const stopped = this.drainedAll || (hosts.length > 0 && hosts.every((h) => h.state === 'draining'));
    if (stopped) {
      this.ended = true;
      out.push({ type: 'finished', at, result: 'stopped' });
    }
  }
}

/** Wide jobs looked at ahead of their dependencies, per round, and how deep. */
const UPCOMING_LOOKED_AT = 8;
const UPCOMING_DEPTH = 3;

const defaultConcurrency = adaptiveConcurrency();
const defaultAdmission = memoryAdmission();

function isBuilt(status: Status): boolean {
  return status === 'done' || status === 'up-to-date';
}
