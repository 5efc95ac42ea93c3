// How long the rest of a run takes, from expected durations (history, at
// speed 1): the longer of the longest chain still to build and the work
// left spread over the slots that take jobs, both counted with the hosts'
// speed factors (dpb's `sf`). A host of speed 2 does a second of speed-1
// work in half a second; the chain is built on the fastest host. Running
// jobs count with what they have left on the host they run on. One pass
// over the graph in dependency order, so it can run every second.

import type { Status } from '../core/model.js';
import type { PackageGraph } from './run-view-graph.js';

export interface EtaHost {
  readonly slots: number;
  readonly speed: number;
}

export interface EtaJob {
  /** The package's index in the graph. */
  readonly pkg: number;
  /** Seconds it has left on its host. */
  readonly leftS: number;
  /** Its host's speed factor. */
  readonly speed: number;
}

export interface EtaInput {
  readonly graph: PackageGraph;
  readonly statusOf: (index: number) => Status;
  /** Expected seconds of a package's job at speed 1. */
  readonly expectedOf: (index: number) => number;
  readonly running: readonly EtaJob[];
  /** The hosts that take jobs. */
  readonly hosts: readonly EtaHost[];
}

/** Seconds left, or undefined when nothing that is left can run (no slots, nothing running). */
export function estimateRemaining(input: EtaInput): number | undefined {
  const { graph, statusOf, expectedOf } = input;
  let capacity = 0;
  let fastest = 0;
  for (const h of input.hosts) {
    if (h.slots <= 0) continue;
    capacity += h.slots * h.speed;
    fastest = Math.max(fastest, h.speed);
  }
  const left = new Map<number, EtaJob>();
  for (const job of input.running) left.set(job.pkg, job);
  const finish = new Float64Array(graph.size);
  let work = 0;
  let chain = 0;
  let remaining = 0;
  let runningLeft = 0;
  for (let o = 0; o < graph.order.length; o++) {
    const i = graph.order[o]!;
    const status = statusOf(i);
    if (status !== 'open' && status !== 'building') continue;
    remaining++;
    let own: number;
    if (status === 'building') {
      const job = left.get(i);
      own = job ? Math.max(0, job.leftS) : 0;
      work += own * (job?.speed ?? 1);
      runningLeft = Math.max(runningLeft, own);
    } else {
      const expected = Math.max(0, expectedOf(i));
      own = fastest > 0 ? expected / fastest : expected;
      work += expected;
    }
    let before = 0;
    for (let k = graph.depStart[i]!; k < graph.depStart[i + 1]!; k++) before = Math.max(before, finish[graph.depOf[k]!]!);
    finish[i] = before + own;
    chain = Math.max(chain, finish[i]!);
  }
  if (remaining === 0) return 0;
  if (capacity === 0) return input.running.length > 0 ? Math.round(runningLeft) : undefined;
  return Math.round(Math.max(chain, work / capacity));
}
