// kiln's placement: slow hosts get the jobs that fit them, the fastest get
// the long jobs on the critical path. A job fits a host when, started there
// now, it and the longest path behind it still end by the build's expected
// end (the horizon). Of the hosts it fits, it takes the slowest (keeping
// fast slots for jobs that need them), preferring a host with the cores its
// plan gives it. A job that fits no free host takes the one where it ends
// first, unless a busy faster host would free a slot and end it sooner:
// then it waits for that host.

import type { HostView, PlacementPolicy } from './policy.js';

/** Seconds of leeway in "ends by the horizon", for rounding. */
const LEEWAY_S = 1e-6;

export const kilnPlacement: PlacementPolicy = {
  name: 'kiln',
  place(job, hosts, now, round) {
    const free = hosts.filter((h) => h.freeSlots > 0);
    if (free.length === 0) return undefined;
    const fastest = round?.fastestSpeed ?? Math.max(...hosts.map((h) => h.speed));
    const behind = Math.max(0, job.tailS - job.durationS) / fastest;
    const endHere = (h: HostView, at: number): number => at + job.durationS / h.speed;
    const horizon = round?.horizon ?? Infinity;
    const fitting = free.filter((h) => endHere(h, now) + behind <= horizon + LEEWAY_S);
    if (fitting.length > 0) {
      const better = (a: HostView, b: HostView): boolean => {
        const coresA = a.freeCores >= job.plannedMakeJobs;
        const coresB = b.freeCores >= job.plannedMakeJobs;
        if (coresA !== coresB) return coresA;
        if (a.speed !== b.speed) return a.speed < b.speed;
        return a.freeCores > b.freeCores;
      };
      return fitting.reduce((best, h) => (better(h, best) ? h : best)).name;
    }
    const soonest = free.reduce((best, h) => (endHere(h, now) < endHere(best, now) ? h : best));
    const soonestEnd = endHere(soonest, now);
    const waitFor = hosts.some((h) => h.freeSlots === 0 && h.speed > soonest.speed && endHere(h, Math.max(now, h.slotFreeAt)) < soonestEnd);
    return waitFor ? undefined : soonest.name;
  },
};
