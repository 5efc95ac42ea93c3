// dpb's order (DPB::Heuristics): the ready package whose own past build
// time plus that of every package depending on it, directly or not, is
// largest starts first. A package without a recorded time weighs as much
// as the heaviest recorded one, as dpb does once it has read build times.

import type { BuildGraph } from '../resolve/graph.js';
import { forEachDependentSet, weightedSum } from '../resolve/graph-paths.js';
import type { Estimate } from '../model.js';
import type { PriorityPolicy } from './policy.js';

export const dpbPriority: PriorityPolicy = {
  name: 'dpb',
  priorities(graph: BuildGraph, estimates: readonly Estimate[]): Float64Array {
    const weight = dpbWeights(estimates);
    const score = new Float64Array(graph.size);
    forEachDependentSet(graph, (id, dependents) => {
      score[id] = weight[id]! + (dependents ? weightedSum(dependents, weight) : 0);
    });
    return score;
  },
};

/** Each job's own weight in dpb's terms: its recorded seconds, or the heaviest recorded. */
export function dpbWeights(estimates: readonly Estimate[]): Float64Array {
  let heaviest = 1;
  for (const e of estimates) if (e.source === 'history' && e.wallS > heaviest) heaviest = e.wallS;
  return Float64Array.from(estimates, (e) => (e.source === 'history' ? e.wallS : heaviest));
}
