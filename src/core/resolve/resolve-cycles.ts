// Dependency cycles among resolved packages, each member named with the
// shortest chain of dependencies that leads from it back to itself.

import { BuildGraph } from './graph.js';

/**
 * For every package on a cycle, a sentence naming its cycle:
 * "dependency cycle: a-1 -> b-1 -> a-1". When the cycle found is part of
 * a larger knot, the sentence names every package of the knot too.
 */
export function cycleReasons(names: readonly string[], deps: readonly (readonly number[])[]): Map<number, string> {
  const graph = BuildGraph.from(names.map((pkgname, id) => ({
    pkgname, pkgpath: '', deps: deps[id]!.map((dep) => names[dep]!),
  })));
  const reasons = new Map<number, string>();
  for (const component of graph.cycles()) {
    const members = new Set(component);
    for (const id of component) {
      const chain = shortestCycle(graph.deps, members, id).map((member) => names[member]!);
      let reason = `dependency cycle: ${chain.join(' -> ')}`;
      if (chain.length - 1 < component.length) {
        reason += ` (one of the cycles among ${component.map((member) => names[member]!).join(', ')})`;
      }
      reasons.set(id, reason);
    }
  }
  return reasons;
}

/** `[start, ..., start]`: the fewest steps from `start` back to itself within `members`. */
function shortestCycle(deps: readonly (readonly number[])[], members: ReadonlySet<number>, start: number): number[] {
  const parent = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const current = queue[head]!;
    for (const dep of deps[current]!) {
      if (dep === start) {
        const path = [start];
        for (let at = current; at !== start; at = parent.get(at)!) path.push(at);
        path.push(start);
        return path.reverse();
      }
      if (!members.has(dep) || parent.has(dep)) continue;
      parent.set(dep, current);
      queue.push(dep);
    }
  }
  throw new Error(`package ${start} is in a strongly connected component but on no cycle`);
}
