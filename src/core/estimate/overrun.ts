// Online correction of a running job's expected end. A job that has run past
// its estimate raises its estimate: it is expected to run on for a share of
// the time it has run so far (the longer a job has overrun, the longer it
// is likely to go on, as with heavy-tailed build times), never to end now.
// What waits behind it follows, as the engine reads every running job's end
// through this: the expected end of the build (and so how much slack a
// slower host has), when the jobs behind it should be ready, when its slot
// and cores free.

/**
 * Of the time an overrunning job has run, the share it is expected to run on.
 * Measured on bench/schedule-families.ts (seeds 1-6 and 101-112): 0.25 and
 * 0.5 lower kiln's mean over the mixed-host and shared-core families by 1-2 %
 * against 0 (expected to end now, as before), 1 less so; the families on
 * one host do not move.
 */
export const OVERRUN_RUNS_ON = 0.25;

/** When a job started at `startedAt` and expected to end at `expectedEnd` should end, seen at `now`. */
export function correctedEnd(startedAt: number, expectedEnd: number, now: number): number {
  if (now <= expectedEnd) return expectedEnd;
  return now + OVERRUN_RUNS_ON * (now - startedAt);
}
