// The speedup model: how long a job takes with a given number of make jobs,
// from what one recorded build of it measured (its build phase's wall and
// CPU seconds at the make jobs it had, and the whole job's wall and CPU).
//
// Only the build phase gets faster with more make jobs; every other phase
// (fetch, depends, configure, install, package) keeps its recorded time.
// The build phase is split, Amdahl's way, into a serial part `s` and a
// parallel part `q` (CPU seconds that ran `m0` wide in the record):
//
//   recorded:  W = s + q / m0        C = s + q        (m0 > 1)
//   so         q = (C - W) * m0 / (m0 - 1),  s = W - q / m0   (q clamped to [0, C])
//   with m:    t(m) = max(s + q / m, C / m)
//
// The floor `C / m` is the rule that work never vanishes: m make jobs cannot
// do the recorded build CPU in less than C / m. More make jobs than recorded
// never make the phase slower than recorded, fewer never make it faster. A
// record at one make job tells nothing of the parallel part: such a job keeps
// its time. A whole job with m make jobs holds m cores for its whole wall
// time, so it costs m * wall >= its recorded CPU seconds (wall is floored at
// cpu / m for that).

import type { Estimate } from '../model.js';

/** The numbers of one recorded build the model needs (an Estimate has them). */
export type BuildTiming = Pick<Estimate, 'wallS' | 'cpuS' | 'buildWallS' | 'buildCpuS' | 'makeJobs'>;

/** The serial and parallel parts of a build phase, in seconds. */
export interface BuildSplit {
  readonly serialS: number;
  readonly parallelCpuS: number;
}

export function buildSplit(t: BuildTiming): BuildSplit {
  const m0 = t.makeJobs;
  const wall = t.buildWallS;
  const cpu = t.buildCpuS;
  if (m0 <= 1) return { serialS: wall, parallelCpuS: 0 };
  const parallel = Math.min(cpu, Math.max(0, ((cpu - wall) * m0) / (m0 - 1)));
  return { serialS: Math.max(0, wall - parallel / m0), parallelCpuS: parallel };
}

/** Wall seconds of the build phase with `makeJobs` make jobs. */
export function buildWallAt(t: BuildTiming, makeJobs: number): number {
  const m0 = t.makeJobs;
  if (makeJobs === m0 || m0 <= 1) return t.buildWallS;
  const { serialS, parallelCpuS } = buildSplit(t);
  const modelled = Math.max(serialS + parallelCpuS / makeJobs, t.buildCpuS / makeJobs);
  return makeJobs > m0 ? Math.min(modelled, t.buildWallS) : Math.max(modelled, t.buildWallS);
}

/**
 * Wall seconds of the whole job with `makeJobs` make jobs: the recorded
 * time at the recorded make jobs, the build phase rescaled otherwise, and
 * never less than the job's recorded CPU seconds divided by `makeJobs`.
 */
export function wallAt(t: BuildTiming, makeJobs: number): number {
  const modelled = makeJobs === t.makeJobs ? t.wallS : t.wallS - t.buildWallS + buildWallAt(t, makeJobs);
  return Math.max(modelled, t.cpuS / makeJobs);
}

/** Core-seconds the job holds with `makeJobs` make jobs: makeJobs * wall. */
export function coreSecondsAt(t: BuildTiming, makeJobs: number): number {
  return makeJobs * wallAt(t, makeJobs);
}
