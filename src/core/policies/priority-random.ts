// dpb's -r: a seeded random order, to bring out missing dependencies (a
// port that builds only because something it does not declare happened to
// be built first). Each package's score comes from the seed and its
// pkgname alone, so the same seed ranks the same packages the same way
// whatever order the scan found them in, and a package added while the scan
// goes on does not move the others.

import type { EngineConfig } from '../engine/engine.js';
import type { BuildGraph } from '../resolve/graph.js';
import { evenMakeJobs } from './make-jobs-even.js';
import { anyFreePlacement } from './placement-any.js';
import type { PriorityPolicy } from './policy.js';

/** The largest seed: seeds are 32-bit. */
export const MAX_SEED = 0xffffffff;

export function randomPriority(seed: number): PriorityPolicy {
  return {
    name: `random ${seed}`,
    priorities(graph: BuildGraph): Float64Array {
      const score = new Float64Array(graph.size);
      for (let id = 0; id < graph.size; id++) score[id] = rank(seed, graph.pkgnames[id]!);
      return score;
    },
  };
}

/** A number in [0, 1) from the seed and the name: FNV-1a over both, then a murmur3 finaliser. */
function rank(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** The policies of `kiln build --random SEED`: the seeded order, any free slot, even make jobs: none of kiln's heuristics. */
export function randomOrder(seed: number): Pick<EngineConfig, 'priority' | 'placement' | 'makeJobs'> {
  return { priority: randomPriority(seed), placement: anyFreePlacement, makeJobs: evenMakeJobs };
}
