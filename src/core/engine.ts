// The engine: a deterministic state machine. It takes one event at a time
// and returns the commands that follow from it; it does no I/O and reads no
// clock (times come in the events). A real build and `kiln simulate` feed the
// same engine. Build states are named sets, as in dpb: open (waiting or
// ready), building, and the final states of model.ts. Hosts and their
// slots, cores and load limits live in engine-hosts.ts, their coming, going
// and draining in engine-host-events.ts; how packages are taken, at the
// start or while the scan goes on, in engine-growth.ts; the choice of what
// starts where, in engine-dispatch.ts.

import { dispatchRound, type DispatchContext } from './engine-dispatch.js';
import type { CheckVerdict, EngineCommand, EngineEvent, HostState, Job } from './engine-events.js';
import { Expectations } from './engine-expectations.js';
import { FetchGate } from './engine-fetch.js';
import { grown, recheckOf, settle } from './engine-growth.js';
import { HostEvents } from './engine-host-events.js';
import { HostPool, type HostRecord } from './engine-hosts.js';
import { PathGate } from './engine-paths.js';
import { SpaceGate } from './engine-space.js';
import { type IdleSlot, idleSlot, type WaitReason, waitReasons, type WhyInput } from './engine-why.js';
import { type FailureDetail, PackageStates, standingFailure } from './engine-states.js';
import { BuildGraph } from './graph.js';
import { IdHeap } from './heap.js';
import type { EngineConfig, EngineCounts, PlanEntry } from './engine-plan.js';
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
  private plan: readonly PlanEntry[];
  private readonly config: EngineConfig;
  private expected: Expectations;
  private readonly states: PackageStates;
  private pending: Int32Array;
  private attempts: Int32Array;
  private ready: IdHeap;
  private readonly paths = new PathGate();
  private readonly fetches = new FetchGate();
  /** Packages to check (`check`) before they are built, and those whose answer is awaited. */
  private recheck: Uint8Array;
  private readonly checking = new Set<number>();
  private readonly hosts = new HostPool();
  private readonly hostEvents: HostEvents;
  private readonly space = new SpaceGate();
  private dispatcher: DispatchContext;
  /** The running job of each package being built. */
  private readonly jobOfNode = new Map<number, number>();
  private nextJob = 1;
  private began = false;
  private ended = false;
  /** Packages may still be added (EngineOptions.more), and whether what runs is to end before a new plan is made. */
  private more: boolean;
  private closing = false;

  constructor(plan: readonly PlanEntry[], config: EngineConfig, nextJobId = 1, options: EngineOptions = {}) {
    this.plan = plan;
    this.config = config;
    this.hostEvents = new HostEvents(this.hosts, config.quarantine);
    this.more = options.more ?? false;
    this.graph = BuildGraph.from(plan);
    this.expected = this.expectations();
    this.states = new PackageStates(this.graph, (id, before, after) => this.expected.statusChanged(id, before, after));
    this.pending = new Int32Array(plan.length);
    this.attempts = new Int32Array(plan.length);
    this.recheck = Uint8Array.from(plan, recheckOf);
    this.ready = new IdHeap(this.expected.priority);
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
    for (const spec of hosts) this.hostEvents.up(out, at, spec);
    this.settle(out, at, 0);
    this.dispatch(out, at);
    return out;
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
    this.pending = grown(this.pending, this.plan.length);
    this.attempts = grown(this.attempts, this.plan.length);
    this.recheck = Uint8Array.from(this.plan, (p, id) => (id < first ? this.recheck[id]! : recheckOf(p)));
    const ready = new IdHeap(this.expected.priority);
    for (const id of this.ready.values()) ready.push(id);
    this.ready = ready;
    this.dispatcher = this.dispatchContext(this.config);
    this.settle(out, at, first);
  }

  private settle(out: EngineCommand[], at: number, first: number): void {
    const { plan, graph, states, pending } = this;
    settle({ plan, graph, states, pending, becameReady: (o, a, id) => this.becameReady(o, a, id) }, out, at, first);
  }

  private expectations(): Expectations {
    return new Expectations(this.graph, this.plan.map((p) => p.estimate), this.plan.map((p) => p.makeJobsSafe), {
      priority: this.config.priority, makeJobs: this.config.makeJobs, expect: this.config.expect ?? wallAt,
      reserves: this.config.placement.reserves ?? false,
    });
  }

  handle(event: EngineEvent): EngineCommand[] {
    if (!this.began) throw new Error('engine: begin() before handle()');
    const out: EngineCommand[] = [];
    const at = event.at;
    switch (event.type) {
      case 'host-up': this.hostEvents.up(out, at, event.host); break;
      case 'host-down':
        for (const job of this.hostEvents.down(out, at, event.host, event.reason)) {
          this.release(job);
          this.requeue(out, at, job, event.reason, `host ${event.host} lost: ${event.reason}`);
        }
        break;
      case 'drain': this.hostEvents.drain(out, at, event.host, true); break;
      case 'undrain': this.hostEvents.drain(out, at, event.host, false); break;
      case 'space-short': case 'space-ok': this.space.handle(out, event); break;
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
      case 'distfiles-ready': case 'fetch-failed': this.fetched(out, at, event); break;
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

  /** How soon a package's distfiles are wanted (bigger: sooner): those of ready packages first, each group by build priority. */
  fetchUrgency(pkgname: PkgName): number { const id = this.graph.id(pkgname) ?? -1; return (this.pending[id] === 0 ? 1e15 : 0) + (this.expected.priority[id] ?? 0); }

  blockers(pkgname: PkgName): PkgName[] {
    const id = this.graph.id(pkgname);
    const set = id === undefined ? undefined : this.states.blockedBy[id];
    return set ? [...set].map((b) => this.graph.pkgnames[b]!).sort() : [];
  }

  /** Why each open package (or `pkgname` alone) has not started, at `at`: engine-why.ts. */
  waitReasons(at: number, pkgname?: PkgName): Map<PkgName, WaitReason> {
    return waitReasons(this.whyInput(), at, pkgname);
  }

  /** A host could start a job now and a ready package stays queued: the first such package and why. */
  idleSlot(at: number): IdleSlot | undefined {
    return idleSlot(this.whyInput(), at);
  }

  private whyInput(): WhyInput {
    return {
      graph: this.graph, status: this.states.status, pending: this.pending, checking: this.checking, paths: this.paths,
      closing: this.closing, spaceShort: this.space.reasons, dispatch: this.dispatcher,
    };
  }

  runningJobs(): Job[] {
    return [...this.hosts.running.values()].map((r) => r.job);
  }

  job(id: number): Job | undefined {
    return this.hosts.running.get(id)?.job;
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

  get finished(): boolean { return this.ended; }

  // ---- events ----------------------------------------------------------

  private jobEnded(out: EngineCommand[], at: number, jobId: number, outcome: JobOutcome): void {
    const job = this.job(jobId);
    if (!job) return; // already requeued (its host was lost) or cancelled
    this.release(job);
    const id = this.graph.id(job.pkgname)!;
    if (outcome.kind !== 'infrastructure') this.hostEvents.jobEndedWell(job.host);
    switch (outcome.kind) {
      case 'built':
        this.states.set(out, at, id, 'done', {}, job.id);
        this.releaseDependents(out, at, id);
        break;
      case 'failed': this.fail(out, at, id, { phase: outcome.phase, error: outcome.error }, job.id); break;
      case 'infrastructure': {
        const blame = outcome.full === undefined ? this.hostEvents.infrastructure(out, at, job.host, id, outcome.reason) : { charge: false, forgiven: [] };
        for (const forgiven of blame.forgiven) this.attempts[forgiven] = Math.max(0, this.attempts[forgiven]! - 1);
        if (blame.charge) this.attempts[id]!++;
        if (this.attempts[id]! < this.config.maxAttempts) this.requeue(out, at, job, outcome.reason, outcome.reason);
        else this.fail(out, at, id, { phase: 'infrastructure', error: 'infrastructure', reason: outcome.reason }, job.id);
        break;
      }
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
    if (verdict.status === 'open') this.becameReady(out, at, id);
    else if (verdict.status === 'failed') this.fail(out, at, id, standingFailure(verdict));
    else {
      this.states.set(out, at, id, verdict.status);
      this.releaseDependents(out, at, id);
    }
  }

  private pathLocked(out: EngineCommand[], at: number, event: Extract<EngineEvent, { type: 'path-locked' }>): void {
    const job = event.job === undefined ? undefined : this.job(event.job);
    if (event.failed === undefined) this.paths.hold(event.pkgpath, event.by);
    if (job) {
      this.release(job);
      this.requeue(out, at, job, `${event.pkgpath} is locked by ${event.by}`, `waits for ${event.by}`);
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

  /** `id`'s dependencies are built: it is first checked when it may still be current, then waits for its distfiles (engine-fetch.ts). */
  private becameReady(out: EngineCommand[], at: number, id: number): void {
    if (this.recheck[id] === 1) {
      this.checking.add(id);
      out.push({ type: 'check', at, pkgname: this.graph.pkgnames[id]! });
      return;
    }
    const gate = this.fetches.pass(id, this.graph.pkgnames[id]!, this.plan[id]!.fetch === true);
    if (gate.kind === 'ready') this.ready.push(id);
    else if (gate.kind === 'failed') this.fail(out, at, id, { phase: 'fetch', error: 'fetch', reason: gate.reason });
  }

  private fetched(out: EngineCommand[], at: number, event: Extract<EngineEvent, { type: 'distfiles-ready' | 'fetch-failed' }>): void {
    const next = this.fetches.arrived(event, (name) => this.graph.id(name), (id) => this.states.status[id] === 'open',
      (id) => this.recheck[id] === 0 && !this.checking.has(id) && this.plan[id]!.fetch === true);
    if (next?.kind === 'ready') this.becameReady(out, at, next.id);
    else if (next?.kind === 'failed') this.fail(out, at, next.id, { phase: 'fetch', error: 'fetch', reason: next.reason });
  }

  private releaseDependents(out: EngineCommand[], at: number, id: number): void {
    for (const dependent of this.graph.dependents[id]!) {
      if (--this.pending[dependent]! === 0 && this.states.status[dependent] === 'open') this.becameReady(out, at, dependent);
    }
  }

  /** `job` ended without building its package (`reason`): it is open again (`why`), to be run again. */
  private requeue(out: EngineCommand[], at: number, job: Job, reason: string, why: string): void {
    out.push({ type: 'requeue', at, job, reason });
    const id = this.graph.id(job.pkgname)!;
    this.states.set(out, at, id, 'open', { reason: why }, job.id);
    this.readyIfWaitingOnNothing(id);
  }

  private readyIfWaitingOnNothing(id: number): void {
    if (this.pending[id] === 0 && this.states.status[id] === 'open') this.ready.push(id);
  }

  private release(job: Job): void {
    this.jobOfNode.delete(this.graph.id(job.pkgname)!);
    this.hosts.release(job);
    for (const id of this.paths.free(job.pkgpath)) if (this.states.status[id] === 'open') this.ready.push(id);
  }

  // ---- dispatch --------------------------------------------------------

  private dispatch(out: EngineCommand[], at: number): void {
    if (this.ended) return;
    if (this.closing || !this.space.open) {
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
    this.jobOfNode.set(id, job.id);
    this.hosts.occupy(host, job, id, entry.estimate, expectedEnd);
    this.paths.occupy(entry.pkgpath, job.id);
    this.states.set(out, job.startedAt, id, 'building', {}, job.id);
    out.push({ type: 'start', job });
  }

  private dispatchContext(config: EngineConfig): DispatchContext {
    return {
      hosts: this.hosts, ready: this.ready, priority: this.expected.priority, estimates: this.plan.map((p) => p.estimate),
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
    if (this.hosts.running.size > 0 || this.checking.size > 0) return;
    if (this.closing) {
      // What ran has ended; the caller makes a new plan from the whole tree.
      this.ended = true;
      out.push({ type: 'finished', at, result: 'stopped' });
      return;
    }
    if (!this.more && this.ready.size === 0 && !this.paths.anyParked && !this.fetches.waiting) {
      for (let id = 0; id < this.plan.length; id++) {
        if (this.states.status[id] === 'open') this.states.set(out, at, id, 'prefailed', { reason: 'waits on a package that cannot be built' });
      }
      this.ended = true;
      out.push({ type: 'finished', at, result: 'complete' });
      return;
    }
    if (this.hostEvents.stopped) {
      this.ended = true;
      out.push({ type: 'finished', at, result: 'stopped' });
    }
  }
}

const defaultConcurrency = adaptiveConcurrency();
const defaultAdmission = memoryAdmission();
