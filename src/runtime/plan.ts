// From a resolved index to the engine's plan: where each package starts this
// run (prefailed, already done in a resumed run, up to date, or open), what it
// depends on, and how long it is expected to take.

import type { InitialState, PlanEntry } from '../core/engine.js';
import type { Estimate, PkgName } from '../core/model.js';
import { isPkgPath, isSafePkgname } from '../core/pkgpath.js';
import { indexValue } from '../core/pbulk-index.js';
import type { ResolvedPackage } from '../core/resolve.js';
import type { PackageInfo } from '../core/run-events.js';
import type { StatusRecord } from '../store/run-store.js';

export interface PlanInputs {
  readonly packages: readonly ResolvedPackage[];
  /** Statuses of the run being resumed; empty for a new run. */
  readonly resumed: ReadonlyMap<PkgName, StatusRecord>;
  /** Whether a package file is in the repository. */
  readonly built: (pkgname: PkgName) => boolean;
  /** Packages found current (inputs unchanged) before the run starts. */
  readonly upToDate: ReadonlySet<PkgName>;
  readonly estimate: (pkg: ResolvedPackage) => Estimate;
}

export interface Plan {
  readonly entries: PlanEntry[];
  readonly info: PackageInfo[];
}

export function makePlan(inputs: PlanInputs): Plan {
  const names = new Set(inputs.packages.map((p) => p.pkgname));
  const entries: PlanEntry[] = [];
  const info: PackageInfo[] = [];
  for (const pkg of inputs.packages) {
    const deps = pkg.depends.filter((d) => names.has(d));
    const estimate = inputs.estimate(pkg);
    entries.push({
      pkgname: pkg.pkgname, pkgpath: pkg.pkgpath, deps, estimate,
      initial: initialState(pkg, inputs),
      makeJobsSafe: indexValue(pkg.entry, 'MAKE_JOBS_SAFE')?.toLowerCase() !== 'no',
    });
    info.push({
      pkgname: pkg.pkgname, pkgpath: pkg.pkgpath, depends: deps, expectedS: estimate.wallS,
      maintainer: indexValue(pkg.entry, 'MAINTAINER') ?? '',
      comment: indexValue(pkg.entry, 'COMMENT') ?? '',
      categories: indexValue(pkg.entry, 'CATEGORIES') ?? '',
    });
  }
  return { entries, info };
}

function initialState(pkg: ResolvedPackage, inputs: PlanInputs): InitialState {
  if (!isSafePkgname(pkg.pkgname)) return { status: 'prefailed', reason: `PKGNAME ${JSON.stringify(pkg.pkgname)} cannot be a file name` };
  if (!isPkgPath(pkg.pkgpath)) return { status: 'prefailed', reason: `PKG_LOCATION ${JSON.stringify(pkg.pkgpath)} is not a category/name inside the tree` };
  if (pkg.prefailed !== undefined) return { status: 'prefailed', reason: pkg.prefailed };
  const before = inputs.resumed.get(pkg.pkgname);
  // A resumed run keeps what it finished: built packages whose file is still there, and failures.
  if ((before?.status === 'done' || before?.status === 'up-to-date') && inputs.built(pkg.pkgname)) return { status: before.status };
  if (before?.status === 'failed') return { status: 'failed', phase: before.phase ?? 'build', error: before.error ?? 'unknown' };
  return inputs.upToDate.has(pkg.pkgname) ? { status: 'up-to-date' } : { status: 'open' };
}
