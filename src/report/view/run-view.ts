// What every view of a run shows (terminal, web page, report files), as plain
// data: JSON-safe, so the page gets exactly this over the wire and the static
// report.html embeds it. Built by RunViewState from the RunEvent stream.

import type { HostLoad } from '../../core/engine/engine-events.js';
import type { ShownHostState } from '../../core/run-events.js';
import type { PkgName, PkgPath, Status } from '../../core/model.js';
import type { FetchesView } from './run-view-fetches.js';

export type RunResult = 'running' | 'complete' | 'stopped' | 'interrupted' | 'no-host';

export interface RunView {
  readonly run: string;
  readonly tree: string;
  readonly logdir: string;
  readonly resumed: boolean;
  /** The architecture the run builds for (MACHINE_ARCH), when the run said it. */
  readonly arch?: string;
  readonly startedAt: number | undefined;
  readonly finishedAt: number | undefined;
  readonly result: RunResult;
  /** The moment this view was taken (the finish time of a finished run). */
  readonly now: number;
  /** Present while scanning, and after it as what the scan found. */
  readonly scan: ScanView | undefined;
  /** False until the resolver has given the run's packages. */
  readonly resolved: boolean;
  readonly counts: Counts;
  readonly running: readonly RunningJob[];
  readonly hosts: readonly HostView[];
  readonly timeline: readonly TimelineBar[];
  readonly utilisation: readonly UtilisationPoint[];
  /** failed and prefailed packages, the most breaking first. */
  readonly failures: readonly FailureRow[];
  /** indirect-failed and indirect-prefailed packages with their root causes. */
  readonly indirect: readonly IndirectRow[];
  /** Every package; empty in views taken without them (the live page's updates). */
  readonly packages: readonly PackageRow[];
  readonly eta: Eta | undefined;
  /** The latest warnings and errors of the run, oldest first. */
  readonly messages: readonly MessageRow[];
  /** While not empty no job starts: which directories are short of space, and how much is missing. */
  readonly spaceShort: readonly string[];
  /** The fetch jobs: those running, and what was fetched. */
  readonly fetches: FetchesView;
}

export interface ScanView {
  readonly scanned: number;
  readonly total: number;
  readonly cached: number;
  readonly errors: number;
}

export interface Counts {
  readonly total: number;
  readonly byStatus: Readonly<Record<Status, number>>;
  /** Open and ready: every dependency built, waiting only for a slot. */
  readonly queued: number;
  /** Open and waiting for dependencies. */
  readonly waiting: number;
}

export interface RunningJob {
  readonly job: number;
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  readonly host: string;
  readonly slot: number;
  readonly attempt: number;
  readonly makeJobs: number;
  readonly phase: string;
  readonly startedAt: number;
  readonly elapsedS: number;
  readonly expectedS: number;
  readonly logBytes: number;
  readonly lastLogBytes: number | undefined;
  /** Log size against last time, in percent, when last time is known. */
  readonly logPercent: number | undefined;
  /** Seconds since the log last grew. */
  readonly idleS: number;
  /** The log has not grown for the stuck threshold. */
  readonly stuck: boolean;
}

export interface HostView {
  readonly name: string;
  readonly state: ShownHostState;
  readonly reason: string | undefined;
  readonly slots: number;
  readonly busy: number;
  /** Its features (`features=... mandatory=...`), when it has some. */
  readonly class?: string;
  /** What its check found when it came up: arch, OS, node, cores, memory. */
  readonly checked?: string;
  /** Where a cluster manager placed it (`Slurm job 812 on node17`), while it is there. */
  readonly where?: string;
  /** What the host last measured of itself, when it said. */
  readonly load: HostLoad | undefined;
}

export type BarOutcome = 'running' | 'built' | 'failed' | 'lost';

/** One job on the timeline: where and when it ran, and how it ended. */
export interface TimelineBar {
  readonly job: number;
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  readonly host: string;
  readonly slot: number;
  readonly start: number;
  /** The view's `now` for a running job. */
  readonly end: number;
  readonly outcome: BarOutcome;
  /** The error class of a failed job, or why a job was lost. */
  readonly detail: string | undefined;
}

/** Busy slots of all slots at a moment; a step function, each point holds until the next. */
export interface UtilisationPoint {
  readonly at: number;
  readonly busy: number;
  readonly slots: number;
}

export interface FailureRow {
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  readonly status: 'failed' | 'prefailed';
  readonly phase: string | undefined;
  readonly error: string | undefined;
  readonly reason: string | undefined;
  /** How many packages list it among their root causes. */
  readonly breaks: number;
  readonly maintainer: string;
  readonly host: string | undefined;
  /** Log path relative to the run directory. */
  readonly log: string | undefined;
  readonly at: number | undefined;
  readonly durationS: number | undefined;
}

export interface IndirectRow {
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  readonly status: 'indirect-failed' | 'indirect-prefailed';
  readonly blockedBy: readonly PkgName[];
  readonly maintainer: string;
}

export interface PackageRow {
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  readonly status: Status;
  readonly maintainer: string;
  readonly comment: string;
  readonly phase: string | undefined;
  readonly error: string | undefined;
  readonly reason: string | undefined;
  readonly blockedBy: readonly PkgName[];
  readonly breaks: number;
  readonly host: string | undefined;
  /** Where a cluster manager had placed its host when its job started (`Slurm job 812 on node17`). */
  readonly allocation?: string | undefined;
  readonly startedAt: number | undefined;
  readonly durationS: number | undefined;
  readonly log: string | undefined;
  readonly logBytes: number | undefined;
  /** Seconds and bytes its distfiles took to fetch (a distfile shared with other packages counted whole); undefined: nothing fetched. */
  readonly fetchS: number | undefined;
  readonly fetchBytes: number | undefined;
}

export interface Eta {
  /** Seconds of work left, by expected durations. */
  readonly remainingS: number;
  /** When the run is expected to end. */
  readonly at: number;
  /** What it is worked out from: "from history", "from this run" (this run's built jobs correct the guesses for ports no history knows), "from a guess", or two of them joined with "and". */
  readonly basis: string;
}

export interface MessageRow {
  readonly at: number;
  readonly level: 'info' | 'warning' | 'error';
  readonly text: string;
}
