// Packages as the engine takes them: all at once when it begins, or in
// batches while the scan goes on (`packages-added`). Packages added later
// depend only on packages the engine has or on each other, so what it has
// does not change: the new ones get their initial states, the failures they
// inherit, and their count of dependencies not yet built.

import type { EngineCommand } from './engine-events.js';
import { isBuilt, type PlanEntry } from './engine-plan.js';
import { type PackageStates, standingFailure } from './engine-states.js';
import type { BuildGraph } from '../resolve/graph.js';
import { unreachable } from '../unreachable.js';

/** What settling new packages reads and writes of the engine. */
export interface SettleContext {
  readonly plan: readonly PlanEntry[];
  readonly graph: BuildGraph;
  readonly states: PackageStates;
  /** Dependencies not yet built, per package; written for the new ones. */
  readonly pending: Int32Array;
  /** Every dependency of `id` is built. */
  becameReady(out: EngineCommand[], at: number, id: number): void;
}

/** Initial states, cycles, failures and readiness of the packages from `first` on. */
export function settle(ctx: SettleContext, out: EngineCommand[], at: number, first: number): void {
  const { plan, graph, states } = ctx;
  for (let id = first; id < plan.length; id++) {
    const initial = plan[id]!.initial;
    switch (initial.status) {
      case 'open': break;
      case 'done':
      case 'up-to-date': states.set(out, at, id, initial.status); break;
      case 'prefailed': states.set(out, at, id, 'prefailed', { reason: initial.reason }); break;
      case 'failed': states.set(out, at, id, 'failed', standingFailure(initial)); break;
      default: unreachable(initial);
    }
  }
  // The resolver names cycles; this keeps the engine whole if one slips through.
  // (Packages added later only depend on earlier ones or each other: a new cycle is all new.)
  for (const cycle of graph.cycles()) {
    if (cycle[0]! < first) continue;
    const names = cycle.map((id) => graph.pkgnames[id]!).join(' -> ');
    for (const id of cycle) {
      if (states.status[id] === 'open') states.set(out, at, id, 'prefailed', { reason: `dependency cycle: ${names}` });
    }
  }
  for (let id = 0; id < plan.length; id++) {
    const s = states.status[id]!;
    if (s !== 'failed' && s !== 'prefailed') continue;
    // An earlier failure reaches the new packages that need it; its older dependents already know.
    if (id >= first) states.propagate(out, at, id);
    else if (graph.dependents[id]!.some((d) => d >= first)) states.propagate(out, at, id, first);
  }
  for (let id = first; id < plan.length; id++) {
    let waiting = 0;
    for (const dep of graph.deps[id]!) if (!isBuilt(states.status[dep]!)) waiting++;
    ctx.pending[id] = waiting;
    if (waiting === 0 && states.status[id] === 'open') ctx.becameReady(out, at, id);
  }
}

/** `array` lengthened to `size`, the new places zero. */
export function grown(array: Int32Array, size: number): Int32Array {
  const bigger = new Int32Array(size);
  bigger.set(array);
  return bigger;
}
