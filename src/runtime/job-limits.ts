// How long a job may run, and how long its log may stay still, before it is
// killed: scaled from its history, generous without one (a first build of
// llvm must not be killed), and fixed by the operator when asked.

import type { Estimate } from '../core/model.js';

export interface JobLimitOptions {
  /** `--timeout S`: every job's limit. */
  readonly timeoutS?: number | undefined;
  /** `--stuck-after S`: every job's limit of log silence. */
  readonly stuckAfterS?: number | undefined;
}

const HOUR = 3600;

/** Seconds before a job is killed as `timeout`: ten times its recorded time (at least an hour); a day without history. */
export function timeoutFor(estimate: Estimate, o: JobLimitOptions): number {
  if (o.timeoutS !== undefined) return o.timeoutS;
  return estimate.source === 'history' ? Math.max(HOUR, 10 * estimate.wallS) : 24 * HOUR;
}

/**
 * Seconds a job's log may stay the same size before the job is killed as
 * `stuck`: half its recorded time, between ten minutes and two hours; an
 * hour without history (a long link, a big test suite may be silent a while).
 */
export function stuckAfterFor(estimate: Estimate, o: JobLimitOptions): number {
  if (o.stuckAfterS !== undefined) return o.stuckAfterS;
  return estimate.source === 'history' ? Math.min(2 * HOUR, Math.max(600, estimate.wallS / 2)) : HOUR;
}
