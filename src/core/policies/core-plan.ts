// The core-sharing plan: how many make jobs each job gets when the hosts
// share a budget of cores. It follows the critical-path-and-area idea of
// scheduling jobs that can run on several processors: start every job at
// its even share of cores per slot (one when there are more slots than
// cores: the least core-seconds), then, while the critical path is longer
// than the work spread over all cores (area / cores) and over all slots
// (durations / slots), give more
// make jobs to the job on the critical path that buys the most time per
// core-second added. Stops when the two meet, or when nothing on the path
// can speed up (not MAKE_JOBS_SAFE, already at the largest host's cores,
// or no parallel part in its record).

import type { BuildGraph } from '../resolve/graph.js';
import { criticalChain, tails } from '../resolve/graph-paths.js';
import type { Estimate } from '../model.js';
import type { Capacity, PriorityContext } from './policy.js';

/** Give up after this many rounds: each costs a pass over the graph. */
const MAX_ROUNDS = 400;
/** Stop once the critical path is this fraction of the area bound: list scheduling needs some room. */
const PATH_TO_AREA = 0.9;

export function planMakeJobs(graph: BuildGraph, estimates: readonly Estimate[], makeJobsSafe: readonly boolean[],
  capacity: Capacity, expect: PriorityContext['expect']): Int32Array {
  const n = graph.size;
  const largest = Math.max(1, capacity.largestHostCores);
  const even = Math.max(1, Math.min(largest, Math.floor(capacity.cores / Math.max(1, capacity.slots))));
  const plan = Int32Array.from(makeJobsSafe, (safe) => (safe ? even : 1));
  if (capacity.cores <= 1 || largest <= 1) return plan;
  const duration = Float64Array.from(estimates, (e, id) => expect(e, plan[id]!));
  let area = 0;
  let length = 0;
  for (let id = 0; id < n; id++) {
    area += plan[id]! * duration[id]!;
    length += duration[id]!;
  }
  const order = graph.topologicalOrder().order;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const tail = tails(graph, (id) => duration[id]!, order);
    const chain = criticalChain(graph, (id) => duration[id]!, tail);
    const path = chain.length === 0 ? 0 : tail[chain[0]!]!;
    if (path <= PATH_TO_AREA * Math.max(area / capacity.cores, length / Math.max(1, capacity.slots))) break;
    let best = -1;
    let bestGain = 0;
    let bestNext = 0;
    let bestDuration = 0;
    for (const id of chain) {
      const m = plan[id]!;
      if (!makeJobsSafe[id] || m >= largest) continue;
      const next = Math.min(largest, m + Math.max(1, m >> 2));
      const d = expect(estimates[id]!, next);
      const saved = duration[id]! - d;
      if (saved <= 0) continue;
      const added = next * d - m * duration[id]!;
      const gain = saved / Math.max(added, 1e-9);
      if (gain > bestGain) {
        best = id;
        bestGain = gain;
        bestNext = next;
        bestDuration = d;
      }
    }
    if (best === -1) break;
    area += bestNext * bestDuration - plan[best]! * duration[best]!;
    length += bestDuration - duration[best]!;
    plan[best] = bestNext;
    duration[best] = bestDuration;
  }
  return plan;
}
