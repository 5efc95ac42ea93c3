// The resolved dependency graph of one run: node ids are indices, edges go
// from a package to what it needs built first (deps) and back (dependents).

import type { PkgName, PkgPath } from '../model.js';

export interface GraphNode {
  readonly pkgname: PkgName;
  readonly pkgpath: PkgPath;
  /** Resolved pkgnames that must be built before this one (build and run). */
  readonly deps: readonly PkgName[];
}

export class BuildGraph {
  readonly pkgnames: readonly PkgName[];
  readonly pkgpaths: readonly PkgPath[];
  readonly deps: readonly (readonly number[])[];
  readonly dependents: readonly (readonly number[])[];
  private readonly ids: ReadonlyMap<PkgName, number>;

  private constructor(pkgnames: PkgName[], pkgpaths: PkgPath[], deps: number[][], ids: Map<PkgName, number>) {
    this.pkgnames = pkgnames;
    this.pkgpaths = pkgpaths;
    this.deps = deps;
    this.ids = ids;
    const dependents: number[][] = pkgnames.map(() => []);
    deps.forEach((list, id) => { for (const dep of list) dependents[dep]!.push(id); });
    this.dependents = dependents;
  }

  /**
   * Builds the graph. A dependency on a pkgname that is not in `nodes` is an
   * internal error (the resolver turns those into prefailed packages), as is
   * a pkgname given twice.
   */
  static from(nodes: readonly GraphNode[]): BuildGraph {
    const ids = new Map<PkgName, number>();
    nodes.forEach((node, id) => {
      if (ids.has(node.pkgname)) throw new Error(`pkgname ${node.pkgname} given twice`);
      ids.set(node.pkgname, id);
    });
    const deps = nodes.map((node) => {
      const list: number[] = [];
      for (const dep of node.deps) {
        const id = ids.get(dep);
        if (id === undefined) throw new Error(`${node.pkgname} depends on unknown ${dep}`);
        if (!list.includes(id)) list.push(id);
      }
      return list;
    });
    return new BuildGraph(nodes.map((n) => n.pkgname), nodes.map((n) => n.pkgpath), deps, ids);
  }

  get size(): number {
    return this.pkgnames.length;
  }

  id(pkgname: PkgName): number | undefined {
    return this.ids.get(pkgname);
  }

  /**
   * Nodes in an order where every node comes after its deps. Nodes on a cycle
   * (and what depends on them) are left out and returned in `cyclic`.
   */
  topologicalOrder(): { order: number[]; cyclic: number[] } {
    const pending = this.deps.map((list) => list.length);
    const order: number[] = [];
    pending.forEach((count, id) => { if (count === 0) order.push(id); });
    for (let i = 0; i < order.length; i++) {
      for (const dependent of this.dependents[order[i]!]!) {
        if (--pending[dependent]! === 0) order.push(dependent);
      }
    }
    const cyclic: number[] = [];
    pending.forEach((count, id) => { if (count > 0) cyclic.push(id); });
    return { order, cyclic };
  }

  /**
   * The dependency cycles: strongly connected components with more than one
   * node, or a node that depends on itself (Tarjan's algorithm, iterative).
   */
  cycles(): number[][] {
    const n = this.size;
    const index = new Int32Array(n).fill(-1);
    const low = new Int32Array(n);
    const onStack = new Uint8Array(n);
    const stack: number[] = [];
    const found: number[][] = [];
    let counter = 0;
    for (let start = 0; start < n; start++) {
      if (index[start] !== -1) continue;
      const work: [number, number][] = [[start, 0]];
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        const [v, next] = frame;
        if (next === 0) {
          index[v] = low[v] = counter++;
          stack.push(v);
          onStack[v] = 1;
        }
        const deps = this.deps[v]!;
        if (next < deps.length) {
          frame[1] = next + 1;
          const w = deps[next]!;
          if (index[w] === -1) work.push([w, 0]);
          else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low[parent[0]] = Math.min(low[parent[0]]!, low[v]!);
        if (low[v] === index[v]) {
          const component: number[] = [];
          let w: number;
          do {
            w = stack.pop()!;
            onStack[w] = 0;
            component.push(w);
          } while (w !== v);
          if (component.length > 1 || deps.includes(v)) found.push(component.sort((a, b) => a - b));
        }
      }
    }
    return found;
  }
}
