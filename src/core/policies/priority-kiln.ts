// kiln's order: the ready job that bounds the end of the build most starts
// first. Once a job starts, what depends on it cannot end sooner than the
// longest path of expected durations from its start (the critical path
// behind it), nor sooner than all the work behind it spread over every
// slot of every host (its own and its dependents' expected seconds, over
// the hosts' capacity): its score is the larger of the two. The first rules
// when slots are many, the second when they are few (and makes the order
// robust when actual times stray from the estimates: a job with much work
// behind it starts early). Durations are the estimates at the make jobs the
// core plan gives, work is core-seconds then, capacity cores. Jobs with
// equal scores go by the work that waits behind them (a bound from above,
// exact where the dependents form a tree). A guessed time counts at its
// long side, so a port the history does not know starts early.

import type { BuildGraph } from '../resolve/graph.js';
import { forEachDependentSet, tails, weightedSum } from '../resolve/graph-paths.js';
import type { Estimate } from '../model.js';
import { wallAt } from '../estimate/speedup.js';
import { longSide } from './guess-risk.js';
import type { PriorityContext, PriorityPolicy } from './policy.js';

/** Seconds by which "more work behind" may lift a job: below any real difference of paths. */
const TIE_SPAN_S = 1e-3;

export const kilnPriority: PriorityPolicy = {
  name: 'kiln',
  usesCapacity: true,
  priorities(graph: BuildGraph, estimates: readonly Estimate[], context?: PriorityContext): Float64Array {
    const duration = expectedDurations(estimates, context);
    const plan = context?.makeJobs;
    const work = plan ? duration.map((d, id) => d * plan[id]!) : duration;
    const capacity = context?.capacity ?? 0;
    const { order } = graph.topologicalOrder();
    const score = tails(graph, (id) => duration[id]!, order);
    let total = 0;
    for (const w of work) total += w;
    const behind = workBehindBound(graph, work, order, total);
    if (capacity > 0) {
      const unsure = [];
      for (let id = 0; id < graph.size; id++) if ((behind[id]! + work[id]!) / capacity > score[id]!) unsure.push(id);
      exactWorkBehind(graph, work, unsure, behind);
      for (const id of unsure) score[id] = Math.max(score[id]!, (behind[id]! + work[id]!) / capacity);
    }
    for (let id = 0; id < graph.size; id++) score[id]! += (TIE_SPAN_S * behind[id]!) / (total + 1);
    return score;
  },
};

/**
 * For each node, a bound from above of the work of everything depending on
 * it: its dependents' work and bounds, summed (a dependent reached along
 * two paths counts twice), at most the total. Exact where the dependents
 * form a tree.
 */
function workBehindBound(graph: BuildGraph, work: ArrayLike<number>, order: readonly number[], total: number): Float64Array {
  const bound = new Float64Array(graph.size);
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    let sum = 0;
    for (const d of graph.dependents[id]!) sum += work[d]! + bound[d]!;
    bound[id] = Math.min(total, sum);
  }
  return bound;
}

/** Replaces the bound of each node of `ids` with the exact work behind it. */
function exactWorkBehind(graph: BuildGraph, work: ArrayLike<number>, ids: readonly number[], behind: Float64Array): void {
  if (ids.length > graph.size / 8) {
    const wanted = new Uint8Array(graph.size);
    for (const id of ids) wanted[id] = 1;
    forEachDependentSet(graph, (id, dependents) => {
      if (wanted[id]) behind[id] = dependents ? weightedSum(dependents, work) : 0;
    });
    return;
  }
  const seen = new Int32Array(graph.size).fill(-1);
  const queue: number[] = [];
  for (const root of ids) {
    let sum = 0;
    queue.length = 0;
    queue.push(root);
    seen[root] = root;
    for (let i = 0; i < queue.length; i++) {
      for (const d of graph.dependents[queue[i]!]!) {
        if (seen[d] === root) continue;
        seen[d] = root;
        sum += work[d]!;
        queue.push(d);
      }
    }
    behind[root] = sum;
  }
}

/**
 * A guessed time counts at this many spreads above the guess (guess-risk.ts).
 * Measured on bench:schedule-families (seeds 1-6, 101-112): 1 lowers kiln's
 * mean with 20 % of the history missing on 8 slots from 1.0157 to 1.0044 of
 * the bound, and on speeds 6/4/2/1 from 1.035-1.081 to 1.010-1.023; 0.5 did
 * half as well, 1.5 no better.
 */
const GUESS_SPREADS = 1;

/** Each job's expected seconds at speed 1 with its planned make jobs (its recorded ones without a plan), a guess at its long side. */
export function expectedDurations(estimates: readonly Estimate[], context?: PriorityContext): Float64Array {
  const expect = context?.expect ?? wallAt;
  const plan = context?.makeJobs;
  return Float64Array.from(estimates, (e, id) => (plan ? expect(e, plan[id]!) : e.wallS) * longSide(e, GUESS_SPREADS));
}
