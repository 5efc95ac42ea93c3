// A big run for the page's scale tests, made in a blink: `packages`
// packages on two hosts of `slots / 2` slots each, every job on the slot
// that frees first, times from a hash of its name. One core package fails
// early and `dependents` packages that need it become indirect-failed at
// that moment (they never start), as a whole tree does when perl fails.

import type { Job } from '../../src/core/engine/engine-events.js';
import type { PackageInfo, RunEvent } from '../../src/core/run-events.js';

export const BIG_START = 1_796_000_000;
export const CORE = 'perl-5.40.0';

export interface BigRun {
  readonly events: RunEvent[];
  /** Jobs that ran (every package but the indirect-failed ones). */
  readonly jobs: number;
  readonly end: number;
}

const hash = (n: number): number => Math.imul(n ^ 0x5bd1e995, 0x01000193) >>> 0;

export function bigRun(packages: number, dependents: number, slots = 64): BigRun {
  const names = Array.from({ length: packages }, (_, i) => (i === 0 ? CORE : `port${i}-1.${i % 7}`));
  const path = (i: number): string => (i === 0 ? 'lang/perl5' : `cat${i % 40}/port${i}`);
  const blocked = (i: number): boolean => i >= 1 && i <= dependents;
  const entries: PackageInfo[] = names.map((pkgname, i) => ({
    pkgname, pkgpath: path(i), maintainer: `m${i % 50}@example.org`, comment: '', categories: '', depends: blocked(i) ? [CORE] : [], expectedS: 120,
  }));
  const events: RunEvent[] = [
    { type: 'run-started', at: BIG_START, run: 'big', tree: '/usr/pkgsrc', logdir: '/var/kiln', packages: '/var/kiln/packages', resumed: false },
    { type: 'resolved', at: BIG_START, packages, prefailed: 0, upToDate: 0, entries },
    { type: 'host', at: BIG_START, host: 'builder1', state: 'up', slots: slots / 2, speed: 1 },
    { type: 'host', at: BIG_START, host: 'builder2', state: 'up', slots: slots / 2, speed: 2 },
  ];
  const free = Array.from({ length: slots }, () => BIG_START);
  const timed: { at: number; order: number; events: RunEvent[] }[] = [];
  let id = 0;
  for (let i = 0; i < packages; i++) {
    if (blocked(i)) continue;
    let slot = 0;
    for (let s = 1; s < slots; s++) if (free[s]! < free[slot]!) slot = s;
    const start = free[slot]!;
    const seconds = i === 0 ? 300 : 20 + (hash(i) % 600);
    const end = start + seconds;
    free[slot] = end;
    const job: Job = {
      id: ++id, pkgname: names[i]!, pkgpath: path(i), host: slot < slots / 2 ? 'builder1' : 'builder2', slot: slot % (slots / 2), makeJobs: 1, attempt: 1, startedAt: start,
    };
    timed.push({ at: start, order: 1, events: [
      { type: 'job-started', at: start, job, expectedS: seconds, lastLogBytes: undefined },
      { type: 'status', change: { type: 'status', at: start, pkgname: job.pkgname, status: 'building', job: job.id } },
    ] });
    const log = `/var/kiln/packages/${job.pkgname}.log`;
    const ended: RunEvent[] = i === 0
      ? [
        { type: 'job-ended', at: end, job, outcome: { kind: 'failed', phase: 'build', error: 'compiler error', phases: [] }, durationS: seconds, log, logBytes: 5000 },
        { type: 'status', change: { type: 'status', at: end, pkgname: job.pkgname, status: 'failed', phase: 'build', error: 'compiler error', job: job.id } },
        ...names.slice(1, dependents + 1).map((pkgname): RunEvent => ({
          type: 'status', change: { type: 'status', at: end, pkgname, status: 'indirect-failed', blockedBy: [CORE] },
        })),
      ]
      : [
        { type: 'job-ended', at: end, job, outcome: { kind: 'built', phases: [] }, durationS: seconds, log, logBytes: seconds * 100 },
        { type: 'status', change: { type: 'status', at: end, pkgname: job.pkgname, status: 'done', job: job.id } },
      ];
    timed.push({ at: end, order: 0, events: ended });
  }
  timed.sort((a, b) => a.at - b.at || a.order - b.order);
  for (const t of timed) events.push(...t.events);
  const last = Math.max(...free);
  events.push({ type: 'run-finished', at: last, result: 'complete' });
  return { events, jobs: id, end: last };
}
