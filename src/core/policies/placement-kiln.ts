// kiln's placement: the fastest hosts get the jobs first (in priority
// order, so the long jobs on the critical path); a job goes to the free host
// where it is expected to end soonest. A slower host gets a job only if the
// job fits it: started there now, the job and the longest path behind it,
// all at that host's speed, still end by the build's expected end (the
// horizon) with room to spare: eight times what the slower host adds to the
// job's own time, since actual times stray from estimates and a long job on
// a slow host is what stretches a build. The path behind is counted at the
// slower host's speed too: the faster hosts are few and kept busy by the
// most critical path, so nothing promises the rest of this path a fast slot,
// and a path started on a slow host tends to stay on hosts like it. A job
// that does not fit waits for a busy faster host if that would end it
// sooner; else it takes the slow host anyway.

import { longSide } from './guess-risk.js';
import type { Candidate, HostView, PlacementPolicy } from './policy.js';

/** Standard deviations above a guess at which a slower host judges it. */
const RISK_SPREADS = 2;

/**
 * Room a job must leave on a slower host, in multiples of the time that host
 * adds. Measured on two sets of eight noisy seeds (bench/schedule.ts):
 * with 4 (twice its time there, on a host of half the speed) a job
 * estimated short that ran long on a slow host cost up to 8 % against the
 * best anchor; with 8 no such loss passed 0.5 %, at the same mean.
 */
const ROOM_PER_EXTRA_SECOND = 8;

export const kilnPlacement: PlacementPolicy = {
  name: 'kiln',
  reserves: true,
  place(job, hosts, now, round) {
    let soonest: HostView | undefined;
    for (const host of hosts) if (host.freeSlots > 0 && (!soonest || better(job, host, soonest))) soonest = host;
    if (!soonest) return undefined;
    const fastest = round?.fastestSpeed ?? Math.max(...hosts.map((h) => h.speed));
    if (soonest.speed >= fastest) return soonest.name;
    // A guess is judged at the long end of what such guesses turn out to be.
    const risk = longSide(job.estimate, RISK_SPREADS);
    const durationS = job.durationS * risk;
    const tailS = job.tailS + durationS - job.durationS;
    const here = durationS / soonest.speed;
    const horizon = round?.horizon() ?? Infinity;
    const slack = horizon - (now + Math.max(tailS, durationS) / soonest.speed);
    if (slack >= ROOM_PER_EXTRA_SECOND * (here - durationS / fastest)) return soonest.name;
    const end = now + here;
    const waitFor = hosts.some((h) => h.freeSlots === 0 && h.speed > soonest.speed && Math.max(now, h.slotFreeAt) + durationS / h.speed < end);
    return waitFor ? undefined : soonest.name;
  },
};

/** Faster first; then a host with the cores the job's plan gives it; then more free cores. */
function better(job: Candidate, a: HostView, b: HostView): boolean {
  if (a.speed !== b.speed) return a.speed > b.speed;
  const enoughA = a.freeCores >= job.plannedMakeJobs;
  const enoughB = b.freeCores >= job.plannedMakeJobs;
  if (enoughA !== enoughB) return enoughA;
  return a.freeCores > b.freeCores;
}
