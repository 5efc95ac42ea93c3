// What the engine is given: the plan (every package of the run, where it
// starts, what it needs, how long it should take) and the policies it
// orders and places jobs by; and the counts it gives back.

import type { Estimate, FailedWhere, Phase, PkgName, PkgPath, Status } from '../model.js';
import type {
  AdmissionPolicy, ConcurrencyPolicy, MakeJobsPolicy, PlacementPolicy, PriorityContext, PriorityPolicy, ReservationPolicy,
} from '../policies/policy.js';
import type { QuarantineRule } from '../policies/host-quarantine.js';

/** Where a package starts this run. */
export type InitialState =
  /** `recheck`: it has a package from an earlier build; once its dependencies are built, ask (`check`) whether it is still current. */
  | { readonly status: 'open'; readonly recheck?: boolean }
  | { readonly status: 'done' }
  | { readonly status: 'up-to-date' }
  | { readonly status: 'prefailed'; readonly reason: string }
  | ({ readonly status: 'failed'; readonly phase: Phase; readonly error: string; readonly reason?: string } & FailedWhere);

/** One package of the run, as the engine is given it. */
export interface PlanEntry {
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  readonly deps: readonly PkgName[];
  readonly initial: InitialState;
  readonly estimate: Estimate;
  readonly makeJobsSafe: boolean;
  /** It has distfiles: it is built only once they are fetched and verified (`distfiles-ready`). */
  readonly fetch?: boolean;
}

export interface EngineConfig {
  readonly priority: PriorityPolicy;
  readonly placement: PlacementPolicy;
  readonly makeJobs: MakeJobsPolicy;
  /** Attempts a job gets when infrastructure fails under it (host loss, and failures a quarantined host is blamed for, do not count). */
  readonly maxAttempts: number;
  /** When a host, not a package, is blamed for infrastructure failures. Default: DEFAULT_QUARANTINE. */
  readonly quarantine?: QuarantineRule;
  /** How a measured load limits a host. Default: adaptiveConcurrency(). */
  readonly concurrency?: ConcurrencyPolicy;
  /** Whether a job may start beside what runs on a host. Default: memoryAdmission(). */
  readonly admission?: AdmissionPolicy;
  /** What room is kept for jobs that must wait, and who may use it meanwhile. Default: backfillReservation. */
  readonly reservation?: ReservationPolicy;
  /** Expected seconds of a job on a host of speed 1 with `makeJobs` make jobs. Default: the speedup model. */
  readonly expect?: PriorityContext['expect'];
}

export interface EngineCounts {
  readonly total: number;
  readonly byStatus: Readonly<Record<Status, number>>;
  /** Open packages whose dependencies are all built. */
  readonly ready: number;
}

/** A package its dependents may be built against. */
export function isBuilt(status: Status): boolean {
  return status === 'done' || status === 'up-to-date';
}
