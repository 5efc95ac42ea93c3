// The words of the domain, as types. See DESIGN.md "Words".

/** What a port builds: `gmake-4.4.1`. */
export type PkgName = string;
/** A port's directory relative to the tree: `devel/gmake`. */
export type PkgPath = string;

/**
 * Where a package stands in this run. pbulk's states, plus `up-to-date`
 * (built by an earlier run and still current) and kiln's `building`.
 * `open` covers both "waiting for dependencies" and "ready to start".
 */
export type Status =
  | 'open'
  | 'building'
  | 'done'
  | 'failed'
  | 'prefailed'
  | 'indirect-failed'
  | 'indirect-prefailed'
  | 'up-to-date';

export const FINAL_STATUSES: readonly Status[] = [
  'done', 'failed', 'prefailed', 'indirect-failed', 'indirect-prefailed', 'up-to-date',
];

/** A build phase of a job. `depends` installs dependencies into the sandbox. */
export type Phase = string;

/**
 * Why a job did not give a package. Build failures are the port's fault and
 * are not retried; infrastructure failures (host lost, sandbox set-up,
 * agent crash) are retried a bounded number of times. One that ran out of
 * space writing the coordinator's `full` directory (the repository or the run
 * directory) is nobody's fault: it waits for space and counts no attempt.
 */
export type JobOutcome =
  | { readonly kind: 'built'; readonly phases: readonly PhaseTiming[] }
  | { readonly kind: 'failed'; readonly phase: Phase; readonly error: string; readonly phases: readonly PhaseTiming[] }
  | { readonly kind: 'infrastructure'; readonly reason: string; readonly full?: string };

/** Whether a failed system call ran out of space (or quota) on its file system. */
export function isNoSpace(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** `{ full: dir }` when `err` ran out of space writing `dir`, for an infrastructure outcome. */
export function fullIn(err: unknown, dir: string): { readonly full?: string } {
  return isNoSpace(err) ? { full: dir } : {};
}

/** Wall and CPU seconds spent in one phase of a job. */
export interface PhaseTiming {
  readonly phase: Phase;
  readonly wallS: number;
  readonly cpuS: number;
}

/**
 * What is known beforehand of how long a job takes, from history or an
 * estimate. `wallS` is the whole job at `makeJobs` make jobs on a host of
 * speed 1; `buildWallS`/`buildCpuS` are its build phase, the only phase that
 * more make jobs can shorten.
 */
export interface Estimate {
  readonly wallS: number;
  readonly cpuS: number;
  readonly buildWallS: number;
  readonly buildCpuS: number;
  readonly makeJobs: number;
  /** Peak resident memory in MiB, when known. */
  readonly memoryMiB?: number;
  /** Its work directory's size at the end of its last build in MiB (dpb's size.log), when known: no host with less free starts it. */
  readonly diskMiB?: number;
  /** Where the numbers come from, for reports: history, or a guess. */
  readonly source: 'history' | 'estimate';
  /** For a guess from the scan's facts: the spread (sd of ln actual / guess) of such guesses. */
  readonly spread?: number;
}

/** A host's thresholds (hosts file `max-load=`, `max-psi=`, `min-disk=`): over one, it takes no new job (engine/host-pressure.ts). */
export interface PressureLimits {
  /** 1-minute load average per core. */
  readonly maxLoad?: number;
  /** CPU or IO pressure, `some avg10`, percent. */
  readonly maxPsi?: number;
  /** Free MiB where the host builds. */
  readonly minDiskMiB?: number;
}

/** What a host's load measures: the engine's load limit and memory admission read it. */
export interface HostLoad {
  /** 1-minute load average divided by the host's cores. */
  readonly loadPerCore: number;
  /** Fraction of swap in use, 0..1. */
  readonly swapUsed: number;
  /** Available memory in MiB. */
  readonly memoryFreeMiB: number;
  /** CPU, IO and memory pressure stall (/proc/pressure, `some avg10`), percent, where the kernel reports it. */
  readonly cpuPressure?: number;
  readonly ioPressure?: number;
  readonly memoryPressure?: number;
  /** Free MiB where the host builds, when measured. */
  readonly diskFreeMiB?: number;
}

/** Where a failure that stands from an earlier run happened: its log and host, for the reports. */
export interface FailedWhere {
  readonly log?: string;
  readonly host?: string;
}

/** A host as the engine sees it: slots, a speed factor and a core budget. */
export interface HostSpec {
  readonly name: string;
  readonly slots: number;
  /** dpb's `sf`: bigger is faster. 1 when not given. */
  readonly speed: number;
  /** Cores shared as make jobs among the host's running jobs. */
  readonly cores: number;
  /** Memory budget in MiB, when known. */
  readonly memoryMiB?: number;
  /** Features it offers, and those it keeps for the jobs that need them (host-features.ts). */
  readonly features?: readonly string[];
  readonly mandatory?: readonly string[];
  /** Thresholds of its measured load above which it takes no new job (host-pressure.ts). */
  readonly pressure?: PressureLimits;
  /**
   * When it takes its last job (seconds since the epoch): a job starts there
   * only if it is expected to end by then (a Slurm allocation's time limit,
   * less a margin; host-deadline.ts).
   */
  readonly until?: number;
}
