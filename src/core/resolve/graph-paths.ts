// Longest paths and transitive dependents over a BuildGraph, in one sweep
// of its topological order. Nodes on a dependency cycle are not in that
// order: they count only themselves.

import type { BuildGraph } from './graph.js';

/**
 * For each node, the longest path from its start to the end of the build
 * through it and its dependents (its own duration included): the critical
 * path that remains once it starts.
 */
export function tails(graph: BuildGraph, duration: (id: number) => number, order = graph.topologicalOrder().order): Float64Array {
  const tail = new Float64Array(graph.size);
  for (let id = 0; id < graph.size; id++) tail[id] = duration(id);
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    let longest = 0;
    for (const d of graph.dependents[id]!) if (tail[d]! > longest) longest = tail[d]!;
    tail[id] = longest + duration(id);
  }
  return tail;
}

/** The longest chain of durations through the graph. */
export function criticalPath(graph: BuildGraph, duration: (id: number) => number): number {
  let longest = 0;
  for (const t of tails(graph, duration)) if (t > longest) longest = t;
  return longest;
}

/** The ids on one longest chain, first to last. */
export function criticalChain(graph: BuildGraph, duration: (id: number) => number, tail = tails(graph, duration)): number[] {
  let current = -1;
  for (let id = 0; id < graph.size; id++) {
    if (graph.deps[id]!.length === 0 && (current === -1 || tail[id]! > tail[current]!)) current = id;
  }
  const chain: number[] = [];
  while (current !== -1) {
    chain.push(current);
    let next = -1;
    for (const d of graph.dependents[current]!) if (next === -1 || tail[d]! > tail[next]!) next = d;
    current = next;
  }
  return chain;
}

/**
 * Calls `visit(id, dependents)` once per node with the set of every node
 * that depends on it, directly or not (itself excluded), as a bitset over
 * node ids. Sets are made leaves first and dropped once no node needs them
 * any more; `visit` must not keep the array.
 */
export function forEachDependentSet(graph: BuildGraph, visit: (id: number, dependents: Uint32Array | undefined) => void): void {
  const n = graph.size;
  const words = Math.ceil(n / 32);
  const { order, cyclic } = graph.topologicalOrder();
  const sets = new Array<Uint32Array | undefined>(n);
  const readersLeft = new Int32Array(n);
  for (let id = 0; id < n; id++) readersLeft[id] = graph.deps[id]!.length;
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    const dependents = graph.dependents[id]!;
    let bits: Uint32Array | undefined;
    if (dependents.length > 0) {
      bits = new Uint32Array(words);
      for (const d of dependents) {
        bits[d >> 5]! |= 1 << (d & 31);
        const sub = sets[d];
        if (sub) for (let w = 0; w < words; w++) bits[w]! |= sub[w]!;
        if (--readersLeft[d]! === 0) sets[d] = undefined;
      }
    }
    visit(id, bits);
    if (readersLeft[id]! > 0) sets[id] = bits;
  }
  for (const id of cyclic) visit(id, undefined);
}

/** The number of set bits. */
export function popcount(bits: Uint32Array): number {
  let count = 0;
  for (let w = 0; w < bits.length; w++) {
    let v = bits[w]!;
    if (v === 0) continue;
    v -= (v >>> 1) & 0x55555555;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    count += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return count;
}

/** The sum of `weight` over the set bits. */
export function weightedSum(bits: Uint32Array, weight: ArrayLike<number>): number {
  let sum = 0;
  for (let w = 0; w < bits.length; w++) {
    let v = bits[w]!;
    while (v !== 0) {
      const low = v & -v;
      sum += weight[(w << 5) + (31 - Math.clz32(low))]!;
      v ^= low;
    }
  }
  return sum;
}
