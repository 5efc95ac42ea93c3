// The bound no order can beat when kiln's make jobserver moves cores
// (simulated-jobserver.ts): a job costs its busy cores, at least one, over
// its wall time: never less than max(its CPU seconds, its wall time at the
// most make jobs it may get). So: max(the critical path with every job at
// those make jobs, those least costs over all cores). Lower than the core
// bound of fixed make jobs, which charges m cores for the whole wall time.

import { BuildGraph } from '../src/core/resolve/graph.js';
import { criticalPath } from '../src/core/resolve/graph-paths.js';
import type { PreparedSimulation } from '../src/core/simulation/simulation-setup.js';

export function jobserverBound(prepared: PreparedSimulation): number {
  const { plan, hosts, actual, cpuSeconds } = prepared.setup;
  const fastest = hosts.reduce((a, b) => (b.speed > a.speed ? b : a));
  const largest = Math.max(...hosts.map((h) => h.cores));
  const cores = hosts.reduce((sum, h) => sum + (h.cores * h.speed) / fastest.speed, 0);
  const widest = (id: number): number => actual(id, plan[id]!.makeJobsSafe ? largest : 1, fastest);
  let least = 0;
  for (let id = 0; id < plan.length; id++) least += Math.max(cpuSeconds?.(id, fastest) ?? 0, widest(id));
  return Math.max(criticalPath(BuildGraph.from(plan), widest), least / cores);
}
