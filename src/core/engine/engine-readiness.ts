// How an open package comes to the ready queue. It waits for its
// dependencies (a count of those not built yet); then, when it may still be
// current (its plan entry or a pkgpath another run let go says so), for the
// answer of a `check`; then for its distfiles (engine-fetch.ts). A package
// opened again (requeued, retried, its pkgpath freed) goes straight back to
// the queue when it waits on nothing. The queue is ordered by build
// priority; what starts from it is engine-dispatch.ts.

import type { CheckVerdict, EngineCommand, EngineEvent } from './engine-events.js';
import { FetchGate } from './engine-fetch.js';
import { grown } from './engine-growth.js';
import type { PlanEntry } from './engine-plan.js';
import { type PackageStates, standingFailure } from './engine-states.js';
import type { BuildGraph } from '../resolve/graph.js';
import { IdHeap } from './heap.js';
import type { PkgName } from '../model.js';

export class Readiness {
  /** Dependencies of each package not built yet. */
  pending: Int32Array;
  /** Packages to check (`check`) before they are built, and those whose answer is awaited. */
  private recheck: Uint8Array;
  readonly checking = new Set<number>();
  /** Packages free to start, highest priority first. */
  ready: IdHeap;
  private readonly fetches = new FetchGate();
  private plan: readonly PlanEntry[];
  private graph: BuildGraph;
  private readonly states: PackageStates;

  constructor(plan: readonly PlanEntry[], graph: BuildGraph, states: PackageStates, priority: Float64Array) {
    this.plan = plan;
    this.graph = graph;
    this.states = states;
    this.pending = new Int32Array(plan.length);
    this.recheck = Uint8Array.from(plan, recheckOf);
    this.ready = new IdHeap(priority);
  }

  /** Takes a plan with more packages (added at the end) and their graph and priorities; the ready queue keeps what it has. */
  grow(plan: readonly PlanEntry[], graph: BuildGraph, priority: Float64Array): void {
    const first = this.plan.length;
    this.plan = plan;
    this.graph = graph;
    this.pending = grown(this.pending, plan.length);
    this.recheck = Uint8Array.from(plan, (p, id) => (id < first ? this.recheck[id]! : recheckOf(p)));
    const ready = new IdHeap(priority);
    for (const id of this.ready.values()) ready.push(id);
    this.ready = ready;
  }

  /** `id`'s dependencies are built: it is first checked when it may still be current, then waits for its distfiles (engine-fetch.ts). */
  becameReady(out: EngineCommand[], at: number, id: number): void {
    if (this.recheck[id] === 1) {
      this.checking.add(id);
      out.push({ type: 'check', at, pkgname: this.graph.pkgnames[id]! });
      return;
    }
    const gate = this.fetches.pass(id, this.graph.pkgnames[id]!, this.plan[id]!.fetch === true);
    if (gate.kind === 'ready') this.ready.push(id);
    else if (gate.kind === 'failed') this.states.fail(out, at, id, { phase: 'fetch', error: 'fetch', reason: gate.reason });
  }

  /** `id` is built (or current): its dependents wait on one package fewer. */
  releaseDependents(out: EngineCommand[], at: number, id: number): void {
    for (const dependent of this.graph.dependents[id]!) {
      if (--this.pending[dependent]! === 0 && this.states.status[dependent] === 'open') this.becameReady(out, at, dependent);
    }
  }

  /** `id` is open again: to the queue if it waits on nothing. */
  reopened(id: number): void {
    if (this.pending[id] === 0 && this.states.status[id] === 'open') this.ready.push(id);
  }

  /** The answer of a `check`: build it, or it stands as it is (current, or failed with its inputs). */
  checked(out: EngineCommand[], at: number, pkgname: PkgName, verdict: CheckVerdict): void {
    const id = this.graph.id(pkgname);
    if (id === undefined || !this.checking.delete(id) || this.states.status[id] !== 'open') return;
    this.recheck[id] = 0;
    if (verdict.status === 'open') this.becameReady(out, at, id);
    else if (verdict.status === 'failed') this.states.fail(out, at, id, standingFailure(verdict));
    else {
      this.states.set(out, at, id, verdict.status);
      this.releaseDependents(out, at, id);
    }
  }

  /** Another run let go of the pkgpath of `ids`; it may have built it (a shared repository): check before building. */
  unlocked(out: EngineCommand[], at: number, ids: readonly number[]): void {
    for (const id of ids) {
      this.recheck[id] = 1;
      if (this.pending[id] === 0 && this.states.status[id] === 'open') this.becameReady(out, at, id);
    }
  }

  fetched(out: EngineCommand[], at: number, event: Extract<EngineEvent, { type: 'distfiles-ready' | 'fetch-failed' }>): void {
    const next = this.fetches.arrived(event, (name) => this.graph.id(name), (id) => this.states.status[id] === 'open',
      (id) => this.recheck[id] === 0 && !this.checking.has(id) && this.plan[id]!.fetch === true);
    if (next?.kind === 'ready') this.becameReady(out, at, next.id);
    else if (next?.kind === 'failed') this.states.fail(out, at, next.id, { phase: 'fetch', error: 'fetch', reason: next.reason });
  }

  /** Whether packages wait for their distfiles. */
  /** Whether package `id` (its dependencies built) waits for its distfiles. */
  awaitsDistfiles(id: number): boolean {
    return this.fetches.parks(this.graph.pkgnames[id]!);
  }

  get fetching(): boolean {
    return this.fetches.waiting;
  }
}

/** 1 for a package to check (`check`) before it is built: it may still be current. */
function recheckOf(entry: PlanEntry): number {
  return entry.initial.status === 'open' && entry.initial.recheck === true ? 1 : 0;
}
