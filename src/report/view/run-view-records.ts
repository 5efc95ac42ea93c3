// What RunViewState keeps of a run, record by record. Each record carries
// `rev`, the revision of its last change, so the page's updates can send
// only what changed since the revision a page already has (view-journal.ts).

import type { HostLoad, Job } from '../../core/engine/engine-events.js';
import type { PkgName, Status } from '../../core/model.js';
import type { PackageInfo, ShownHostState } from '../../core/run-events.js';
import type { PackageFetch } from './run-view-fetches.js';
import type { BarOutcome, MessageRow, PackageRow } from './run-view.js';

export interface PackageRecord {
  /** Its place in the run's list of packages: stable for the life of the state. */
  readonly index: number;
  /** The revision its pkgname, pkgpath or maintainer last changed at (it was first seen, or resolved). */
  staticRev: number;
  rev: number;
  info: PackageInfo;
  status: Status;
  phase: string | undefined;
  error: string | undefined;
  reason: string | undefined;
  blockedBy: readonly PkgName[];
  host: string | undefined;
  /** Where a cluster manager had placed its host when its job started. */
  allocation?: string | undefined;
  startedAt: number | undefined;
  durationS: number | undefined;
  endedAt: number | undefined;
  log: string | undefined;
  logBytes: number | undefined;
  /** An open package: why it has not started (waiting.ts). */
  waiting: string | undefined;
  /** What fetching its distfiles took, once they came. */
  fetch: PackageFetch | undefined;
}

/** One job on the timeline. */
export interface BarRecord {
  readonly index: number;
  readonly job: number;
  readonly pkg: number;
  readonly host: string;
  readonly slot: number;
  readonly start: number;
  rev: number;
  /** Undefined while the job runs. */
  end: number | undefined;
  outcome: BarOutcome;
  detail: string | undefined;
}

export interface RunningRecord {
  rev: number;
  readonly job: Job;
  readonly pkg: number;
  readonly bar: number;
  readonly expectedS: number;
  readonly lastLogBytes: number | undefined;
  /** Its log file (absolute), for readers that measure it themselves. */
  readonly log: string | undefined;
  /** Its own limit of log silence, when the run said it. */
  readonly stuckAfterS: number | undefined;
  phase: string;
  logBytes: number;
  progressAt: number | undefined;
  idleS: number;
}

export interface HostRecord {
  state: ShownHostState;
  reason: string | undefined;
  slots: number;
  /** dpb's `sf`: bigger is faster; 1 when not told. */
  speed: number;
  /** Its features (`features=... mandatory=...`), when it has some. */
  class?: string;
  /** What its check found when it came up (the host event's `checked`). */
  checked?: string;
  /** Where a cluster manager placed it (`Slurm job 812 on node17`), while it is there. */
  where?: string;
  /** What it last measured of itself (a `host-load` event). */
  load?: HostLoad;
}

/** The run's slots, total over the hosts that take jobs, from `at` on. */
export interface CapacityPoint {
  readonly index: number;
  readonly rev: number;
  readonly at: number;
  readonly slots: number;
}

export interface MessageRecord extends MessageRow {
  /** 1 for the run's first warning or error, then one more for each. */
  readonly seq: number;
  readonly rev: number;
}

export function blankRecord(info: PackageInfo, index: number, rev: number): PackageRecord {
  return {
    index, staticRev: rev, rev, info, status: 'open', phase: undefined, error: undefined, reason: undefined, blockedBy: [],
    host: undefined, startedAt: undefined, durationS: undefined, endedAt: undefined, log: undefined, logBytes: undefined, waiting: undefined, fetch: undefined,
  };
}

export function packageRow(r: PackageRecord, breaks: number): PackageRow {
  return {
    pkgname: r.info.pkgname, pkgpath: r.info.pkgpath, status: r.status, maintainer: r.info.maintainer, comment: r.info.comment,
    phase: r.phase, error: r.error, reason: r.reason, blockedBy: r.blockedBy, breaks, host: r.host, allocation: r.allocation,
    startedAt: r.startedAt, durationS: r.durationS, log: r.log, logBytes: r.logBytes,
    fetchS: r.fetch?.seconds, fetchBytes: r.fetch?.bytes,
  };
}

/** Built this run or before: what a dependent needs. A dependency outside the run counts as built. */
export function isBuilt(status: Status | undefined): boolean {
  return status === undefined || status === 'done' || status === 'up-to-date';
}
