// From a resolved index to the engine's plan: where each package starts this
// run (prefailed; done or up to date; failed before with the same inputs;
// open, perhaps to be checked again once its dependencies are built), what
// it depends on, and how long it is expected to take.

import type { InitialState, PlanEntry } from '../core/engine/engine.js';
import type { Estimate, PkgName } from '../core/model.js';
import { isPkgPath, isSafePkgname } from '../core/pkgpath.js';
import { indexValue } from '../core/formats/pbulk-index.js';
import type { ResolvedPackage } from '../core/resolve/resolve.js';
import { unreachable } from '../core/unreachable.js';
import type { PackageInfo } from '../core/run-events.js';
import type { StartVerdict } from './currency.js';

export interface PlanInputs {
  readonly packages: readonly ResolvedPackage[];
  /** What the currency check said of each package (runtime/currency.ts); missing: open. */
  readonly verdicts: ReadonlyMap<PkgName, StartVerdict>;
  readonly estimate: (pkg: ResolvedPackage) => Estimate;
  /** Whether a package is in the run (its plan came earlier); default: one of `packages`. */
  readonly known?: (pkgname: PkgName) => boolean;
}

export interface Plan {
  readonly entries: PlanEntry[];
  readonly info: PackageInfo[];
}

export function makePlan(inputs: PlanInputs): Plan {
  const names = new Set(inputs.packages.map((p) => p.pkgname));
  const known = inputs.known ?? ((name: PkgName): boolean => names.has(name));
  const entries: PlanEntry[] = [];
  const info: PackageInfo[] = [];
  for (const pkg of inputs.packages) {
    const deps = pkg.depends.filter(known);
    const estimate = inputs.estimate(pkg);
    entries.push({
      pkgname: pkg.pkgname, pkgpath: pkg.pkgpath, deps, estimate,
      initial: initialState(pkg, inputs),
      makeJobsSafe: indexValue(pkg.entry, 'MAKE_JOBS_SAFE')?.toLowerCase() !== 'no',
    });
    info.push({
      pkgname: pkg.pkgname, pkgpath: pkg.pkgpath, depends: deps, expectedS: estimate.wallS, ...(estimate.source === 'estimate' && { guessed: true }),
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
  const verdict = inputs.verdicts.get(pkg.pkgname) ?? { status: 'open' };
  switch (verdict.status) {
    case 'up-to-date':
    case 'done':
    case 'open':
      return { status: verdict.status };
    case 'recheck': return { status: 'open', recheck: true };
    case 'failed': return verdict;
    default: return unreachable(verdict);
  }
}
