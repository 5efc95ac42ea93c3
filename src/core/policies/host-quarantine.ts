// When a host, not a package, is to blame (as Hydra and OBS judge their
// build machines): a few infrastructure failures in a row on one host, with
// no job ending well between them, quarantine it for a while, longer each
// time (1 min, 2, 4, ... at most 30 min) until a job ends well there again.
// After too many quarantines in a row the host is given up for the run.
// Pure: the engine keeps each host's health and asks after every job.

export interface QuarantineRule {
  /** Infrastructure failures in a row that quarantine a host. */
  readonly after: number;
  /** Seconds of the first quarantine; each next one in a row doubles it. */
  readonly firstS: number;
  readonly maxS: number;
  /** Quarantines in a row (no job ended well between them) after which the host is given up. */
  readonly giveUpAfter: number;
}

export const DEFAULT_QUARANTINE: QuarantineRule = { after: 3, firstS: 60, maxS: 1800, giveUpAfter: 6 };

export interface HostHealth {
  /** Infrastructure failures in a row since a job last ended well (or the host was last let back in). */
  readonly failures: number;
  /** Quarantines in a row since a job last ended well. */
  readonly quarantines: number;
}

export const HEALTHY: HostHealth = { failures: 0, quarantines: 0 };

/** How a job ended, as far as its host is concerned: its package built or failed on its own (`well`), or the host failed it. */
export type JobEnd = 'well' | 'infrastructure';

export type HealthVerdict =
  | { readonly health: HostHealth; readonly action: 'none' }
  | { readonly health: HostHealth; readonly action: 'quarantine'; readonly forS: number }
  | { readonly health: HostHealth; readonly action: 'give-up' };

export function afterJob(health: HostHealth, end: JobEnd, rule: QuarantineRule = DEFAULT_QUARANTINE): HealthVerdict {
  if (end === 'well') return { health: HEALTHY, action: 'none' };
  const failures = health.failures + 1;
  if (failures < rule.after) return { health: { ...health, failures }, action: 'none' };
  const quarantines = health.quarantines + 1;
  if (quarantines >= rule.giveUpAfter) return { health: { failures: 0, quarantines }, action: 'give-up' };
  return { health: { failures: 0, quarantines }, action: 'quarantine', forS: Math.min(rule.maxS, rule.firstS * 2 ** (quarantines - 1)) };
}

/** The host passed its check again and takes jobs: its failures start afresh, its quarantines count on until a job ends well. */
export function letBackIn(health: HostHealth): HostHealth {
  return { ...health, failures: 0 };
}
