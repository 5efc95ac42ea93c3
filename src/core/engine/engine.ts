// The engine: a deterministic state machine. It takes one event at a time
// and returns the commands that follow from it; it does no I/O and reads no
// clock (times come in the events). A real build and `kiln simulate` feed the
// same engine. Build states are named sets, as in dpb: open (waiting or
// ready), building, and the final states of model.ts. Hosts and their
// slots, cores and load limits live in engine-hosts.ts, their coming, going
// and draining in engine-host-events.ts; how packages are taken, at the
// start or while the scan goes on, in engine-growth.ts; how an open package
// comes to the ready queue, in engine-readiness.ts; what becomes of it when
// its job ends, in engine-job-ends.ts; the choice of what starts where, in
// engine-dispatch.ts.

import type { FetchUrgency } from '../distfiles/fetch-order.js';
import { type DispatchDecision, dispatchRound, type JobStart, type DispatchSnapshot, servedBy, timelyHosts } from './engine-dispatch.js';
import type { EngineCommand, EngineEvent, HostLoad, HostState, Job } from './engine-events.js';
import { Expectations } from './engine-expectations.js';
import { grown, settle } from './engine-growth.js';
import { HostEvents } from './engine-host-events.js';
import { HostPool } from './engine-hosts.js';
import { hostLost, type JobEndContext, jobEnded, pathLocked, retry } from './engine-job-ends.js';
import { PathGate } from './engine-paths.js';
import { Readiness } from './engine-readiness.js';
import { SpaceGate } from './engine-space.js';
import { formatWaitReason, type IdleSlot, idleSlot, type WaitReason, waitReasons, type WhyInput } from './engine-why.js';
import { whyNoHostServes } from './host-features.js';
import { PackageStates } from './engine-states.js';
import { BuildGraph } from '../resolve/graph.js';
import { type EngineConfig, type EngineCounts, isBuilt, type PlanEntry } from './engine-plan.js';
import type { HostSpec, PkgName, Status } from '../model.js';
import { memoryAdmission } from '../policies/admission-memory.js';
import { adaptiveConcurrency } from '../policies/concurrency-adaptive.js';
import { preferredByHistory } from '../policies/big-parallel.js';
import { backfillReservation } from '../policies/reservation-backfill.js';
import { wallAt } from '../estimate/speedup.js';
import { unreachable } from '../unreachable.js';

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
  private readonly readiness: Readiness;
  /** Infrastructure failures charged to each package (a retry clears them): its next job is one attempt more. */
  private attempts: Int32Array;
  private readonly paths = new PathGate();
  private readonly hosts = new HostPool();
  private readonly hostEvents: HostEvents;
  private readonly space = new SpaceGate();
  private dispatcher: DispatchSnapshot;
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
    this.readiness = new Readiness(plan, this.graph, this.states, this.expected.priority);
    this.attempts = new Int32Array(plan.length);
    this.nextJob = nextJobId;
    this.dispatcher = this.dispatchSnapshot(config);
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
    this.readiness.grow(this.plan, this.graph, this.expected.priority);
    this.attempts = grown(this.attempts, this.plan.length);
    this.dispatcher = this.dispatchSnapshot(this.config);
    this.settle(out, at, first);
  }

  private settle(out: EngineCommand[], at: number, first: number): void {
    const { plan, graph, states, readiness } = this;
    settle({ plan, graph, states, pending: readiness.pending, becameReady: (o, a, id) => readiness.becameReady(o, a, id) }, out, at, first);
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
      case 'host-up':
        this.hostEvents.up(out, at, event.host);
        if (event.load !== undefined) this.handleLoad(out, at, event.host.name, event.load);
        break;
      case 'host-down': hostLost(this.jobEnds, out, at, event.host, event.reason); break;
      case 'drain': this.hostEvents.drain(out, at, event.host, true); break;
      case 'undrain': this.hostEvents.drain(out, at, event.host, false); break;
      case 'space-short': case 'space-ok': this.space.handle(out, event); break;
      case 'job-ended': jobEnded(this.jobEnds, out, at, event.job, event.outcome); break;
      case 'retry': retry(this.jobEnds, out, at, event.pkgpath); break;
      case 'checked': this.readiness.checked(out, at, event.pkgname, event.verdict); break;
      case 'path-locked': pathLocked(this.jobEnds, out, at, event); break;
      case 'path-unlocked':
        this.readiness.unlocked(out, at, this.paths.unhold(event.pkgpath));
        retry(this.jobEnds, out, at, event.pkgpath);
        break;
      case 'packages-added': this.add(out, at, event.entries); break;
      case 'distfiles-ready': case 'fetch-failed': this.readiness.fetched(out, at, event); break;
      case 'plan-complete':
        this.more = false;
        this.closing = event.replan === true;
        break;
      case 'host-load': this.handleLoad(out, at, event.host, event.load); break;
      default: unreachable(event);
    }
    this.dispatch(out, at);
    return out;
  }

  /** A host's measured load: its load limit, and whether it is over a threshold or holds slots back (said when that changes). */
  private handleLoad(out: EngineCommand[], at: number, name: string, load: HostLoad): void {
    const host = this.hosts.get(name);
    if (!host) return;
    const before = this.hosts.restraint(host);
    this.hosts.applyLoad(host, load, this.config.concurrency ?? defaultConcurrency, at);
    const now = this.hosts.restraint(host);
    if (now?.state !== before?.state && host.state === 'up') {
      out.push({ type: 'host', at, host: name, state: 'up', ...(now !== undefined && { reason: now.reason }) });
    }
  }

  private get jobEnds(): JobEndContext {
    const { graph, states, readiness, hosts, hostEvents, paths, attempts, jobOfNode } = this;
    return { graph, states, readiness, hosts, hostEvents, paths, attempts, jobOfNode, maxAttempts: this.config.maxAttempts };
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
  fetchUrgency(pkgname: PkgName): FetchUrgency {
    const id = this.graph.id(pkgname) ?? -1;
    const ready = this.readiness.pending[id] === 0;
    // Soon: every dependency not built yet is building now.
    const soon = !ready && id >= 0 && this.graph.deps[id]!.every((d) => isBuilt(this.states.status[d]!) || this.states.status[d] === 'building');
    return { ready, ...(soon && { soon }), priority: this.expected.priority[id] ?? 0 };
  }

  /** A package's build priority (bigger: a longer path behind it); the jobserver lends free cores by it. */
  priorityOf(pkgname: PkgName): number { return this.expected.priority[this.graph.id(pkgname) ?? -1] ?? 0; }

  blockers(pkgname: PkgName): PkgName[] {
    const id = this.graph.id(pkgname);
    const set = id === undefined ? undefined : this.states.blockedBy[id];
    return set ? [...set].map((b) => this.graph.pkgnames[b]!).sort() : [];
  }

  /** Why each open package (or `pkgname` alone) has not started, at `at`: engine-why.ts. `builtOnly`: only those whose dependencies are built. */
  waitReasons(at: number, pkgname?: PkgName, builtOnly = false): Map<PkgName, WaitReason> {
    return waitReasons(this.whyInput(), at, pkgname, builtOnly);
  }

  /** A host could start a job now and a ready package stays queued: the first such package and why. */
  idleSlot(at: number): IdleSlot | undefined {
    return idleSlot(this.whyInput(), at);
  }

  private whyInput(): WhyInput {
    return {
      graph: this.graph, status: this.states.status, pending: this.readiness.pending, checking: this.readiness.checking,
      distfiles: (id) => this.readiness.awaitsDistfiles(id), paths: this.paths,
      closing: this.closing, spaceShort: this.space.reasons, dispatch: this.dispatcher,
    };
  }

  /**
   * Nothing runs or can start, and every ready package needs a class of host
   * (features, host-features.ts) that no host the engine has had serves:
   * the run would wait for ever. Each such package and why; else undefined.
   */
  unservedOnly(): { readonly pkgname: PkgName; readonly why: string }[] | undefined {
    if (this.ended || this.more || this.closing || this.hosts.running.size > 0 || this.readiness.checking.size > 0) return undefined;
    if (this.paths.anyParked || this.readiness.fetching || this.readiness.ready.size === 0) return undefined;
    const known = [...this.hosts.all()].map((h) => h.spec);
    if (known.length === 0) return undefined;
    const out: { pkgname: PkgName; why: string }[] = [];
    for (const id of this.readiness.ready.values()) {
      if (this.states.status[id] !== 'open') continue;
      const unserved = whyNoHostServes(known, this.plan[id]!.features, preferredByHistory(this.plan[id]!.estimate));
      if (!unserved) return undefined;
      out.push({ pkgname: this.graph.pkgnames[id]!, why: formatWaitReason({ kind: 'features', ...unserved }) });
    }
    return out.length > 0 ? out : undefined;
  }

  /**
   * The ready packages that a host up serves but none can end in time if
   * started at `at` (host-deadline.ts): each one's expected seconds at speed
   * 1. Only a host that came up later can take them. Empty at once while no
   * host up has a time limit.
   */
  untimely(at: number): number[] {
    const up = [...this.hosts.all()].filter((h) => h.state === 'up');
    if (!up.some((h) => h.spec.until !== undefined)) return [];
    const out: number[] = [];
    for (const id of this.readiness.ready.values()) {
      if (this.states.status[id] === 'open' && servedBy(this.dispatcher, up, id).length > 0 && timelyHosts(this.dispatcher, up, id, at).length === 0) out.push(this.expected.duration[id]!);
    }
    return out;
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
    return { total: this.plan.length, byStatus: { ...this.states.counts }, ready: this.readiness.ready.size };
  }

  get finished(): boolean { return this.ended; }

  // ---- dispatch --------------------------------------------------------

  private dispatch(out: EngineCommand[], at: number): void {
    if (this.ended) return;
    if (this.closing || !this.space.open) {
      this.checkFinished(out, at);
      return;
    }
    if (this.expected.replan(this.hosts.capacity(), (id) => this.states.status[id]!)) this.readiness.ready.reorder();
    this.apply(out, at, dispatchRound(this.dispatcher, at));
    this.checkFinished(out, at);
  }

  /** Carries out what a dispatch round decided, in its order. */
  private apply(out: EngineCommand[], at: number, decision: DispatchDecision): void {
    const ready = this.readiness.ready;
    for (let i = 0; i < decision.taken; i++) ready.pop();
    for (const start of decision.starts) this.startJob(out, at, start);
    for (const id of decision.parked) {
      if (!this.paths.park(id, this.graph.pkgpaths[id]!)) throw new Error(`dispatch parked ${this.graph.pkgnames[id]!} on a free pkgpath`);
    }
    for (const id of decision.setAside) ready.push(id);
  }

  private startJob(out: EngineCommand[], at: number, { id, host: hostName, makeJobs, expectedEnd, placed }: JobStart): void {
    const host = this.hosts.get(hostName)!;
    const entry = this.plan[id]!;
    const job: Job = {
      id: this.nextJob++, pkgname: entry.pkgname, pkgpath: entry.pkgpath, host: host.spec.name,
      slot: host.free[0]!, makeJobs, attempt: this.attempts[id]! + 1, startedAt: at, ...(placed !== undefined && { placed }),
    };
    this.jobOfNode.set(id, job.id);
    this.hosts.occupy(host, job, id, entry.estimate, expectedEnd);
    this.paths.occupy(entry.pkgpath, job.id);
    // Why it went to that host, when its class decided: `kiln why` shows a building package's reason.
    this.states.set(out, job.startedAt, id, 'building', placed === undefined ? {} : { reason: placed }, job.id);
    out.push({ type: 'start', job });
  }

  private dispatchSnapshot(config: EngineConfig): DispatchSnapshot {
    return {
      hosts: this.hosts, ready: this.readiness.ready, priority: this.expected.priority, estimates: this.plan.map((p) => p.estimate),
      tail: () => this.expected.tail,
      duration: () => this.expected.duration,
      plannedMakeJobs: () => this.expected.plannedMakeJobs,
      pkgnames: this.graph.pkgnames, pkgpaths: this.graph.pkgpaths, makeJobsSafe: this.plan.map((p) => p.makeJobsSafe), features: this.plan.map((p) => p.features),
      placement: config.placement, makeJobs: config.makeJobs, admission: config.admission ?? defaultAdmission,
      reservation: config.reservation ?? backfillReservation,
      expect: this.expected.expect,
      remainingWork: () => this.expected.openWork,
      remainingCoreWork: () => this.expected.openCoreWork,
      isOpen: (id) => this.states.status[id] === 'open',
      upcoming: (at) => this.expected.upcoming({
        status: (id) => this.states.status[id]!,
        pending: (id) => this.readiness.pending[id]!,
        runningEnd: (id, now) => {
          const job = this.jobOfNode.get(id);
          return job === undefined ? undefined : this.hosts.endOf(job, now);
        },
      }, at),
      pathBusy: (pkgpath) => this.paths.blocks(pkgpath),
    };
  }

  private checkFinished(out: EngineCommand[], at: number): void {
    if (this.hosts.running.size > 0 || this.readiness.checking.size > 0) return;
    if (this.closing) {
      // What ran has ended; the caller makes a new plan from the whole tree.
      this.ended = true;
      out.push({ type: 'finished', at, result: 'stopped' });
      return;
    }
    if (!this.more && this.readiness.ready.size === 0 && !this.paths.anyParked && !this.readiness.fetching) {
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
