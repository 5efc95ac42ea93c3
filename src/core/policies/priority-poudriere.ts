// poudriere's order: the ready package with the longest chain of packages
// depending on it (counted in packages, itself included) starts first.
// Durations play no part.

import type { BuildGraph } from '../resolve/graph.js';
import { tails } from '../resolve/graph-paths.js';
import type { PriorityPolicy } from './policy.js';

export const poudrierePriority: PriorityPolicy = {
  name: 'poudriere',
  priorities(graph: BuildGraph): Float64Array {
    return tails(graph, () => 1);
  },
};
