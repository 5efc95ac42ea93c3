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
  /** Each package's status, by index. */
  readonly statuses: readonly Status[];
  /** Expected seconds of each package's job at speed 1, by index. */
  readonly expected: readonly number[];
  readonly running: readonly EtaJob[];
  /** The hosts that take jobs. */
  readonly hosts: readonly EtaHost[];
  /**
   * The nodes that may still be open or building, each after its
   * dependencies (the graph's order, or what an earlier estimate left of
   * it); every other node is done with. The whole graph when not given.
   */
  readonly order?: Int32Array;
}

export interface EtaResult {
  /** Seconds left, or undefined when nothing that is left can run (no slots, nothing running). */
  readonly remainingS: number | undefined;
  /** The nodes of `order` still open or building: the next estimate's order. */
  readonly order: Int32Array;
}

/** Seconds left, or undefined when nothing that is left can run (no slots, nothing running). */
export function estimateRemaining(input: EtaInput): number | undefined {
  return estimate(input).remainingS;
}

export function estimate(input: EtaInput): EtaResult {
  const { graph, statuses, expected } = input;
  const order = input.order ?? graph.order;
  const still = new Int32Array(order.length);
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
  for (let o = 0; o < order.length; o++) {
    const i = order[o]!;
    const status = statuses[i];
    if (status !== 'open' && status !== 'building') continue;
    still[remaining++] = i;
    let own: number;
    if (status === 'building') {
      const job = left.get(i);
      own = job ? Math.max(0, job.leftS) : 0;
      work += own * (job?.speed ?? 1);
      runningLeft = Math.max(runningLeft, own);
    } else {
      const speed1 = Math.max(0, expected[i] ?? 0);
      own = fastest > 0 ? speed1 / fastest : speed1;
      work += speed1;
    }
    let before = 0;
    for (let k = graph.depStart[i]!; k < graph.depStart[i + 1]!; k++) before = Math.max(before, finish[graph.depOf[k]!]!);
    finish[i] = before + own;
    chain = Math.max(chain, finish[i]);
  }
  const next = still.slice(0, remaining);
  if (remaining === 0) return { remainingS: 0, order: next };
  if (capacity === 0) return { remainingS: input.running.length > 0 ? Math.round(runningLeft) : undefined, order: next };
  return { remainingS: Math.round(Math.max(chain, work / capacity)), order: next };
}
