// pbulk's order: the ready package with the most packages depending on it,
// directly or not, counting itself (pbulk-build's "depth"), starts first.

import type { BuildGraph } from '../graph.js';
import type { PriorityPolicy } from './policy.js';

export const pbulkPriority: PriorityPolicy = {
  name: 'pbulk',
  priorities(graph: BuildGraph): Float64Array {
    const n = graph.size;
    const score = new Float64Array(n);
    const words = Math.ceil(n / 32);
    const { order } = graph.topologicalOrder();
    // Transitive dependents as bitsets, filled from the leaves of the order back.
    const reach: (Uint32Array | undefined)[] = new Array<Uint32Array | undefined>(n);
    for (let i = order.length - 1; i >= 0; i--) {
      const id = order[i]!;
      const dependents = graph.dependents[id]!;
      if (dependents.length === 0) { score[id] = 1; continue; }
      const bits = new Uint32Array(words);
      for (const d of dependents) {
        bits[d >> 5]! |= 1 << (d & 31);
        const sub = reach[d];
        if (sub) for (let w = 0; w < words; w++) bits[w]! |= sub[w]!;
      }
      reach[id] = bits;
      score[id] = 1 + popcount(bits);
      // A dependent's set is no longer needed once all its deps are done.
    }
    return score;
  },
};

function popcount(bits: Uint32Array): number {
  let count = 0;
  for (let w = 0; w < bits.length; w++) {
    let v = bits[w]!;
    v -= (v >>> 1) & 0x55555555;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    count += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return count;
}
