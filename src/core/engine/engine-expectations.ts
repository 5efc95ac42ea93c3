// What the engine expects of the jobs it has not finished: their priority,
// the make jobs a core plan gives them, their expected seconds and the
// longest path behind each, and the open work left. The plan and the
// priorities are made again when the hosts that are up change (a core plan
// and kiln's order depend on what the hosts can do at once).

import type { Upcoming } from './engine-dispatch.js';
import type { BuildGraph } from '../resolve/graph.js';
import { tails } from '../resolve/graph-paths.js';
import type { Estimate, Status } from '../model.js';
import type { Capacity, MakeJobsPolicy, PriorityContext, PriorityPolicy } from '../policies/policy.js';

/** Wide jobs looked at ahead of their dependencies, per round, and how deep. */
const UPCOMING_LOOKED_AT = 8;
const UPCOMING_DEPTH = 3;
/** Watched jobs looked at per round, past the built ones at the head: running and ready ones are passed over. */
const UPCOMING_SCANNED = 256;

/** What the look-ahead reads of the engine's state. */
export interface JobState {
  status(id: number): Status;
  /** Dependencies not yet built. */
  pending(id: number): number;
  /** When the running job of package `id` should end, undefined if it is not running. */
  runningEnd(id: number, at: number): number | undefined;
}

export class Expectations {
  readonly priority: Float64Array;
  tail: Float64Array;
  duration: Float64Array;
  plannedMakeJobs: Int32Array | undefined;
  /** Expected seconds of open work not started, at speed 1, and the same in core-seconds. */
  openWork = 0;
  openCoreWork = 0;
  /**
   * Jobs that may be waited for: those the core plan gives several make
   * jobs, or every job when the placement reserves slots; highest priority
   * first. Those before `firstOpen` are built.
   */
  private watched: number[] = [];
  private firstOpen = 0;
  private plannedFor = '';
  private readonly graph: BuildGraph;
  private readonly estimates: readonly Estimate[];
  private readonly makeJobsSafe: readonly boolean[];
  private readonly priorityPolicy: PriorityPolicy;
  private readonly makeJobs: MakeJobsPolicy;
  private readonly reserves: boolean;
  readonly expect: PriorityContext['expect'];

  constructor(graph: BuildGraph, estimates: readonly Estimate[], makeJobsSafe: readonly boolean[],
    policies: { priority: PriorityPolicy; makeJobs: MakeJobsPolicy; expect: PriorityContext['expect']; reserves: boolean }) {
    this.graph = graph;
    this.estimates = estimates;
    this.makeJobsSafe = makeJobsSafe;
    this.priorityPolicy = policies.priority;
    this.makeJobs = policies.makeJobs;
    this.expect = policies.expect;
    this.reserves = policies.reserves;
    this.priority = this.priorityPolicy.priorities(graph, estimates, { expect: this.expect });
    this.duration = Float64Array.from(estimates, (e) => e.wallS);
    this.tail = tails(graph, (id) => this.duration[id]!);
    for (let id = 0; id < graph.size; id++) this.countOpen(id, 1);
  }

  /** Keeps the open work right as a package leaves or enters `open`. */
  statusChanged(id: number, before: Status, after: Status): void {
    if (before === 'open') this.countOpen(id, -1);
    if (after === 'open') this.countOpen(id, 1);
    if (after === 'open' && before !== 'open') this.firstOpen = 0;
  }

  /**
   * Makes the plan and priorities again if `capacity` differs from what
   * they were made for; true when the priorities changed.
   */
  replan(capacity: Capacity, status: (id: number) => Status): boolean {
    if (!this.makeJobs.plan && !this.priorityPolicy.usesCapacity) return false;
    const key = `${capacity.cores}/${capacity.largestHostCores}/${capacity.equivalentSlots}`;
    if (capacity.slots === 0 || key === this.plannedFor) return false;
    this.plannedFor = key;
    const plan = this.makeJobs.plan?.(this.graph, this.estimates, this.makeJobsSafe, capacity, this.expect);
    this.plannedMakeJobs = plan;
    const context: PriorityContext = {
      expect: this.expect, capacity: plan ? capacity.equivalentCores : capacity.equivalentSlots, ...(plan && { makeJobs: plan }),
    };
    this.priority.set(this.priorityPolicy.priorities(this.graph, this.estimates, context));
    this.watched = [];
    for (let id = 0; id < this.graph.size; id++) if (plan ? plan[id]! > 1 : this.reserves) this.watched.push(id);
    this.watched.sort((a, b) => this.priority[b]! - this.priority[a]! || a - b);
    this.firstOpen = 0;
    this.duration = Float64Array.from(this.estimates, (e, id) => (plan ? this.expect(e, plan[id]!) : e.wallS));
    this.tail = tails(this.graph, (id) => this.duration[id]!);
    this.recount(status);
    return true;
  }

  /** Counts the open work again, from each package's status. */
  recount(status: (id: number) => Status): void {
    this.openWork = 0;
    this.openCoreWork = 0;
    for (let id = 0; id < this.graph.size; id++) if (status(id) === 'open') this.countOpen(id, 1);
  }

  /**
   * The most urgent watched jobs still waiting on dependencies that run or
   * will soon, with when they should be ready.
   */
  upcoming(state: JobState, at: number): Upcoming[] {
    const found: Upcoming[] = [];
    const memo = new Map<number, number>();
    const watched = this.watched;
    while (this.firstOpen < watched.length && state.status(watched[this.firstOpen]!) !== 'open') this.firstOpen++;
    const last = Math.min(watched.length, this.firstOpen + UPCOMING_SCANNED);
    for (let i = this.firstOpen; i < last && found.length < UPCOMING_LOOKED_AT; i++) {
      const id = watched[i]!;
      if (state.status(id) !== 'open' || state.pending(id) === 0) continue;
      const readyAt = this.readyAt(state, id, at, UPCOMING_DEPTH, memo);
      if (readyAt < Infinity) found.push({ id, readyAt });
    }
    return found;
  }

  /** When `id` should be ready, by the expected ends of what it waits on, `depth` levels down; Infinity if unknown. */
  private readyAt(state: JobState, id: number, at: number, depth: number, memo: Map<number, number>): number {
    const known = memo.get(id);
    if (known !== undefined) return known;
    let ready = at;
    for (const dep of this.graph.deps[id]!) {
      const s = state.status(dep);
      if (s === 'done' || s === 'up-to-date') continue;
      let end = state.runningEnd(dep, at) ?? Infinity;
      if (end === Infinity && s === 'open' && depth > 0) end = this.readyAt(state, dep, at, depth - 1, memo) + this.duration[dep]!;
      if (end === Infinity) {
        ready = Infinity;
        break;
      }
      ready = Math.max(ready, end);
    }
    memo.set(id, ready);
    return ready;
  }

  private countOpen(id: number, sign: 1 | -1): void {
    const seconds = this.duration[id]!;
    this.openWork += sign * seconds;
    this.openCoreWork += sign * (this.plannedMakeJobs?.[id] ?? 1) * seconds;
  }
}
