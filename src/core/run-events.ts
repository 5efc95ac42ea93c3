// What a run shows the world: typed events the runtime emits and every
// reporter (terminal, web page, report files, hooks) subscribes to. Times are
// seconds since the epoch, from the runtime's clock.

import type { HostLoad, HostState, Job, StatusChange } from './engine/engine-events.js';
import type { JobOutcome, PkgName, PkgPath } from './model.js';

/** A host's state as the views show it: the engine's, or an allocation asked of a cluster manager and not given yet. */
export type ShownHostState = HostState | 'requested' | 'pending';

export type RunEvent =
  | {
      readonly type: 'run-started'; readonly at: number; readonly run: string;
      readonly tree: string; readonly logdir: string; readonly packages: string;
      readonly resumed: boolean;
      /** The architecture it builds for (MACHINE_ARCH), when said. */
      readonly arch?: string;
    }
  | {
      readonly type: 'scan-progress'; readonly at: number;
      /** Ports scanned so far, of `total` known so far (limited builds discover more). */
      readonly scanned: number; readonly total: number; readonly cached: number; readonly errors: number;
    }
  | {
      readonly type: 'resolved'; readonly at: number;
      readonly packages: number; readonly prefailed: number; readonly upToDate: number;
      /** Every package of the run, for views that list them all; with `more`, those found so far. */
      readonly entries: readonly PackageInfo[];
      /** The scan goes on: these packages can be built already, more come. */
      readonly more?: boolean;
      /** Ports the scan found that are not among the packages (a PKGNAME another port has), each with why. */
      readonly leftOut?: readonly LeftOutPort[];
    }
  | { readonly type: 'status'; readonly change: StatusChange }
  | {
      readonly type: 'job-started'; readonly at: number; readonly job: Job;
      /** Expected seconds on the job's host (its speed factor counted), from history or an estimate. */
      readonly expectedS: number;
      /** Size of this port's log in its last build, when known, for "% of last log". */
      readonly lastLogBytes: number | undefined;
      /** Its log file, which any process on the coordinator can measure while it grows. */
      readonly log?: string;
      /** Seconds its log may stay still before the job is stopped as stuck: when the views say "unchanged for". */
      readonly stuckAfterS?: number;
    }
  | { readonly type: 'job-phase'; readonly at: number; readonly job: number; readonly phase: string }
  | {
      readonly type: 'job-progress'; readonly at: number; readonly job: number;
      readonly logBytes: number;
      /** Seconds since the log last grew. */
      readonly idleS: number;
    }
  | {
      readonly type: 'job-ended'; readonly at: number; readonly job: Job; readonly outcome: JobOutcome;
      readonly durationS: number; readonly log: string;
      /** Size of the job's log at its end, for build.log and next run's "% of last log". */
      readonly logBytes?: number;
    }
  | {
      /** `requested` and `pending`: an allocation asked of a cluster manager (Slurm), not given yet; `reason` is the manager's. */
      readonly type: 'host'; readonly at: number; readonly host: string; readonly state: ShownHostState; readonly reason?: string;
      /** Where the host is, when a cluster manager placed it: `Slurm job 812 on node17`. */
      readonly where?: string;
      /** The host's slots (`jobs=N`), for the views' slot rows and utilisation. */
      readonly slots?: number;
      /** The host's speed factor (`sf`, bigger is faster), for the ETA. */
      readonly speed?: number;
      /** Its features and mandatory features, as its hosts-file line says them, when it has some. */
      readonly class?: string;
      /** When it comes up: what its check found (arch, OS, node, cores, memory, from its agent). A refused host is `down`, its reason `refused: ...`. */
      readonly checked?: string;
    }
  /** What a host measured of itself (host-load.ts), every few seconds; not kept in the store's event log, readers get the latest from its `host-load` value. */
  | { readonly type: 'host-load'; readonly at: number; readonly host: string; readonly load: HostLoad }
  /** A distfile's transfer from `site` begins (again, when it moves to the next site), into `part`, which readers measure. */
  | {
      readonly type: 'fetch-started'; readonly at: number; readonly name: string; readonly site: string;
      /** Its size as distinfo gives it. */
      readonly size: number;
      /** The file it is written to while it comes (`<name>.kiln-part` in DISTDIR). */
      readonly part: string;
      /** The packages waiting for it. */
      readonly ports: readonly PkgName[];
    }
  /** Bytes of a running fetch so far; not kept in the store (readers measure `part`). */
  | { readonly type: 'fetch-progress'; readonly at: number; readonly name: string; readonly bytes: number }
  /** A distfile's fetch ended: `bytes` transferred over `seconds`, into DISTDIR verified (`ok`) or not had. */
  | {
      readonly type: 'fetch-ended'; readonly at: number; readonly name: string; readonly site: string;
      readonly bytes: number; readonly seconds: number; readonly ok: boolean; readonly ports: readonly PkgName[];
    }
  | { readonly type: 'message'; readonly at: number; readonly level: 'info' | 'warning' | 'error'; readonly text: string }
  /** The coordinator's directory `where` (repository, run directory) is short of space and no job starts (`short`), or has room again. */
  | { readonly type: 'space'; readonly at: number; readonly where: string; readonly short: boolean; readonly reason: string }
  | { readonly type: 'run-finished'; readonly at: number; readonly result: 'complete' | 'stopped' | 'interrupted' | 'no-host' };

/** What reports show of one package besides its status. */
export interface PackageInfo {
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  readonly maintainer: string;
  readonly comment: string;
  readonly categories: string;
  /** The pkgnames it needs built first (resolved DEPENDS and BUILD_DEPENDS), for the queued count and the ETA. */
  readonly depends: readonly PkgName[];
  /** Expected seconds of its job at speed 1, from history or an estimate, for the ETA. */
  readonly expectedS: number;
  /** No history knows the port: `expectedS` is a guess, which the ETA corrects by the jobs this run has built. */
  readonly guessed?: boolean;
}

/** A port the run does not build although the scan found it, and why. */
export interface LeftOutPort {
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  readonly maintainer: string;
  readonly reason: string;
}

/** An event the run directory's store held before this process began: of this run (a resumed one) or of an earlier run. */
export interface StoredEvent {
  readonly run: number;
  readonly event: RunEvent;
}

export interface RunEventSink {
  emit(event: RunEvent): void;
  /**
   * What the store already holds, oldest first, before any new event of a
   * resumed run (`stored()` reads it, once per call): views show this run's
   * earlier jobs, records written from events (build.log, engine.log) are
   * made again from it, and nothing of it is printed or run as new.
   */
  replay?(run: number, stored: () => Iterable<StoredEvent>): void;
}
