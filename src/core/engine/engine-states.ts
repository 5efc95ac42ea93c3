// The state of every package of a run, as named sets (dpb's way): open,
// building, and the final states of model.ts, with counts, the detail of
// each failure and, for an indirect failure, its root causes. Failures
// propagate to everything that depends on them; a retried root unblocks
// what it alone blocked.

import type { EngineCommand, StatusChange } from './engine-events.js';
import type { BuildGraph } from '../resolve/graph.js';
import type { Phase, Status } from '../model.js';

export interface FailureDetail {
  reason?: string;
  phase?: Phase;
  error?: string;
  /** A failure from an earlier run: its log and host. */
  log?: string;
  host?: string;
}

/** The detail of a failure that stands from an earlier run (a plan's initial state, a check's verdict). */
export function standingFailure(f: { phase: Phase; error: string; reason?: string; log?: string; host?: string }): FailureDetail {
  return {
    phase: f.phase, error: f.error, ...(f.reason !== undefined && { reason: f.reason }),
    ...(f.log !== undefined && { log: f.log }), ...(f.host !== undefined && { host: f.host }),
  };
}

export class PackageStates {
  readonly status: Status[];
  readonly detail: (FailureDetail | undefined)[];
  readonly blockedBy: (Set<number> | undefined)[];
  readonly counts: Record<Status, number> = {
    open: 0, building: 0, done: 0, failed: 0, prefailed: 0,
    'indirect-failed': 0, 'indirect-prefailed': 0, 'up-to-date': 0,
  };
  private graph: BuildGraph;
  private readonly onChange: (id: number, before: Status, after: Status) => void;

  constructor(graph: BuildGraph, onChange: (id: number, before: Status, after: Status) => void) {
    this.graph = graph;
    this.onChange = onChange;
    this.status = new Array<Status>(graph.size).fill('open');
    this.detail = new Array<FailureDetail | undefined>(graph.size);
    this.blockedBy = new Array<Set<number> | undefined>(graph.size);
    this.counts.open = graph.size;
  }

  /** Takes a graph with more packages (added at the end, all open). */
  grow(graph: BuildGraph): void {
    const added = graph.size - this.status.length;
    for (let i = 0; i < added; i++) {
      this.status.push('open');
      this.detail.push(undefined);
      this.blockedBy.push(undefined);
    }
    this.counts.open += added;
    this.graph = graph;
  }

  set(out: EngineCommand[], at: number, id: number, status: Status, detail: FailureDetail = {}, job?: number): void {
    const before = this.status[id]!;
    this.counts[before]--;
    this.counts[status]++;
    this.onChange(id, before, status);
    this.status[id] = status;
    this.detail[id] = status === 'failed' || status === 'prefailed' ? detail : undefined;
    if (!status.startsWith('indirect')) this.blockedBy[id] = undefined;
    const change: StatusChange = {
      type: 'status', at, pkgname: this.graph.pkgnames[id]!, status,
      ...(detail.reason !== undefined && { reason: detail.reason }),
      ...(detail.phase !== undefined && { phase: detail.phase }),
      ...(detail.error !== undefined && { error: detail.error }),
      ...(detail.log !== undefined && { log: detail.log }),
      ...(detail.host !== undefined && { host: detail.host }),
      ...(this.blockedBy[id] && { blockedBy: [...this.blockedBy[id]].map((b) => this.graph.pkgnames[b]!) }),
      ...(job !== undefined && { job }),
    };
    out.push(change);
  }

  /** `id` failed: so does, indirectly, everything that needs it. */
  fail(out: EngineCommand[], at: number, id: number, detail: FailureDetail, job?: number): void {
    this.set(out, at, id, 'failed', detail, job);
    this.propagate(out, at, id);
  }

  /**
   * Marks everything that needs `root` (directly or not) as blocked by it;
   * with `first`, only packages from that id on (those below already are).
   */
  propagate(out: EngineCommand[], at: number, root: number, first = 0): void {
    const indirect: Status = this.status[root] === 'prefailed' ? 'indirect-prefailed' : 'indirect-failed';
    const seen = new Set<number>([root]);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      for (const d of this.graph.dependents[queue[i]!]!) {
        if (seen.has(d)) continue;
        seen.add(d);
        const s = this.status[d]!;
        if (s !== 'open' && s !== 'indirect-failed' && s !== 'indirect-prefailed') continue;
        if (d < first) {
          if (this.blockedBy[d]?.has(root)) queue.push(d);
          continue;
        }
        const blockers = this.blockedBy[d] ?? new Set<number>();
        blockers.add(root);
        this.blockedBy[d] = blockers;
        this.set(out, at, d, s === 'open' ? indirect : s);
        queue.push(d);
      }
    }
  }

  /** `root` is open again: what it alone blocked is open again too. */
  unblock(out: EngineCommand[], at: number, root: number, reopened: (id: number) => void): void {
    const seen = new Set<number>([root]);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      for (const d of this.graph.dependents[queue[i]!]!) {
        if (seen.has(d)) continue;
        seen.add(d);
        const blockers = this.blockedBy[d];
        if (!blockers?.delete(root)) continue;
        queue.push(d);
        if (blockers.size > 0) {
          this.set(out, at, d, this.status[d]!);
        } else {
          this.set(out, at, d, 'open');
          reopened(d);
        }
      }
    }
  }
}
