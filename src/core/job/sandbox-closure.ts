// What a job's sandbox holds: the packages it depends on (to build and to
// run), plus the run-time dependencies of those, transitively. Build-only
// dependencies of dependencies are not passed on.

import type { PkgName } from '../model.js';

export interface DependencyInfo {
  /** Every resolved dependency: build and run. */
  readonly depends: readonly PkgName[];
  /** The run-time subset; undefined when the tree does not tell them apart (then all are). */
  readonly runDepends: readonly PkgName[] | undefined;
}

/** The sandbox's packages for `pkgname`, each after the packages it needs at run time. */
export function sandboxContents(pkgname: PkgName, lookup: (pkgname: PkgName) => DependencyInfo | undefined): PkgName[] {
  const order: PkgName[] = [];
  const state = new Map<PkgName, 'visiting' | 'done'>();
  const visit = (name: PkgName): void => {
    if (state.has(name)) return; // done, or a run-time cycle: keep the first order
    state.set(name, 'visiting');
    const info = lookup(name);
    for (const dep of info ? (info.runDepends ?? info.depends) : []) visit(dep);
    state.set(name, 'done');
    order.push(name);
  };
  for (const dep of lookup(pkgname)?.depends ?? []) visit(dep);
  return order;
}
