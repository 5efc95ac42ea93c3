// What goes into the engine (events) and what comes out (commands).
// Times are seconds on the run's clock, given by whoever feeds the engine.

import type { PlanEntry } from './engine-plan.js';
import type { FailedWhere, HostLoad, HostSpec, JobOutcome, Phase, PkgName, PkgPath, Status } from '../model.js';

export type { FailedWhere, HostLoad } from '../model.js';

export type EngineEvent =
  /** A host is there to take jobs: new, back after a loss, or changed. */
  | { readonly type: 'host-up'; readonly at: number; readonly host: HostSpec; readonly load?: HostLoad }
  /** A host's connection failed: its running jobs go back to the queue. */
  | { readonly type: 'host-down'; readonly at: number; readonly host: string; readonly reason: string }
  /** Start no new jobs on `host`, or anywhere when it is not given. */
  | { readonly type: 'drain'; readonly at: number; readonly host?: string }
  /** Take jobs again on `host`, or everywhere. */
  | { readonly type: 'undrain'; readonly at: number; readonly host?: string }
  | { readonly type: 'job-ended'; readonly at: number; readonly job: number; readonly outcome: JobOutcome }
  /** A person fixed a failed port (deleted its lock): build it again. */
  | { readonly type: 'retry'; readonly at: number; readonly pkgpath: PkgPath }
  /** The answer to a `check` command: whether a package that became ready needs building. */
  | { readonly type: 'checked'; readonly at: number; readonly pkgname: PkgName; readonly verdict: CheckVerdict }
  /**
   * Another kiln run holds `pkgpath` (its lock): park it until `path-unlocked`.
   * With `failed`, that run's failure stands for this one (the same inputs failed there).
   * With `job`, the job of this run that could not take the lock goes back to the queue.
   */
  | {
      readonly type: 'path-locked'; readonly at: number; readonly pkgpath: PkgPath; readonly by: string;
      readonly failed?: { readonly phase: Phase; readonly error: string } & FailedWhere; readonly job?: number;
    }
  /** A lock on `pkgpath` is gone (another run let go, or a person deleted a failed port's lock): build it again. */
  | { readonly type: 'path-unlocked'; readonly at: number; readonly pkgpath: PkgPath }
  /** Packages the scan found since the engine began (EngineOptions.more). */
  | { readonly type: 'packages-added'; readonly at: number; readonly entries: readonly PlanEntry[] }
  /**
   * No more packages come. With `replan`, what was added proved wrong once
   * the whole tree was resolved: start nothing more, and finish (`stopped`)
   * once what runs has ended, for a new plan.
   */
  | { readonly type: 'plan-complete'; readonly at: number; readonly replan?: boolean }
  /** The distfiles of `pkgname` are in DISTDIR, verified (PlanEntry.fetch). */
  | { readonly type: 'distfiles-ready'; readonly at: number; readonly pkgname: PkgName }
  /** They cannot be had: `pkgname` fails in phase fetch with this reason (which file, every URL tried, what each answered). */
  | { readonly type: 'fetch-failed'; readonly at: number; readonly pkgname: PkgName; readonly reason: string }
  /** Measured pressure on a host (load per core, swap in use, free memory). */
  | { readonly type: 'host-load'; readonly at: number; readonly host: string; readonly load: HostLoad }
  /** The coordinator's directory `where` (repository, run directory) is short of space (`reason`): start no job. */
  | { readonly type: 'space-short'; readonly at: number; readonly where: string; readonly reason: string }
  /** `where` has space again (`reason`). */
  | { readonly type: 'space-ok'; readonly at: number; readonly where: string; readonly reason: string };

/** Whether a package whose dependencies are now built must be built itself. */
export type CheckVerdict =
  /** Its package is current: `done` when this run built it (a resumed run), else `up-to-date`. */
  | { readonly status: 'up-to-date' | 'done' }
  /** It failed before with these very inputs and its lock is still there. */
  | ({ readonly status: 'failed'; readonly phase: Phase; readonly error: string; readonly reason: string } & FailedWhere)
  | { readonly status: 'open' };

/** One attempt to build one pkgname on one slot. */
export interface Job {
  readonly id: number;
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  readonly host: string;
  readonly slot: number;
  readonly makeJobs: number;
  /** 1 for the first attempt; infrastructure failures add attempts. */
  readonly attempt: number;
  readonly startedAt: number;
  /** Why it went to this host, when its class decided (a big-parallel port by history): for the logs and views. */
  readonly placed?: string;
}

/** A status change of one package, as recorded in the run's store. */
export interface StatusChange {
  readonly type: 'status';
  readonly at: number;
  readonly pkgname: PkgName;
  readonly status: Status;
  /** Why it is not built (prefailed), or why a job was requeued. */
  readonly reason?: string;
  readonly phase?: Phase;
  readonly error?: string;
  /** Root-cause pkgnames of an indirect failure. */
  readonly blockedBy?: readonly PkgName[];
  /** The job this change belongs to. */
  readonly job?: number;
  /** A failure that stands from an earlier run: that job's log and host. */
  readonly log?: string;
  readonly host?: string;
}

export type EngineCommand =
  | { readonly type: 'start'; readonly job: Job }
  | StatusChange
  /**
   * `pkgname`'s dependencies are built and it has a package from an earlier
   * build: see whether it is still current, and answer with `checked`.
   */
  | { readonly type: 'check'; readonly at: number; readonly pkgname: PkgName }
  /** A running job lost to infrastructure, back in the queue. */
  | { readonly type: 'requeue'; readonly at: number; readonly job: Job; readonly reason: string }
  /** A host's state changed; a quarantined one is let back in once it passes its check after `until` (none: given up for the run). */
  | { readonly type: 'host'; readonly at: number; readonly host: string; readonly state: HostState; readonly reason?: string; readonly until?: number }
  /** Jobs stop starting (`short`) for lack of space in `where`, or start again. */
  | { readonly type: 'space'; readonly at: number; readonly where: string; readonly short: boolean; readonly reason: string }
  /** Nothing is running and nothing more can start. */
  | { readonly type: 'finished'; readonly at: number; readonly result: 'complete' | 'stopped' };

/** `quarantined`: infrastructure failed job after job there (policies/host-quarantine.ts); it takes none until it is up again. */
export type HostState = 'up' | 'down' | 'draining' | 'quarantined';
