// kiln's order: the ready job with the longest path of expected durations
// from its start to the end of the build (the critical path that remains
// behind it) starts first. Durations are the jobs' estimates at the make
// jobs the core plan gives them. Jobs on equal paths go by the work that
// waits behind them: the summed estimates of everything depending on them.

import type { BuildGraph } from '../graph.js';
import { forEachDependentSet, tails, weightedSum } from '../graph-paths.js';
import type { Estimate } from '../model.js';
import { wallAt } from '../speedup.js';
import type { PriorityContext, PriorityPolicy } from './policy.js';

/** Seconds by which "more work behind" may lift a job: below any real difference of paths. */
const TIE_SPAN_S = 1e-3;

export const kilnPriority: PriorityPolicy = {
  name: 'kiln',
  priorities(graph: BuildGraph, estimates: readonly Estimate[], context?: PriorityContext): Float64Array {
    const duration = expectedDurations(estimates, context);
    const score = tails(graph, (id) => duration[id]!);
    let total = 0;
    for (const d of duration) total += d;
    forEachDependentSet(graph, (id, dependents) => {
      if (dependents) score[id]! += (TIE_SPAN_S * weightedSum(dependents, duration)) / (total + 1);
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
