// Memory-aware start: a job whose peak memory is known (from history) starts
// on a host only if it fits beside what runs there, within the host's memory
// budget (its `mem=`, else what it measured free plus what kiln's jobs there
// are known to need) and within what the host measured free. Big jobs (at
// least a quarter of the budget) are not started side by side. A host with
// nothing running takes any job, or a job too big for every host would
// never start.

import type { Estimate } from '../model.js';
import type { AdmissionPolicy } from './policy.js';

export function memoryAdmission(bigShare = 0.25): AdmissionPolicy {
  return {
    name: 'memory',
    admits(job, host, running) {
      const need = job.estimate.memoryMiB;
      if (need === undefined || host.running === 0) return true;
      const budget = host.memoryMiB ?? (host.load ? host.load.memoryFreeMiB + host.memoryInUseMiB : undefined);
      if (budget === undefined) return true;
      if (host.memoryInUseMiB + need > budget) return false;
      if (host.load && need > host.load.memoryFreeMiB) return false;
      const big = (e: Estimate): boolean => (e.memoryMiB ?? 0) >= bigShare * budget;
      return !big(job.estimate) || !running().some(big);
    },
  };
}
