// The engine: a deterministic state machine. It takes one event at a time
// and returns the commands that follow from it; it does no I/O and reads no
// clock (times come in the events). A real build and `kiln simulate` feed the
// same engine. Build states are named sets, as in dpb: open (waiting or
// ready), building, and the final states of model.ts. Hosts and their
// slots, cores and load limits live in engine-hosts.ts; the choice of what
// starts where, in engine-dispatch.ts.

import { dispatchRound, type DispatchContext } from './engine-dispatch.js';
import type { CheckVerdict, EngineCommand, EngineEvent, HostState, Job } from './engine-events.js';
import { Expectations } from './engine-expectations.js';
import { HostPool, type HostRecord } from './engine-hosts.js';
import { PathGate } from './engine-paths.js';
import { type FailureDetail, PackageStates } from './engine-states.js';
import { BuildGraph } from './graph.js';
import { IdHeap } from './heap.js';
import { type EngineConfig, type EngineCounts, isBuilt, type PlanEntry } from './engine-plan.js';
import type { HostSpec, JobOutcome, PkgName, PkgPath, Status } from './model.js';
import { memoryAdmission } from './policies/admission-memory.js';
import { adaptiveConcurrency } from './policies/concurrency-adaptive.js';
import { wallAt } from './speedup.js';
import { unreachable } from './unreachable.js';

export type { EngineConfig, EngineCounts, InitialState, PlanEntry } from './engine-plan.js';

export interface EngineOptions {
  /**
   * More packages come while it runs (`packages-added`, the scan goes on):
   * it does not finish before `plan-complete`.
   */
  readonly more?: boolean;
}

export class Engine {
  graph: BuildGraph;
  private priority: Float64Array;
  private plan: readonly PlanEntry[];
  private readonly config: EngineConfig;
  private expected: Expectations;
  private readonly states: PackageStates;
  private pending: Int32Array;
  private attempts: Int32Array;
  private ready: IdHeap;
  private readonly paths = new PathGate();
  /** Packages to check (`check`) before they are built, and those whose answer is awaited. */
  private recheck: Uint8Array;
  private readonly checking = new Set<number>();
  private readonly hosts = new HostPool();
  private readonly jobs = new Map<number, Job>();
  private dispatcher: DispatchContext;
  /** The running job of each package being built. */
  private readonly jobOfNode = new Map<number, number>();
  private nextJob = 1;
  private drainedAll = false;
  /** Hosts drained on their own (a stop-<host> file), known or not yet. */
  private readonly drainedHosts = new Set<string>();
  private began = false;
  private ended = false;
  /** Packages may still be added (EngineOptions.more), and whether what runs is to end before a new plan is made. */
  private more: boolean;
  private closing = false;

  constructor(plan: readonly PlanEntry[], config: EngineConfig, nextJobId = 1, options: EngineOptions = {}) {
    this.plan = plan;
    this.config = config;
    this.more = options.more ?? false;
    this.graph = BuildGraph.from(plan);
    this.expected = this.expectations();
    this.priority = this.expected.priority;
    const n = plan.length;
    this.states = new PackageStates(this.graph, (id, before, after) => this.expected.statusChanged(id, before, after));
    this.pending = new Int32Array(n);
    this.attempts = new Int32Array(n);
    this.recheck = Uint8Array.from(plan, (p) => (p.initial.status === 'open' && p.initial.recheck === true ? 1 : 0));
    this.ready = new IdHeap(this.priority);
    this.nextJob = nextJobId;
    this.dispatcher = this.dispatchContext(config);
  }

  /**
   * Applies the initial states, takes the hosts known from the start (more
   * may come later with `host-up`) and starts what can start. Call once, first.
   */
  begin(at: number, hosts: readonly HostSpec[] = []): EngineCommand[] {
    if (this.began) throw new Error('engine began twice');
    this.began = true;
    const out: EngineCommand[] = [];
    for (const spec of hosts) this.hostUp(out, at, spec);
    this.settle(out, at, 0);
    this.dispatch(out, at);
    return out;
  }

  /** Initial states, cycles, failures and readiness of the packages from `first` on (new ones: their dependencies are known). */
  private settle(out: EngineCommand[], at: number, first: number): void {
    for (let id = first; id < this.plan.length; id++) {
      const initial = this.plan[id]!.initial;
      switch (initial.status) {
        case 'open': break;
        case 'done':
        case 'up-to-date': this.states.set(out, at, id, initial.status); break;
        case 'prefailed': this.states.set(out, at, id, 'prefailed', { reason: initial.reason }); break;
        case 'failed': this.states.set(out, at, id, 'failed', { phase: initial.phase, error: initial.error, ...(initial.reason !== undefined && { reason: initial.reason }) }); break;
        default: unreachable(initial);
      }
    }
    // The resolver names cycles; this keeps the engine whole if one slips through.
    // (Packages added later only depend on earlier ones or each other: a new cycle is all new.)
    for (const cycle of this.graph.cycles()) {
      if (cycle[0]! < first) continue;
      const names = cycle.map((id) => this.graph.pkgnames[id]!).join(' -> ');
      for (const id of cycle) {
        if (this.states.status[id] === 'open') this.states.set(out, at, id, 'prefailed', { reason: `dependency cycle: ${names}` });
      }
    }
    for (let id = 0; id < this.plan.length; id++) {
      const s = this.states.status[id]!;
      if (s !== 'failed' && s !== 'prefailed') continue;
      // An earlier failure reaches the new packages that need it; its older dependents already know.
      if (id >= first) this.states.propagate(out, at, id);
      else if (this.graph.dependents[id]!.some((d) => d >= first)) this.states.propagate(out, at, id, first);
    }
    for (let id = first; id < this.plan.length; id++) {
      let waiting = 0;
      for (const dep of this.graph.deps[id]!) if (!isBuilt(this.states.status[dep]!)) waiting++;
      this.pending[id] = waiting;
      if (waiting === 0 && this.states.status[id] === 'open') this.becameReady(out, at, id);
    }
  }

  /**
   * Takes packages found since the engine began (the scan goes on). Their
   * dependencies are packages it has or that come with them; what it has
   * does not change.
   */
  private add(out: EngineCommand[], at: number, entries: readonly PlanEntry[]): void {
    if (entries.length === 0 || this.closing) return;
    const first = this.plan.length;
    this.plan = [...this.plan, ...entries];
    this.graph = BuildGraph.from(this.plan);
    this.states.grow(this.graph);
    this.expected = this.expectations();
    this.expected.recount((id) => this.states.status[id]!);
    this.priority = this.expected.priority;
    this.pending = grown(this.pending, this.plan.length);
    this.attempts = grown(this.attempts, this.plan.length);
    const recheck = new Uint8Array(this.plan.length);
    recheck.set(this.recheck);
    entries.forEach((p, i) => { recheck[first + i] = p.initial.status === 'open' && p.initial.recheck === true ? 1 : 0; });
    this.recheck = recheck;
    const ready = new IdHeap(this.priority);
    for (const id of this.ready.values()) ready.push(id);
    this.ready = ready;
    this.dispatcher = this.dispatchContext(this.config);
    this.settle(out, at, first);
  }

  private expectations(): Expectations {
    return new Expectations(this.graph, this.plan.map((p) => p.estimate), this.plan.map((p) => p.makeJobsSafe), {
      priority: this.config.priority, makeJobs: this.config.makeJobs, expect: this.config.expect ?? wallAt,
    });
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
      case 'checked': this.checked(out, at, event.pkgname, event.verdict); break;
      case 'path-locked': this.pathLocked(out, at, event); break;
      case 'path-unlocked':
        // The other run may have built it (a shared repository): check before building.
        for (const id of this.paths.unhold(event.pkgpath)) {
          this.recheck[id] = 1;
          if (this.pending[id] === 0 && this.states.status[id] === 'open') this.becameReady(out, at, id);
        }
        this.retry(out, at, event.pkgpath);
        break;
      case 'packages-added': this.add(out, at, event.entries); break;
      case 'plan-complete':
        this.more = false;
        this.closing = event.replan === true;
        break;
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
    return id === undefined ? undefined : this.states.status[id];
  }

  statusById(id: number): Status {
    return this.states.status[id]!;
  }

  blockers(pkgname: PkgName): PkgName[] {
    const id = this.graph.id(pkgname);
    const set = id === undefined ? undefined : this.states.blockedBy[id];
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
    return { total: this.plan.length, byStatus: { ...this.states.counts }, ready: this.ready.size };
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
        this.states.set(out, at, id, 'done', {}, job.id);
        this.releaseDependents(out, at, id);
        break;
      case 'failed': this.fail(out, at, id, { phase: outcome.phase, error: outcome.error }, job.id); break;
      case 'infrastructure':
        this.attempts[id]!++;
        if (this.attempts[id]! < this.config.maxAttempts) {
          out.push({ type: 'requeue', at, job, reason: outcome.reason });
          this.reopen(out, at, id, job.id, outcome.reason);
        } else {
          this.fail(out, at, id, { phase: 'infrastructure', error: 'infrastructure', reason: outcome.reason }, job.id);
        }
        break;
      default: unreachable(outcome);
    }
  }

  private retry(out: EngineCommand[], at: number, pkgpath: PkgPath): void {
    for (let id = 0; id < this.plan.length; id++) {
      if (this.graph.pkgpaths[id] !== pkgpath || this.states.status[id] !== 'failed') continue;
      this.attempts[id] = 0;
      this.states.set(out, at, id, 'open', { reason: 'retry asked' });
      this.readyIfWaitingOnNothing(id);
      this.states.unblock(out, at, id, (d) => this.readyIfWaitingOnNothing(d));
    }
  }

  private checked(out: EngineCommand[], at: number, pkgname: PkgName, verdict: CheckVerdict): void {
    const id = this.graph.id(pkgname);
    if (id === undefined || !this.checking.delete(id) || this.states.status[id] !== 'open') return;
    this.recheck[id] = 0;
    if (verdict.status === 'open') this.ready.push(id);
    else if (verdict.status === 'failed') this.fail(out, at, id, { phase: verdict.phase, error: verdict.error, reason: verdict.reason });
    else {
      this.states.set(out, at, id, verdict.status);
      this.releaseDependents(out, at, id);
    }
  }

  private pathLocked(out: EngineCommand[], at: number, event: Extract<EngineEvent, { type: 'path-locked' }>): void {
    const job = event.job === undefined ? undefined : this.jobs.get(event.job);
    if (event.failed === undefined) this.paths.hold(event.pkgpath, event.by);
    if (job) {
      this.release(job);
      out.push({ type: 'requeue', at, job, reason: `${event.pkgpath} is locked by ${event.by}` });
      this.reopen(out, at, this.graph.id(job.pkgname)!, job.id, `waits for ${event.by}`);
    }
    const failed = event.failed;
    for (let id = 0; failed && id < this.plan.length; id++) {
      if (this.graph.pkgpaths[id] !== event.pkgpath || this.states.status[id] !== 'open') continue;
      this.checking.delete(id);
      this.fail(out, at, id, { ...failed, reason: `failed in ${event.by} with the same inputs` });
    }
  }

  // ---- transitions -----------------------------------------------------

  private fail(out: EngineCommand[], at: number, id: number, detail: FailureDetail, job?: number): void {
    this.states.set(out, at, id, 'failed', detail, job);
    this.states.propagate(out, at, id);
  }

  /** `id`'s dependencies are built: it is ready, or first checked when it may still be current. */
  private becameReady(out: EngineCommand[], at: number, id: number): void {
    if (this.recheck[id] === 1) {
      this.checking.add(id);
      out.push({ type: 'check', at, pkgname: this.graph.pkgnames[id]! });
    } else {
      this.ready.push(id);
    }
  }

  private releaseDependents(out: EngineCommand[], at: number, id: number): void {
    for (const dependent of this.graph.dependents[id]!) {
      if (--this.pending[dependent]! === 0 && this.states.status[dependent] === 'open') this.becameReady(out, at, dependent);
    }
  }

  private reopen(out: EngineCommand[], at: number, id: number, job: number, reason: string): void {
    this.states.set(out, at, id, 'open', { reason }, job);
    this.readyIfWaitingOnNothing(id);
  }

  private readyIfWaitingOnNothing(id: number): void {
    if (this.pending[id] === 0 && this.states.status[id] === 'open') this.ready.push(id);
  }

  private release(job: Job): void {
    this.jobs.delete(job.id);
    this.jobOfNode.delete(this.graph.id(job.pkgname)!);
    this.hosts.release(job);
    for (const id of this.paths.free(job.pkgpath)) if (this.states.status[id] === 'open') this.ready.push(id);
  }

  // ---- dispatch --------------------------------------------------------

  private dispatch(out: EngineCommand[], at: number): void {
    if (this.ended) return;
    if (this.closing) {
      this.checkFinished(out, at);
      return;
    }
    if (this.expected.replan(this.hosts.capacity(), (id) => this.states.status[id]!)) this.ready.reorder();
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
    this.paths.occupy(entry.pkgpath, job.id);
    this.states.set(out, job.startedAt, id, 'building', {}, job.id);
    out.push({ type: 'start', job });
  }

  private dispatchContext(config: EngineConfig): DispatchContext {
    return {
      hosts: this.hosts, ready: this.ready, priority: this.priority, estimates: this.plan.map((p) => p.estimate),
      tail: () => this.expected.tail,
      duration: () => this.expected.duration,
      plannedMakeJobs: () => this.expected.plannedMakeJobs,
      pkgnames: this.graph.pkgnames, pkgpaths: this.graph.pkgpaths, makeJobsSafe: this.plan.map((p) => p.makeJobsSafe),
      placement: config.placement, makeJobs: config.makeJobs, admission: config.admission ?? defaultAdmission,
      expect: this.expected.expect,
      remainingWork: () => this.expected.openWork,
      remainingCoreWork: () => this.expected.openCoreWork,
      isOpen: (id) => this.states.status[id] === 'open',
      upcoming: (at) => this.expected.upcoming({
        status: (id) => this.states.status[id]!,
        pending: (id) => this.pending[id]!,
        runningEnd: (id, now) => {
          const job = this.jobOfNode.get(id);
          return job === undefined ? undefined : this.hosts.endOf(job, now);
        },
      }, at),
      parkIfPathBusy: (id) => this.paths.park(id, this.graph.pkgpaths[id]!),
      start: (id, host, makeJobs, expectedEnd) => this.startJob(id, host, makeJobs, expectedEnd),
    };
  }

  private checkFinished(out: EngineCommand[], at: number): void {
    if (this.jobs.size > 0 || this.checking.size > 0) return;
    if (this.closing) {
      // What ran has ended; the caller makes a new plan from the whole tree.
      this.ended = true;
      out.push({ type: 'finished', at, result: 'stopped' });
      return;
    }
    if (!this.more && this.ready.size === 0 && !this.paths.anyParked) {
      for (let id = 0; id < this.plan.length; id++) {
        if (this.states.status[id] === 'open') this.states.set(out, at, id, 'prefailed', { reason: 'waits on a package that cannot be built' });
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

const defaultConcurrency = adaptiveConcurrency();
const defaultAdmission = memoryAdmission();

function grown(array: Int32Array, size: number): Int32Array {
  const bigger = new Int32Array(size);
  bigger.set(array);
  return bigger;
}
