// The run's packages as an indexed graph, for what the views recompute
// often: how many packages are queued (every dependency built) and the
// ETA's longest chain. Built once the packages are known (and again if
// more appear), so each second's view costs one pass over arrays instead
// of walks over maps of names.

import type { PkgName } from '../../core/model.js';

export interface GraphNode {
  readonly index: number;
  readonly pkgname: PkgName;
  readonly depends: readonly PkgName[];
}

export class PackageGraph {
  /** Dependencies of node i: `depOf[depStart[i] .. depStart[i + 1]]`; names outside the run are left out. */
  readonly depStart: Int32Array;
  readonly depOf: Int32Array;
  /** Dependents of node i, the same way. */
  readonly revStart: Int32Array;
  readonly revOf: Int32Array;
  /** Every node, each after its dependencies (nodes on a cycle last, in index order). */
  readonly order: Int32Array;

  constructor(nodes: readonly GraphNode[]) {
    const n = nodes.length;
    const byName = new Map<PkgName, number>();
    // The first node of a name: a port left out for its PKGNAME comes after the one that kept it.
    for (const node of nodes) if (!byName.has(node.pkgname)) byName.set(node.pkgname, node.index);
    this.depStart = new Int32Array(n + 1);
    const deps: number[] = [];
    const dependents = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      this.depStart[i] = deps.length;
      for (const name of nodes[i]!.depends) {
        const d = byName.get(name);
        if (d === undefined || d === i) continue;
        deps.push(d);
        dependents[d]!++;
      }
    }
    this.depStart[n] = deps.length;
    this.depOf = Int32Array.from(deps);
    this.revStart = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) this.revStart[i + 1] = this.revStart[i]! + dependents[i]!;
    this.revOf = new Int32Array(deps.length);
    const fill = this.revStart.slice(0, n);
    for (let i = 0; i < n; i++) {
      for (let k = this.depStart[i]!; k < this.depStart[i + 1]!; k++) this.revOf[fill[this.depOf[k]!]!++] = i;
    }
    this.order = this.topological(n);
  }

  get size(): number {
    return this.depStart.length - 1;
  }

  private topological(n: number): Int32Array {
    const waiting = new Int32Array(n);
    for (let i = 0; i < n; i++) waiting[i] = this.depStart[i + 1]! - this.depStart[i]!;
    const order = new Int32Array(n);
    let head = 0;
    let tail = 0;
    for (let i = 0; i < n; i++) if (waiting[i] === 0) order[tail++] = i;
    while (head < tail) {
      const i = order[head++]!;
      for (let k = this.revStart[i]!; k < this.revStart[i + 1]!; k++) {
        const j = this.revOf[k]!;
        if (--waiting[j]! === 0) order[tail++] = j;
      }
    }
    for (let i = 0; i < n && tail < n; i++) if (waiting[i]! > 0) order[tail++] = i;
    return order;
  }
}
