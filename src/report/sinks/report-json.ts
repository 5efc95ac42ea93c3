// report.json, exactly as DESIGN.md's "Run directory" says: a summary and one
// entry per package that reached a final status. Fields without a value are
// null (or [] for blocked_by), so every entry has every key.

import type { Status } from '../../core/model.js';
import type { PackageRow, RunView } from '../view/run-view.js';
import { isoTime } from '../view/text-format.js';

export type ReportStatus = Exclude<Status, 'open' | 'building'>;

export interface ReportPackage {
  readonly pkgname: string;
  readonly pkgpath: string;
  readonly status: ReportStatus;
  readonly breaks: number;
  readonly phase: string | null;
  readonly error: string | null;
  readonly reason: string | null;
  readonly blocked_by: readonly string[];
  readonly duration_s: number | null;
  readonly host: string | null;
  /** Where a cluster manager had placed the host (`Slurm job 812 on node17`); null for a host of its own. */
  readonly allocation: string | null;
  readonly log: string | null;
  /** Seconds and bytes fetching its distfiles took this run (a distfile shared with others counted whole); null: nothing fetched. */
  readonly fetch_s: number | null;
  readonly fetch_bytes: number | null;
}

export interface ReportSummary {
  readonly run: string;
  readonly tree: string;
  /** The architecture the run built for (MACHINE_ARCH); null when the run did not say. */
  readonly arch: string | null;
  readonly result: string;
  readonly started_at: string | null;
  readonly ended_at: string | null;
  readonly duration_s: number | null;
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly prefailed: number;
  readonly indirect_failed: number;
  readonly indirect_prefailed: number;
  readonly up_to_date: number;
  /** Packages left open or building: the run was stopped or interrupted. */
  readonly not_built: number;
  /** Distfiles fetched (and not had), bytes transferred and seconds spent fetching, each distfile once. */
  readonly fetched: number;
  readonly fetch_failed: number;
  readonly fetched_bytes: number;
  readonly fetch_s: number;
}

/** A host of the run as it last stood: `reason` why it is not up (a refused one's starts `refused: `), `checked` what its check found. */
export interface ReportHost {
  readonly name: string;
  readonly state: string;
  readonly reason: string | null;
  readonly checked: string | null;
  readonly slots: number;
}

export interface ReportJson {
  readonly summary: ReportSummary;
  readonly hosts: readonly ReportHost[];
  readonly packages: readonly ReportPackage[];
}

export function reportJson(view: RunView): ReportJson {
  const s = view.counts.byStatus;
  const summary: ReportSummary = {
    run: view.run, tree: view.tree, arch: view.arch ?? null, result: view.result,
    started_at: view.startedAt === undefined ? null : isoTime(view.startedAt),
    ended_at: view.finishedAt === undefined ? null : isoTime(view.finishedAt),
    duration_s: view.startedAt === undefined ? null : Math.round(((view.finishedAt ?? view.now) - view.startedAt) * 100) / 100,
    total: view.counts.total, done: s.done, failed: s.failed, prefailed: s.prefailed,
    indirect_failed: s['indirect-failed'], indirect_prefailed: s['indirect-prefailed'], up_to_date: s['up-to-date'],
    not_built: s.open + s.building,
    fetched: view.fetches.fetched, fetch_failed: view.fetches.failed, fetched_bytes: view.fetches.bytes, fetch_s: seconds(view.fetches.seconds),
  };
  const packages = view.packages.flatMap((p) => {
    const entry = reportPackage(p);
    return entry ? [entry] : [];
  }).sort((a, b) => a.pkgpath.localeCompare(b.pkgpath) || a.pkgname.localeCompare(b.pkgname));
  const hosts = view.hosts.map((h): ReportHost => ({ name: h.name, state: h.state, reason: h.reason ?? null, checked: h.checked ?? null, slots: h.slots }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { summary, hosts, packages };
}

function reportPackage(p: PackageRow): ReportPackage | undefined {
  if (p.status === 'open' || p.status === 'building') return undefined;
  const failed = p.status === 'failed';
  return {
    pkgname: p.pkgname, pkgpath: p.pkgpath, status: p.status, breaks: p.breaks,
    phase: p.phase ?? null, error: p.error ?? null, reason: p.reason ?? null,
    blocked_by: [...p.blockedBy].sort(),
    duration_s: p.status === 'done' || failed ? p.durationS ?? null : null,
    host: p.status === 'done' || failed ? p.host ?? null : null,
    allocation: p.status === 'done' || failed ? p.allocation ?? null : null,
    log: p.log ?? null,
    fetch_s: p.fetchS === undefined ? null : seconds(p.fetchS),
    fetch_bytes: p.fetchBytes ?? null,
  };
}

const seconds = (s: number): number => Math.round(s * 100) / 100;
