// A guess of a port's build time from what the scan knows of it, for ports
// the history has never seen: its number of dependencies (installing them
// is a tenth of a pkgsrc build, and big programs need many), how deep they
// go, whether it builds with several make jobs (MAKE_JOBS_SAFE), and its
// category. A least-squares fit of ln(seconds) on the history's ports whose
// facts are known, with each category's mean residual shrunk toward zero
// when the category has few ports. On the recorded 1,669-package build it
// halves the error of the median (bench/estimator-error.ts).

import type { PkgPath } from '../model.js';

/** What the scan and the resolved graph say of a port. */
export interface PortFacts {
  readonly pkgpath: PkgPath;
  /** Direct dependencies. */
  readonly deps: number;
  /** The longest chain of dependencies below it (0: none). */
  readonly depth: number;
  readonly makeJobsSafe: boolean;
}

/** A fitted model: ln(seconds) = weights . features + the category's shrunk residual. */
export interface EstimateModel {
  /** ln(seconds) expected of a port with `facts`. */
  logSeconds(facts: PortFacts): number;
  /** Standard deviation of ln(actual / predicted) on the ports it was fitted on. */
  readonly spread: number;
}

/** Fewer samples than this: no model (the median does as well). */
const LEAST_SAMPLES = 30;
/** A category's residual counts as if it had this many more ports at 0. */
const CATEGORY_PRIOR = 5;
/** Ridge on the slopes, so a feature every sample shares does not blow up. */
const RIDGE = 1;

function features(f: PortFacts): number[] {
  return [1, Math.log1p(f.deps), f.depth, f.makeJobsSafe ? 1 : 0];
}

function category(pkgpath: PkgPath): string {
  const slash = pkgpath.indexOf('/');
  return slash > 0 ? pkgpath.slice(0, slash) : '';
}

/** Fits the model on `samples` (facts and seconds > 0); undefined when too few. */
export function fitEstimateModel(samples: readonly { readonly facts: PortFacts; readonly seconds: number }[]): EstimateModel | undefined {
  const usable = samples.filter((s) => s.seconds > 0);
  if (usable.length < LEAST_SAMPLES) return undefined;
  const n = features(usable[0]!.facts).length;
  const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const b = new Array<number>(n).fill(0);
  for (const s of usable) {
    const x = features(s.facts);
    const y = Math.log(s.seconds);
    for (let i = 0; i < n; i++) {
      b[i]! += x[i]! * y;
      for (let j = 0; j < n; j++) a[i]![j]! += x[i]! * x[j]!;
    }
  }
  for (let i = 1; i < n; i++) a[i]![i]! += RIDGE;
  const w = solve(a, b);
  const linear = (f: PortFacts): number => features(f).reduce((sum, x, i) => sum + x * w[i]!, 0);
  const residuals = new Map<string, { sum: number; count: number }>();
  for (const s of usable) {
    const key = category(s.facts.pkgpath);
    const r = residuals.get(key) ?? { sum: 0, count: 0 };
    r.sum += Math.log(s.seconds) - linear(s.facts);
    r.count++;
    residuals.set(key, r);
  }
  const logSeconds = (f: PortFacts): number => {
    const r = residuals.get(category(f.pkgpath));
    return linear(f) + (r ? r.sum / (r.count + CATEGORY_PRIOR) : 0);
  };
  let squares = 0;
  for (const s of usable) squares += (Math.log(s.seconds) - logSeconds(s.facts)) ** 2;
  return { logSeconds, spread: Math.sqrt(squares / usable.length) };
}

/** Solves a x = b by Gaussian elimination with partial pivoting (a is small and, with the ridge, regular). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let i = 0; i < n; i++) {
    let pivot = i;
    for (let j = i + 1; j < n; j++) if (Math.abs(a[j]![i]!) > Math.abs(a[pivot]![i]!)) pivot = j;
    [a[i], a[pivot]] = [a[pivot]!, a[i]!];
    [b[i], b[pivot]] = [b[pivot]!, b[i]!];
    for (let j = i + 1; j < n; j++) {
      const factor = a[j]![i]! / a[i]![i]!;
      for (let k = i; k < n; k++) a[j]![k]! -= factor * a[i]![k]!;
      b[j]! -= factor * b[i]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = b[i]!;
    for (let k = i + 1; k < n; k++) sum -= a[i]![k]! * x[k]!;
    x[i] = sum / a[i]![i]!;
  }
  return x;
}

/**
 * The longest chain of dependencies below `root` (0 for none), memoised in
 * `depth`. Iterative, as chains of the whole tree are too deep for
 * recursion. A dependency on the walk's own path (a cycle, which the
 * resolver reports and fails) counts as none, so a cycle cannot loop it.
 */
export function chainDepth<K>(root: K, dependsOf: (node: K) => readonly K[], depth: Map<K, number>): number {
  const onPath = new Set<K>();
  const stack = [root];
  while (stack.length > 0) {
    const node = stack[stack.length - 1]!;
    if (depth.has(node)) {
      stack.pop();
      continue;
    }
    onPath.add(node);
    let deepest = 0;
    let ready = true;
    for (const dep of dependsOf(node)) {
      if (onPath.has(dep)) continue;
      const known = depth.get(dep);
      if (known === undefined) {
        ready = false;
        stack.push(dep);
      } else deepest = Math.max(deepest, known + 1);
    }
    if (ready) {
      depth.set(node, deepest);
      onPath.delete(node);
      stack.pop();
    }
  }
  return depth.get(root)!;
}

/** Facts of every node of a graph given as dependency lists (ids), the pkgpath and MAKE_JOBS_SAFE of each. */
export function graphFacts(deps: readonly (readonly number[])[], pkgpath: (id: number) => PkgPath,
  makeJobsSafe: (id: number) => boolean): PortFacts[] {
  const depth = new Map<number, number>();
  return deps.map((list, id) => ({
    pkgpath: pkgpath(id), deps: list.length, depth: chainDepth(id, (node) => deps[node]!, depth), makeJobsSafe: makeJobsSafe(id),
  }));
}
