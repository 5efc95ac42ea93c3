// The pure policies the engine asks: in which order ready jobs start, on
// which host, with how many make jobs. One implementation per file.

import type { BuildGraph } from '../graph.js';
import type { HostLoad } from '../engine-events.js';
import type { Estimate, PkgName } from '../model.js';

export interface PriorityPolicy {
  readonly name: string;
  /** One score per graph node; the ready job with the highest score starts first. */
  priorities(graph: BuildGraph, estimates: readonly Estimate[]): Float64Array;
}

/** A host as the placement and make-jobs policies see it, at one moment. */
export interface HostView {
  readonly name: string;
  readonly speed: number;
  readonly slots: number;
  readonly freeSlots: number;
  readonly cores: number;
  readonly coresInUse: number;
  readonly running: number;
  readonly memoryMiB: number | undefined;
  /** Memory that the running jobs are known (from history) to need. */
  readonly memoryInUseMiB: number;
  readonly load: HostLoad | undefined;
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
}

export interface PlacementPolicy {
  readonly name: string;
  /**
   * The host to start `job` on, among `hosts` (each has a free slot), or
   * undefined to keep it waiting for a better host.
   */
  place(job: Candidate, hosts: readonly HostView[], now: number): string | undefined;
}

export interface MakeJobsPolicy {
  readonly name: string;
  /** How many make jobs `job` gets on `host`; at least 1. */
  makeJobs(job: Candidate, host: HostView): number;
}
