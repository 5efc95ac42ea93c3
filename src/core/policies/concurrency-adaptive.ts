// Adaptive concurrency: a host under pressure that kiln did not schedule
// itself runs fewer jobs (a quarter fewer than it runs and a quarter fewer
// cores, never below one), and gets a slot and an eighth of its cores back
// for each quiet period that passes under its limits.
//
// Pressure is what the kernel says tasks wait for (PSI: CPU, IO, memory,
// `some avg10`) and the memory still available, not the raw load average:
// kiln gives a host no more make jobs than it has cores, so its own jobs
// raise the load but not the waiting. Only where a kernel reports no PSI is
// the load judged, and then only what it is beyond the make jobs kiln runs
// there. Where a host's line sets `max-psi=` or `max-load=`, that threshold
// is a hard one instead (host-pressure.ts: no new job while over it, all
// slots again once under) and this rule leaves that signal to it.

import type { HostLoad, HostSpec } from '../model.js';
import type { ConcurrencyPolicy, HostLimit, KilnShare } from './policy.js';

export interface LoadLimits {
  /** CPU, IO or memory pressure (percent of the last 10 s) above which a host without `max-psi=` is overloaded. */
  readonly maxPsi: number;
  /** Without PSI: load per core beyond kiln's own make jobs above which a host without `max-load=` is overloaded. */
  readonly maxLoadBeyond: number;
  /** Available memory (MiB) below which it is overloaded. */
  readonly minMemoryFreeMiB: number;
  /** Seconds of quiet before the limit grows one step. */
  readonly quietS: number;
}

export const DEFAULT_LOAD_LIMITS: LoadLimits = { maxPsi: 80, maxLoadBeyond: 1, minMemoryFreeMiB: 1024, quietS: 30 };

/** What about `load` overloads `host` while kiln runs `kiln` there, or undefined. */
export function overload(limits: LoadLimits, load: HostLoad, host: HostSpec, kiln: KilnShare): string | undefined {
  const over: string[] = [];
  if (load.memoryFreeMiB < limits.minMemoryFreeMiB) over.push(`${load.memoryFreeMiB} MiB memory available, below ${limits.minMemoryFreeMiB} MiB`);
  const psi = [['CPU', load.cpuPressure], ['IO', load.ioPressure], ['memory', load.memoryPressure]] as const;
  for (const [what, value] of psi) {
    if (host.pressure?.maxPsi === undefined && value !== undefined && value > limits.maxPsi) over.push(`${what} pressure ${value.toFixed(0)}% above ${limits.maxPsi}%`);
  }
  if (host.pressure?.maxLoad === undefined && psi.every(([, value]) => value === undefined)) {
    const beyond = Math.max(0, load.loadPerCore - kiln.cores / Math.max(1, host.cores));
    if (beyond > limits.maxLoadBeyond) over.push(`load ${beyond.toFixed(2)} per core beyond kiln's own jobs, above ${limits.maxLoadBeyond}`);
  }
  return over.length > 0 ? over.join('; ') : undefined;
}

export function adaptiveConcurrency(limits: LoadLimits = DEFAULT_LOAD_LIMITS): ConcurrencyPolicy {
  return {
    name: 'adaptive',
    adjust(limit, load, host, kiln, now): HostLimit {
      const why = overload(limits, load, host, kiln);
      if (why !== undefined) {
        const busy = Math.min(limit.slots, Math.max(1, kiln.running));
        return {
          slots: Math.max(1, busy - Math.max(1, Math.floor(busy / 4))),
          cores: Math.max(1, Math.floor((limit.cores * 3) / 4)),
          since: now,
          why,
        };
      }
      const below = limit.slots < host.slots || limit.cores < host.cores;
      if (!below || now - limit.since < limits.quietS) return limit;
      const slots = Math.min(host.slots, limit.slots + 1);
      const cores = Math.min(host.cores, limit.cores + Math.max(1, Math.floor(host.cores / 8)));
      const back = slots === host.slots && cores === host.cores;
      return { slots, cores, since: now, ...(!back && limit.why !== undefined && { why: limit.why }) };
    },
  };
}
