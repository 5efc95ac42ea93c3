// Pressure-aware hosts (as Hydra's 2026 queue runner): each host reports its
// load every few seconds, with the kernel's pressure stall information
// (/proc/pressure, the share of the last 10 s some task waited for CPU or
// IO) and the free disk where it builds; a host over one of its hosts-file
// thresholds takes no new job until it is back under. Pure.

import type { HostLoad, PressureLimits } from '../model.js';

/** Why a host with `limits` and this measured `load` takes no new job, or undefined. */
export function pressureProblem(limits: PressureLimits | undefined, load: HostLoad | undefined): string | undefined {
  if (limits === undefined || load === undefined) return undefined;
  const over: string[] = [];
  if (limits.maxLoad !== undefined && load.loadPerCore > limits.maxLoad) {
    over.push(`load ${load.loadPerCore.toFixed(2)} per core above max-load=${limits.maxLoad}`);
  }
  for (const [what, value] of [['CPU', load.cpuPressure], ['IO', load.ioPressure]] as const) {
    if (limits.maxPsi !== undefined && value !== undefined && value > limits.maxPsi) over.push(`${what} pressure ${value.toFixed(0)}% above max-psi=${limits.maxPsi}`);
  }
  if (limits.minDiskMiB !== undefined && load.diskFreeMiB !== undefined && load.diskFreeMiB < limits.minDiskMiB) {
    over.push(`${load.diskFreeMiB} MiB free where it builds, below min-disk (${limits.minDiskMiB} MiB)`);
  }
  return over.length > 0 ? over.join('; ') : undefined;
}
