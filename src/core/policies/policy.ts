// The pure policies the engine asks: in which order ready jobs start, on
// which host, with how many make jobs, what room is kept for jobs that must
// wait, how many jobs a loaded host may run.
// One implementation per file.

import type { BuildGraph } from '../resolve/graph.js';
import type { Estimate, HostLoad, HostSpec, PkgName } from '../model.js';

/** What the engine knows when it (re)computes priorities. */
export interface PriorityContext {
  /** Make jobs planned for each job (a core-sharing plan), when there is one. */
  readonly makeJobs?: Int32Array;
  /** Expected seconds of a job on a host of speed 1 with `makeJobs` make jobs. */
  readonly expect: (estimate: Estimate, makeJobs: number) => number;
  /**
   * What the hosts that are up can do at once, in jobs on the fastest host:
   * sum of slots (cores, with a core plan) * speed / fastest speed. Absent
   * before any host is up.
   */
  readonly capacity?: number;
}

export interface PriorityPolicy {
  readonly name: string;
  /** True when the scores depend on `context.capacity`: the engine recomputes them when hosts come and go. */
  readonly usesCapacity?: boolean;
  /** One score per graph node; the ready job with the highest score starts first. */
  priorities(graph: BuildGraph, estimates: readonly Estimate[], context?: PriorityContext): Float64Array;
}

/** A host as the placement and make-jobs policies see it, at one moment. */
export interface HostView {
  readonly name: string;
  readonly speed: number;
  readonly slots: number;
  /** Slots this job may take now (0: it cannot start here now). */
  readonly freeSlots: number;
  readonly cores: number;
  readonly coresInUse: number;
  /** Cores this job may take now: free, within the host's load limit, not promised to a waiting job. */
  readonly freeCores: number;
  readonly running: number;
  /** Expected time at which a slot frees here (now when one is free). */
  readonly slotFreeAt: number;
  readonly memoryMiB: number | undefined;
  /** Memory that the running jobs are known (from history) to need. */
  readonly memoryInUseMiB: number;
  readonly load: HostLoad | undefined;
}

/** `view` as a host that will not serve this job at all (another class, too little time left): no slot now, none later to wait for. */
export function unavailable(view: HostView): HostView {
  return { ...view, freeSlots: 0, slotFreeAt: Infinity };
}

/** A ready job that wants a slot. */
export interface Candidate {
  readonly id: number;
  readonly pkgname: PkgName;
  readonly priority: number;
  readonly estimate: Estimate;
  readonly makeJobsSafe: boolean;
  /** How many ready jobs wait besides this one. */
  readonly waiting: number;
  /** The highest priority of all ready jobs when this dispatch round began. */
  readonly topPriority: number;
  /** Expected seconds on a host of speed 1 with its planned make jobs. */
  readonly durationS: number;
  /** The longest path from its start to the end of the build, at speed 1 (itself included). */
  readonly tailS: number;
  /** Make jobs the core-sharing plan gives it (1 without a plan). */
  readonly plannedMakeJobs: number;
  /**
   * Seconds the open work not yet started would keep every core of the
   * hosts that are up busy (planned make jobs * expected seconds, over cores).
   */
  readonly backlogS: number;
}

/** The dispatch round a placement is asked in. */
export interface DispatchRound {
  readonly now: number;
  /** Expected end of the whole build, as it stands (computed on first use). */
  horizon(): number;
  /** The fastest speed among the hosts that are up. */
  readonly fastestSpeed: number;
  /** Ids of the ready jobs, highest priority not first. */
  readyIds(): readonly number[];
  readonly estimates: readonly Estimate[];
  /** Speed of every slot of every host that is up, ascending. */
  slotSpeeds(): readonly number[];
}

export interface PlacementPolicy {
  readonly name: string;
  /**
   * The host to start `job` on, among `hosts` with `freeSlots > 0`, or
   * undefined to keep it waiting for a better host. `hosts` lists every
   * host that is up, busy ones too.
   */
  place(job: Candidate, hosts: readonly HostView[], now: number, round?: DispatchRound): string | undefined;
  /**
   * Keeps a slot (and the cores a core plan gives it) for a job more urgent
   * than any ready one, due once running jobs end; other jobs may use it
   * only if they should end by then. Without it, only jobs that a core plan
   * gives several make jobs are waited for so.
   */
  readonly reserves?: boolean;
}

export interface Capacity {
  /** Cores of all hosts that are up. */
  readonly cores: number;
  /** Slots * speed / fastest speed, summed over the hosts that are up. */
  readonly equivalentSlots: number;
  /** Cores * speed / fastest speed, summed over the hosts that are up. */
  readonly equivalentCores: number;
  /** Cores of the largest host: no job gets more make jobs. */
  readonly largestHostCores: number;
  readonly slots: number;
}

export interface MakeJobsPolicy {
  readonly name: string;
  /** How many make jobs `job` wants on `host`; at least 1. The engine gives at most the host's free cores. */
  makeJobs(job: Candidate, host: HostView): number;
  /**
   * A plan of make jobs per job for the hosts that are up, when the policy
   * shares cores unevenly. Priorities are computed with it.
   */
  plan?(graph: BuildGraph, estimates: readonly Estimate[], makeJobsSafe: readonly boolean[], capacity: Capacity,
    expect: PriorityContext['expect']): Int32Array;
}

/** How much of a host the engine may use: below its slots and cores when it is loaded. */
export interface HostLimit {
  readonly slots: number;
  readonly cores: number;
  /** When the limit last changed, on the run's clock. */
  readonly since: number;
  /** Why it is below the host's slots or cores: the pressure last measured over a threshold. */
  readonly why?: string;
}

/** What kiln itself runs on a host: its jobs and the make jobs (cores) they were given. */
export interface KilnShare {
  readonly running: number;
  readonly cores: number;
}

export interface ConcurrencyPolicy {
  readonly name: string;
  /** The new limit of `host` after a measured `load` at `now`. */
  adjust(limit: HostLimit, load: HostLoad, host: HostSpec, kiln: KilnShare, now: number): HostLimit;
}

export interface AdmissionPolicy {
  readonly name: string;
  /** Whether `job` may start on `host` besides the jobs running there (their estimates, on demand). */
  admits(job: Candidate, host: HostView, running: () => readonly Estimate[]): boolean;
}

/** What a host has free, now or at a later time by the running jobs' expected ends. */
export interface FreeLater {
  readonly cores: number;
  readonly slots: number;
}

/** What each host has free at a moment, running jobs expected to have ended by then. */
export interface FreeAt<H> {
  at(host: H, at: number): FreeLater;
}

/** A slot and cores of a host kept for a waiting job from the moment `at` it should start. */
export interface Reservation {
  readonly at: number;
  readonly cores: number;
}

/**
 * What room a dispatch round keeps for jobs that must wait (one that wants
 * more cores than are free, one on the critical path due when running jobs
 * end), and which jobs may use that room meanwhile (backfilling).
 */
export interface ReservationPolicy {
  readonly name: string;
  /** Ready jobs one round sets aside before it stops looking further down the queue. */
  readonly maxSetAside: number;
  /**
   * Whether a slot may be kept for a job no core plan makes wide, given the
   * open work not started (seconds at speed 1), the capacity of the slots
   * not kept (slots * speed) and the seconds until the critical path ends.
   */
  keepsSlot(openWorkS: number, capacityLeft: number, pathLeftS: number): boolean;
  /**
   * What a job running from `from` to `to` may hold of `host` the whole
   * time: `free.at` says what it has free at a moment, `kept` is its
   * reservations in the order they were made.
   */
  spareUntil<H>(free: FreeAt<H>, host: H, kept: readonly Reservation[], from: number, to: number): FreeLater;
}
