// pbulk's order: the ready package with the most packages depending on it,
// directly or not, counting itself (pbulk-build's "depth"), starts first.

import type { BuildGraph } from '../resolve/graph.js';
import { forEachDependentSet, popcount } from '../resolve/graph-paths.js';
import type { PriorityPolicy } from './policy.js';

export const pbulkPriority: PriorityPolicy = {
  name: 'pbulk',
  priorities(graph: BuildGraph): Float64Array {
    const score = new Float64Array(graph.size);
    forEachDependentSet(graph, (id, dependents) => {
      score[id] = 1 + (dependents ? popcount(dependents) : 0);
    });
    return score;
  },
};
