// Adaptive concurrency, as dsynth does it: when a host's measured load per
// core, swap use or free memory pass their limits, it backs off (a quarter
// fewer jobs than it runs and a quarter fewer cores, never below one), and
// it comes back slowly: one more slot and an eighth of its cores for each
// quiet period that passes with the load under the limits.

import type { ConcurrencyPolicy, HostLimit } from './policy.js';

export interface LoadLimits {
  /** 1-minute load average per core above which the host is overloaded. */
  readonly maxLoadPerCore: number;
  /** Fraction of swap in use above which the host is overloaded. */
  readonly maxSwapUsed: number;
  /** Free memory (MiB) below which the host is overloaded. */
  readonly minMemoryFreeMiB: number;
  /** Seconds of quiet before the limit grows one step. */
  readonly quietS: number;
}

export const DEFAULT_LOAD_LIMITS: LoadLimits = { maxLoadPerCore: 1.5, maxSwapUsed: 0.1, minMemoryFreeMiB: 1024, quietS: 120 };

export function adaptiveConcurrency(limits: LoadLimits = DEFAULT_LOAD_LIMITS): ConcurrencyPolicy {
  return {
    name: 'adaptive',
    adjust(limit, load, host, running, now): HostLimit {
      const overloaded = load.loadPerCore > limits.maxLoadPerCore || load.swapUsed > limits.maxSwapUsed
        || load.memoryFreeMiB < limits.minMemoryFreeMiB;
      if (overloaded) {
        const busy = Math.min(limit.slots, Math.max(1, running));
        return {
          slots: Math.max(1, busy - Math.max(1, Math.floor(busy / 4))),
          cores: Math.max(1, Math.floor((limit.cores * 3) / 4)),
          since: now,
        };
      }
      const below = limit.slots < host.slots || limit.cores < host.cores;
      if (!below || now - limit.since < limits.quietS) return limit;
      return {
        slots: Math.min(host.slots, limit.slots + 1),
        cores: Math.min(host.cores, limit.cores + Math.max(1, Math.floor(host.cores / 8))),
        since: now,
      };
    },
  };
}
