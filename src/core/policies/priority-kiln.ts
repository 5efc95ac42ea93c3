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
// equal scores go by the work that waits behind them.

import type { BuildGraph } from '../graph.js';
import { forEachDependentSet, tails, weightedSum } from '../graph-paths.js';
import type { Estimate } from '../model.js';
import { wallAt } from '../speedup.js';
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
    const capacity = context?.capacity;
    const score = tails(graph, (id) => duration[id]!);
    let total = 0;
    for (const w of work) total += w;
    forEachDependentSet(graph, (id, dependents) => {
      const behind = dependents ? weightedSum(dependents, work) : 0;
      if (capacity !== undefined && capacity > 0) score[id] = Math.max(score[id]!, (behind + work[id]!) / capacity);
      score[id]! += (TIE_SPAN_S * behind) / (total + 1);
    });
    return score;
  },
};

/** Each job's expected seconds at speed 1 with its planned make jobs (its recorded ones without a plan). */
export function expectedDurations(estimates: readonly Estimate[], context?: PriorityContext): Float64Array {
  const expect = context?.expect ?? wallAt;
  const plan = context?.makeJobs;
  return Float64Array.from(estimates, (e, id) => (plan ? expect(e, plan[id]!) : e.wallS));
}
