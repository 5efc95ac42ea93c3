// The counters of a run, kept as statuses change instead of counted over
// every package each second: packages by status, and how many open ones
// are queued (every dependency built, waiting only for a slot). Queued
// needs the graph: each package keeps how many of its dependencies are not
// built, and a package that becomes built (or stops being built) tells its
// dependents.

import type { Status } from '../../core/model.js';
import type { PackageGraph } from './run-view-graph.js';
import { isBuilt } from './run-view-records.js';
import type { Counts } from './run-view.js';

const blank = (): Record<Status, number> => ({
  open: 0, building: 0, done: 0, failed: 0, prefailed: 0, 'indirect-failed': 0, 'indirect-prefailed': 0, 'up-to-date': 0,
});

export class StatusCounts {
  private byStatus = blank();
  private total = 0;
  private queued = 0;
  private unbuilt = new Int32Array(0);
  private graph: PackageGraph | undefined;

  /** A package enters the run with `status`. The queued count waits for the next `rebuild`. */
  added(status: Status): void {
    this.byStatus[status]++;
    this.total++;
    this.graph = undefined;
  }

  /** Package `index` went from `before` to `after`. */
  changed(index: number, before: Status, after: Status, statusOf: (index: number) => Status): void {
    if (before === after) return;
    this.byStatus[before]--;
    this.byStatus[after]++;
    const graph = this.graph;
    if (!graph) return;
    if (this.unbuilt[index] === 0) this.queued += (after === 'open' ? 1 : 0) - (before === 'open' ? 1 : 0);
    const built = isBuilt(after);
    if (isBuilt(before) === built) return;
    for (let k = graph.revStart[index]!; k < graph.revStart[index + 1]!; k++) {
      const j = graph.revOf[k]!;
      const was = this.unbuilt[j]!;
      const now = was + (built ? -1 : 1);
      this.unbuilt[j] = now;
      if (statusOf(j) === 'open' && (was === 0) !== (now === 0)) this.queued += now === 0 ? 1 : -1;
    }
  }

  /** Counts queued packages afresh over a new graph. */
  rebuild(graph: PackageGraph, statusOf: (index: number) => Status): void {
    this.graph = graph;
    this.unbuilt = new Int32Array(graph.size);
    this.queued = 0;
    for (let i = 0; i < graph.size; i++) {
      let n = 0;
      for (let k = graph.depStart[i]!; k < graph.depStart[i + 1]!; k++) if (!isBuilt(statusOf(graph.depOf[k]!))) n++;
      this.unbuilt[i] = n;
      if (n === 0 && statusOf(i) === 'open') this.queued++;
    }
  }

  get current(): boolean {
    return this.graph !== undefined;
  }

  counts(): Counts {
    return { total: this.total, byStatus: { ...this.byStatus }, queued: this.queued, waiting: this.byStatus.open - this.queued };
  }
}
