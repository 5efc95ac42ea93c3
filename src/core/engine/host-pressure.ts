// Pressure-aware hosts (as Hydra's 2026 queue runner): each host reports its
// load every few seconds, with the kernel's pressure stall information
// (/proc/pressure, the share of the last 10 s some task waited for CPU or
// IO) and the free disk where it builds; a host over one of its hosts-file
// thresholds takes no new job until it is back under. Pure.

import type { HostLoad, PressureLimits } from '../model.js';

/**
 * Why a host with `limits` and this measured `load` takes no new job, or
 * undefined. `ownPerCore`: the make jobs kiln runs there per core, which
 * `max-load` does not count (kiln's own jobs are not pressure on it).
 */
export function pressureProblem(limits: PressureLimits | undefined, load: HostLoad | undefined, ownPerCore = 0): string | undefined {
  if (limits === undefined || load === undefined) return undefined;
  const over: string[] = [];
  const beyond = Math.max(0, load.loadPerCore - ownPerCore);
  if (limits.maxLoad !== undefined && beyond > limits.maxLoad) {
    over.push(`load ${beyond.toFixed(2)} per core${ownPerCore > 0 ? " beyond kiln's own jobs" : ''} above max-load=${limits.maxLoad}`);
  }
  for (const [what, value] of [['CPU', load.cpuPressure], ['IO', load.ioPressure]] as const) {
    if (limits.maxPsi !== undefined && value !== undefined && value > limits.maxPsi) over.push(`${what} pressure ${value.toFixed(0)}% above max-psi=${limits.maxPsi}`);
  }
  if (limits.minDiskMiB !== undefined && load.diskFreeMiB !== undefined && load.diskFreeMiB < limits.minDiskMiB) {
    over.push(`${load.diskFreeMiB} MiB free where it builds, below min-disk (${limits.minDiskMiB} MiB)`);
  }
  return over.length > 0 ? over.join('; ') : undefined;
}

/**
 * Why a job whose port needed `estimate.diskMiB` last time does not start
 * on a host that measured `load`, or undefined: the host has less free where
 * it builds, less what the jobs started there since it measured it
 * (`promisedMiB`) needed last time. Unknown on either side: no objection.
 */
export function diskShort(estimate: { readonly diskMiB?: number }, load: HostLoad | undefined, promisedMiB = 0): string | undefined {
  const need = estimate.diskMiB;
  const measured = load?.diskFreeMiB;
  if (need === undefined || measured === undefined || need <= measured - promisedMiB) return undefined;
  const promised = promisedMiB > 0 ? ` (${measured} MiB less ${promisedMiB} MiB for the jobs started since)` : '';
  return `${Math.max(0, measured - promisedMiB)} MiB free where it builds${promised}, its last build needed ${need} MiB`;
}
