// A host that is there only for a while (a Slurm allocation with a time
// limit): it takes a job only if the job is expected to end before the
// host's `until`, which is its end less a margin, so a job started there is
// not cut off by the time limit, and the host is empty when its time is up.

import type { HostSpec } from '../model.js';

/** Whether a job expected to take `durationS` on `spec` (at its speed 1) ends in the host's time if it starts at `at`. */
export function endsInTime(spec: HostSpec, at: number, durationS: number): boolean {
  return spec.until === undefined || at + durationS / spec.speed <= spec.until;
}

/** How long before an allocation of `limitS` seconds ends its host takes no new job: a fifth of it, at most 5 minutes. */
export function drainBeforeS(limitS: number): number {
  return Math.min(300, limitS / 5);
}

/** The `until` of a host that came up at `upAt` in an allocation of `limitS` seconds. */
export function untilOf(upAt: number, limitS: number): number {
  return upAt + limitS - drainBeforeS(limitS);
}

/** What a job needs beyond its estimate to be worth a new allocation: the host comes up a little before the job can start there. */
const START_SLACK_S = 10;

/**
 * Whether a job expected to take `durationS` (at speed 1) would end in time
 * on a host of `speed` in a fresh allocation of `limitS` seconds, so asking
 * for one is worth it; with no limit, always. A job longer than that is
 * asked for no allocation, however long it waits.
 */
export function fitsFresh(limitS: number | undefined, speed: number, durationS: number): boolean {
  if (limitS === undefined) return true;
  const windowS = untilOf(0, limitS);
  return durationS / speed <= windowS - Math.min(START_SLACK_S, windowS / 10);
}

/**
 * Whether every job of `late` (expected seconds at speed 1) is too long for
 * every host of the build: each has a time limit, and no fresh allocation
 * of any gives the job the time. Then waiting cannot help.
 */
export function tooLongForAny(late: readonly number[], hosts: ReadonlyArray<{ readonly limitS: number | undefined; readonly speed: number }>): boolean {
  if (late.length === 0 || hosts.length === 0 || hosts.some((h) => h.limitS === undefined)) return false;
  return late.every((d) => !hosts.some((h) => fitsFresh(h.limitS, h.speed, d)));
}
