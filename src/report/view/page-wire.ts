// What the live page and report.html get of a run: one shape, an update.
// The page keeps its own copy of the run; an update carries what changed
// since revision `from` (packages, timeline bars, running jobs, capacity
// and messages as rows), plus what is small and always current (the head,
// counters, hosts). A snapshot is the update from revision 0: every row.
// Rows are arrays, not objects, to keep a 28,000-package run small; a
// trailing run of nulls is left off. Times are seconds since the epoch.

import type { PkgName, PkgPath, Status } from '../../core/model.js';
import type { BarOutcome, Counts, Eta, HostView, RunResult, ScanView } from './run-view.js';
import type { FetchesView } from './run-view-fetches.js';

/** Bumped when the shape changes; a page that meets another format reloads. */
export const WIRE_FORMAT = 2;

export interface WireHead {
  readonly run: string;
  readonly tree: string;
  readonly resumed: boolean;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly result: RunResult;
  /** The server's time when the update was made (the finish time of a finished run). */
  readonly now: number;
  readonly scan: ScanView | null;
  readonly resolved: boolean;
  readonly eta: Eta | null;
  /** Seconds without log growth after which a running job shows as stuck. */
  readonly stuckAfterS: number;
}

export interface WireHost extends HostView {
  readonly speed: number;
}

/** A value the server may not have; a trailing run of them is left off a row, so a page reads a missing one as null. */
type Maybe<T> = T | null;

/**
 * A package's changing part: `[status, phase, error, reason, blockedBy
 * (pkgnames), host, startedAt, durationS, log, logBytes, endedAt, waiting
 * (why an open package has not started)]`.
 */
export type WireStatusPart = readonly [
  status: Status, phase?: Maybe<string>, error?: Maybe<string>, reason?: Maybe<string>, blockedBy?: Maybe<readonly PkgName[]>,
  host?: Maybe<string>, startedAt?: Maybe<number>, durationS?: Maybe<number>, log?: Maybe<string>, logBytes?: Maybe<number>,
  endedAt?: Maybe<number>, waiting?: Maybe<string>,
];

/** A package the page does not know yet: `[index, pkgname, pkgpath, maintainer, ...WireStatusPart]`. */
export type WirePackage = readonly [index: number, pkgname: PkgName, pkgpath: PkgPath, maintainer: string, ...WireStatusPart];

/** A known package whose status changed: `[index, ...WireStatusPart]`. */
export type WireStatus = readonly [index: number, ...WireStatusPart];

/** `[bar, job, package index, host, slot, start, end (null while running), outcome, detail]`. */
export type WireBar = readonly [
  bar: number, job: number, pkg: number, host: string, slot: number, start: number, end: Maybe<number>, outcome: BarOutcome,
  detail?: Maybe<string>,
];

/**
 * A running job: `[job, bar, package index, host, slot, startedAt, attempt,
 * makeJobs, phase, expectedS, logBytes, lastLogBytes, idleS, progressAt, stuckAfterS]`.
 * The page works out elapsed and idle time from `now`; `stuckAfterS` (null:
 * the head's) is the job's own limit of log silence.
 */
export type WireRunning = readonly [
  job: number, bar: number, pkg: number, host: string, slot: number, startedAt: number, attempt: number, makeJobs: number,
  phase: string, expectedS: number, logBytes: number, lastLogBytes: Maybe<number>, idleS: number, progressAt?: Maybe<number>,
  stuckAfterS?: Maybe<number>,
];

/** The slots of the hosts that take jobs, from `at` on: `[index, at, slots]`. */
export type WireCapacity = readonly [number, number, number];

/** `[seq, at, level, text]`. */
export type WireMessage = readonly [number, number, string, string];

export interface WireUpdate {
  readonly format: number;
  /** Names this server's run state: revisions of another epoch mean nothing here. */
  readonly epoch: string;
  /** The revision the page must have for this update to apply; 0 for a snapshot. */
  readonly from: number;
  /** The revision the page has after applying it. */
  readonly to: number;
  /** Changes after `to` left for the next update (an update is kept small). */
  readonly behind: number;
  readonly head: WireHead;
  readonly counts: Counts;
  readonly hosts: readonly WireHost[];
  readonly packages: readonly WirePackage[];
  readonly statuses: readonly WireStatus[];
  readonly bars: readonly WireBar[];
  /** Running jobs that started or changed since `from`. */
  readonly running: readonly WireRunning[];
  /** Every running job, so the page drops the ones that ended. */
  readonly runningJobs: readonly number[];
  readonly capacity: readonly WireCapacity[];
  /** Messages since `from`; the page keeps the last `keepMessages`. */
  readonly messages: readonly WireMessage[];
  readonly keepMessages: number;
  /** The fetch jobs running now, and what the run fetched. */
  readonly fetches: FetchesView;
}
