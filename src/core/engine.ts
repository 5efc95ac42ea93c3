// The engine: a deterministic state machine. It takes one event at a time
// and returns the commands that follow from it; it does no I/O and reads no
// clock (times come in the events). A real build and `kiln simulate` feed the
// same engine. Build states are named sets, as in dpb: open (waiting or
// ready), building, and the final states of model.ts.

import type { EngineCommand, EngineEvent, HostLoad, HostState, Job, StatusChange } from './engine-events.js';
import { BuildGraph } from './graph.js';
import { IdHeap } from './heap.js';
import type { Estimate, HostSpec, JobOutcome, Phase, PkgName, PkgPath, Status } from './model.js';
import type { Candidate, HostView, MakeJobsPolicy, PlacementPolicy, PriorityPolicy } from './policies/policy.js';
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
}

interface HostRecord {
  spec: HostSpec;
  state: HostState;
  free: number[];
  coresInUse: number;
  memoryInUseMiB: number;
  running: Set<number>;
  load: HostLoad | undefined;
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
  private readonly plan: readonly PlanEntry[];
  private readonly config: EngineConfig;
  readonly priority: Float64Array;
  private readonly status: Status[];
  private readonly detail: (FailureDetail | undefined)[];
  private readonly blockedBy: (Set<number> | undefined)[];
  private readonly pending: Int32Array;
  private readonly attempts: Int32Array;
  private readonly ready: IdHeap;
  private readonly pathBusy = new Map<PkgPath, number>();
  private readonly pathWaiting = new Map<PkgPath, number[]>();
  private readonly hosts = new Map<string, HostRecord>();
  private readonly jobs = new Map<number, Job>();
  private readonly counts: Record<Status, number> = {
    open: 0, building: 0, done: 0, failed: 0, prefailed: 0,
    'indirect-failed': 0, 'indirect-prefailed': 0, 'up-to-date': 0,
  };
  private nextJob = 1;
  private drainedAll = false;
  /** Hosts drained on their own (a stop-<host> file), known or not yet. */
  private readonly drainedHosts = new Set<string>();
  private began = false;
  private ended = false;

  constructor(plan: readonly PlanEntry[], config: EngineConfig, nextJobId = 1) {
    this.plan = plan;
    this.config = config;
    this.graph = BuildGraph.from(plan);
    this.priority = config.priority.priorities(this.graph, plan.map((p) => p.estimate));
    const n = plan.length;
    this.status = new Array<Status>(n).fill('open');
    this.detail = new Array<FailureDetail | undefined>(n);
    this.blockedBy = new Array<Set<number> | undefined>(n);
    this.pending = new Int32Array(n);
    this.attempts = new Int32Array(n);
    this.ready = new IdHeap(this.priority);
    this.counts.open = n;
    this.nextJob = nextJobId;
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
        if (host) host.load = event.load;
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

  hostStates(): { name: string; state: HostState; spec: HostSpec; running: number }[] {
    return [...this.hosts.values()].map((h) => ({ name: h.spec.name, state: h.state, spec: h.spec, running: h.running.size }));
  }

  snapshot(): EngineCounts {
    return { total: this.plan.length, byStatus: { ...this.counts }, ready: this.ready.size };
  }

  get finished(): boolean {
    return this.ended;
  }

  // ---- events ----------------------------------------------------------

  private hostUp(out: EngineCommand[], at: number, spec: HostSpec): void {
    const known = this.hosts.get(spec.name);
    if (!known) {
      this.hosts.set(spec.name, {
        spec, state: this.drainedAll || this.drainedHosts.has(spec.name) ? 'draining' : 'up', free: slotList(spec.slots),
        coresInUse: 0, memoryInUseMiB: 0, running: new Set(), load: undefined,
      });
    } else {
      const busy = new Set([...known.running].map((j) => this.jobs.get(j)!.slot));
      known.spec = spec;
      known.free = slotList(spec.slots).filter((s) => !busy.has(s));
      if (known.state === 'down') known.state = this.drainedAll || this.drainedHosts.has(spec.name) ? 'draining' : 'up';
    }
    const state = this.hosts.get(spec.name)!.state;
    out.push({ type: 'host', at, host: spec.name, state });
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
    for (const h of name === undefined ? this.hosts.values() : [host].filter((x) => x !== undefined)) {
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
    this.counts[this.status[id]!]--;
    this.counts[status]++;
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
    const host = this.hosts.get(job.host)!;
    host.running.delete(job.id);
    if (job.slot < host.spec.slots) host.free.push(job.slot);
    host.coresInUse -= job.makeJobs;
    host.memoryInUseMiB -= this.plan[this.graph.id(job.pkgname)!]!.estimate.memoryMiB ?? 0;
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
    const open = [...this.hosts.values()].filter((h) => h.state === 'up' && h.free.length > 0);
    if (open.length > 0 && this.ready.size > 0) this.startReady(out, at, open);
    this.checkFinished(out, at);
  }

  private startReady(out: EngineCommand[], at: number, hosts: HostRecord[]): void {
    const setAside: number[] = [];
    const topPriority = this.priority[this.ready.peek()!]!;
    while (hosts.length > 0 && this.ready.size > 0) {
      const id = this.ready.pop()!;
      if (this.status[id] !== 'open') continue; // stale entry
      const pkgpath = this.graph.pkgpaths[id]!;
      if (this.pathBusy.has(pkgpath)) {
        const list = this.pathWaiting.get(pkgpath) ?? [];
        list.push(id);
        this.pathWaiting.set(pkgpath, list);
        continue;
      }
      const entry = this.plan[id]!;
      const candidate: Candidate = {
        id, pkgname: entry.pkgname, priority: this.priority[id]!, estimate: entry.estimate,
        makeJobsSafe: entry.makeJobsSafe, waiting: this.ready.size, topPriority,
      };
      const views = hosts.map((h) => this.view(h));
      const chosen = this.config.placement.place(candidate, views, at);
      const host = chosen === undefined ? undefined : this.hosts.get(chosen);
      if (!host || host.state !== 'up' || host.free.length === 0) { setAside.push(id); continue; }
      const makeJobs = Math.max(1, Math.floor(this.config.makeJobs.makeJobs(candidate, this.view(host))));
      const job: Job = {
        id: this.nextJob++, pkgname: entry.pkgname, pkgpath, host: host.spec.name,
        slot: host.free.shift()!, makeJobs, attempt: this.attempts[id]! + 1, startedAt: at,
      };
      this.jobs.set(job.id, job);
      host.running.add(job.id);
      host.coresInUse += makeJobs;
      host.memoryInUseMiB += entry.estimate.memoryMiB ?? 0;
      this.pathBusy.set(pkgpath, job.id);
      this.set(out, at, id, 'building', {}, job.id);
      out.push({ type: 'start', job });
      if (host.free.length === 0) hosts.splice(hosts.indexOf(host), 1);
    }
    for (const id of setAside) this.ready.push(id);
  }

  private view(h: HostRecord): HostView {
    return {
      name: h.spec.name, speed: h.spec.speed, slots: h.spec.slots, freeSlots: h.free.length,
      cores: h.spec.cores, coresInUse: h.coresInUse, running: h.running.size,
      memoryMiB: h.spec.memoryMiB, memoryInUseMiB: h.memoryInUseMiB, load: h.load,
    };
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
    const hosts = [...this.hosts.values()];
    const stopped = this.drainedAll || (hosts.length > 0 && hosts.every((h) => h.state === 'draining'));
    if (stopped) {
      this.ended = true;
      out.push({ type: 'finished', at, result: 'stopped' });
    }
  }
}

function isBuilt(status: Status): boolean {
  return status === 'done' || status === 'up-to-date';
}

function slotList(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
