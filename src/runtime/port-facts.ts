// What the scan says of each port, for the estimator's guesses of ports the
// history does not know (core/estimate-model.ts): its dependencies, how deep
// they go, MAKE_JOBS_SAFE. Ports come in batches while the scan goes on; a
// port's depth counts the dependencies found by the time it is first asked.

import { chainDepth, type PortFacts } from '../core/estimate/estimate-model.js';
import type { PkgName, PkgPath } from '../core/model.js';
import { indexValue } from '../core/formats/pbulk-index.js';
import type { ResolvedPackage } from '../core/resolve/resolve.js';

/** The model is fitted again once this many more ports are known than when it was last fitted. */
const REFIT_GROWTH = 1.25;

export class ScannedFacts {
  private readonly byName = new Map<PkgName, ResolvedPackage>();
  private readonly byPath = new Map<PkgPath, ResolvedPackage>();
  private readonly depths = new Map<PkgName, number>();
  private fittedAt = 0;

  /** Takes a batch of ports; true when they are enough more that the estimator should fit its model again. */
  add(packages: readonly ResolvedPackage[]): boolean {
    for (const pkg of packages) {
      this.byName.set(pkg.pkgname, pkg);
      this.byPath.set(pkg.pkgpath, pkg);
    }
    if (this.byName.size < this.fittedAt * REFIT_GROWTH) return false;
    this.fittedAt = this.byName.size;
    return true;
  }

  readonly facts = (pkgpath: PkgPath): PortFacts | undefined => {
    const pkg = this.byPath.get(pkgpath);
    if (!pkg) return undefined;
    return {
      pkgpath, deps: pkg.depends.length, depth: this.depth(pkg.pkgname),
      makeJobsSafe: indexValue(pkg.entry, 'MAKE_JOBS_SAFE')?.toLowerCase() !== 'no',
    };
  };

  /** The longest chain of the dependencies known so far below `root`. */
  private depth(root: PkgName): number {
    return chainDepth(root, (name) => (this.byName.get(name)?.depends ?? []).filter((dep) => this.byName.has(dep)), this.depths);
  }
}
