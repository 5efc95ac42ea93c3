// Random build graphs for tests and benchmarks: layered like a ports tree
// (a few bootstrap packages everything needs, then wider layers), with
// multi-version pkgpaths (two pkgnames of one pkgpath), durations spread
// over orders of magnitude, and some ports not MAKE_JOBS_SAFE. Seeded.

import type { PlanEntry } from '../engine/engine.js';
import type { Estimate } from '../model.js';
import type { Random } from './random.js';

export interface GeneratedGraph {
  readonly plan: PlanEntry[];
  /** Actual seconds of each entry, at its recorded make jobs. */
  readonly actual: Estimate[];
}

export function generatedGraph(random: Random, size: number, noise = 0): GeneratedGraph {
  const plan: PlanEntry[] = [];
  const actual: Estimate[] = [];
  for (let id = 0; id < size; id++) {
    const layerStart = id < 3 ? 0 : Math.floor(id * 0.6);
    const deps = new Set<string>();
    if (id > 0) deps.add(plan[random.below(Math.min(id, 3))]!.pkgname);
    const extra = id < 3 ? 0 : random.below(4);
    for (let k = 0; k < extra; k++) deps.add(plan[random.below(Math.max(1, layerStart))]!.pkgname);
    const multi = id > 3 && random.next() < 0.1;
    const pkgpath = multi ? plan[id - 1]!.pkgpath : `cat/port${id}`;
    const wallS = Math.round(10 * Math.exp(random.next() * 6));
    const makeJobs = random.next() < 0.8 ? 4 : 1;
    const buildWallS = wallS * 0.6;
    const estimate: Estimate = {
      wallS, cpuS: wallS * (makeJobs === 4 ? 2.5 : 0.9), buildWallS,
      buildCpuS: buildWallS * (makeJobs === 4 ? 3.2 : 0.95), makeJobs, source: 'history',
    };
    const f = Math.exp(noise * random.normal());
    actual.push({ ...estimate, wallS: wallS * f, cpuS: estimate.cpuS * f, buildWallS: buildWallS * f, buildCpuS: estimate.buildCpuS * f });
    plan.push({ pkgname: `port${id}-1.0`, pkgpath, deps: [...deps], initial: { status: 'open' }, estimate, makeJobsSafe: makeJobs > 1 });
  }
  return { plan, actual };
}
