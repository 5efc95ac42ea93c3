// Big-parallel ports by history: a port whose last build kept many cores
// busy through its build phase prefers hosts of the `big-parallel` class
// (hosts file `features=big-parallel`, or `mandatory=big-parallel` for a
// host kept for such ports), as Hydra's big-parallel jobs do, without the
// port saying so (a Portfile's HOST_FEATURES=(big-parallel) requires it).
//
// The thresholds, from a real 1,669-package SmartOS bulk build
// (../shared/data/pkgsrc-smartos/history-bulk-large, 4 make jobs for most):
// 3 cores on average over the build phase (build CPU / build wall) and 10
// minutes of build CPU mark 75 ports (4.6 %), which hold 82 % of all build
// CPU: cmake, llvm, clang, nodejs, thunderbird, qt6, go. Without the CPU
// floor, 282 ports pass, most of them done in a minute wherever they run.
//
// A preference, never a wait: a big-parallel port takes a free host of the
// class when one has a slot (the others look busy to its placement, with no
// end in sight, so that it waits for none of them), and else any free host
// that serves it. Its history was made on ordinary hosts, so it builds
// there; a wait would leave a host idle for a gain that rests on a busy
// host's expected end, and those overrun. Ordinary ports take any free
// host, a big-parallel one too: keeping it free for the big ports gained
// nothing in the simulator (bench/schedule.ts, 3b) and idles it. So neither
// class starves: no port waits for its class, and no host idles while a
// port it serves waits. A port that must not build elsewhere says
// HOST_FEATURES=(big-parallel); a host kept for such ports says
// mandatory=big-parallel (and takes the big-parallel ports by history too).

import type { Estimate } from '../model.js';
import { type HostView, unavailable } from './policy.js';

export const BIG_PARALLEL = 'big-parallel';

/** Average cores busy over the build phase at which a port is big-parallel by history. */
const MANY_CORES = 3;

/** Build-phase CPU seconds below which a port is never big-parallel: it ends soon on any host. */
const MUCH_CPU_S = 600;

/** The average cores the port's recorded build phase kept busy, when that makes it big-parallel; else undefined. */
export function manyCoresByHistory(estimate: Estimate): number | undefined {
  if (estimate.source !== 'history' || !(estimate.buildWallS > 0)) return undefined;
  const cores = estimate.buildCpuS / estimate.buildWallS;
  return cores >= MANY_CORES && estimate.buildCpuS >= MUCH_CPU_S ? cores : undefined;
}

/** The class a port prefers by its history, as features (what `serves` takes as `prefers`). */
export function preferredByHistory(estimate: Estimate): readonly string[] | undefined {
  return manyCoresByHistory(estimate) === undefined ? undefined : BIG_ONLY;
}

const BIG_ONLY: readonly string[] = [BIG_PARALLEL];

/**
 * The views a job's placement gets: a big-parallel port sees only the
 * big-parallel hosts (`isBig`) when one of them has a free slot, else all;
 * any other port sees all. With why it went where, when its class decided.
 */
export function placeByClass(estimate: Estimate, views: readonly HostView[], isBig: (name: string) => boolean):
  { readonly views: readonly HostView[]; readonly why?: string } {
  const cores = manyCoresByHistory(estimate);
  if (cores === undefined || !views.some((v) => isBig(v.name))) return { views };
  const said = `big-parallel by history (${cores.toFixed(1)} cores over ${Math.round(estimate.buildCpuS / 60)} min of build CPU)`;
  if (!views.some((v) => v.freeSlots > 0 && isBig(v.name))) return { views, why: `${said}, no big-parallel host free` };
  return { views: views.map((v) => (isBig(v.name) ? v : unavailable(v))), why: said };
}
