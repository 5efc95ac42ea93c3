// How long the rest of a run takes, from expected durations (history): the
// longer of the longest chain still to build and the work left spread over
// the slots that take jobs. Running jobs count with what they have left.

import type { PkgName, Status } from '../core/model.js';
import type { PackageInfo } from '../core/run-events.js';
import type { RunningJob } from './run-view.js';

interface Remaining {
  readonly info: PackageInfo;
  readonly status: Status;
}

/** Seconds left, or undefined when nothing that is left can run (no slots). */
export function estimateRemaining(
  packages: Iterable<Remaining>, running: readonly RunningJob[], upSlots: number,
  statusOf: (pkgname: PkgName) => Status | undefined,
): number | undefined {
  const left = new Map<PkgName, number>();
  for (const job of running) left.set(job.pkgname, Math.max(0, job.expectedS - job.elapsedS));
  const deps = new Map<PkgName, readonly PkgName[]>();
  let work = 0;
  for (const p of packages) {
    if (p.status !== 'open' && p.status !== 'building') continue;
    const own = p.status === 'building' ? left.get(p.info.pkgname) ?? 0 : p.info.expectedS;
    left.set(p.info.pkgname, own);
    deps.set(p.info.pkgname, p.info.depends.filter((d) => {
      const s = statusOf(d);
      return s === 'open' || s === 'building';
    }));
    work += own;
  }
  if (left.size === 0) return 0;
  const chain = longestChain(left, deps);
  if (upSlots === 0) return running.length > 0 ? Math.round(Math.max(...running.map((j) => left.get(j.pkgname) ?? 0))) : undefined;
  return Math.round(Math.max(chain, work / upSlots));
}

/** The heaviest path through the remaining packages, iteratively (deep graphs overflow a recursive walk). */
function longestChain(weight: ReadonlyMap<PkgName, number>, deps: ReadonlyMap<PkgName, readonly PkgName[]>): number {
  const finish = new Map<PkgName, number>();
  const onStack = new Set<PkgName>();
  let best = 0;
  for (const start of weight.keys()) {
    if (finish.has(start)) continue;
    const stack: { name: PkgName; next: number }[] = [{ name: start, next: 0 }];
    onStack.add(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const list = deps.get(top.name) ?? [];
      if (top.next < list.length) {
        const dep = list[top.next++]!;
        if (!finish.has(dep) && !onStack.has(dep) && weight.has(dep)) {
          onStack.add(dep);
          stack.push({ name: dep, next: 0 });
        }
        continue;
      }
      let before = 0;
      for (const dep of list) before = Math.max(before, finish.get(dep) ?? 0);
      const end = before + (weight.get(top.name) ?? 0);
      finish.set(top.name, end);
      best = Math.max(best, end);
      onStack.delete(top.name);
      stack.pop();
    }
  }
  return best;
}
