// Which packages need building. At the start, a package whose sandbox is
// all current is judged at once (core/build-stamp.ts: up to date, failed
// with the same inputs, or to build); one that waits for a dependency to be
// rebuilt, and has a package or a failed lock, is checked again when that
// dependency is built (the engine's `check`): if the rebuilt dependency's
// content did not change, neither did its inputs, and it stays current.

import { type FailedRecord, judge } from '../core/job/build-stamp.js';
import type { CheckVerdict } from '../core/engine/engine-events.js';
import type { PkgName, PkgPath } from '../core/model.js';
import type { ResolvedPackage } from '../core/resolve/resolve.js';
import { sandboxContents } from '../core/job/sandbox-closure.js';
import type { BuildInputsOf } from './build-inputs.js';
import type { PackageStamps } from './package-stamps.js';

export interface CurrencyContext {
  readonly run: number;
  readonly packages: ReadonlyMap<PkgName, ResolvedPackage>;
  readonly stamps: PackageStamps;
  readonly inputsOf: BuildInputsOf;
  /** The failure a port's lock records, if it failed and the lock is there. */
  readonly failure: (pkgpath: PkgPath) => FailedRecord | undefined;
  /** `--force PKGPATH` / `--rebuild-all`. */
  readonly forced: (pkg: ResolvedPackage) => boolean;
}

/** Where a package starts: judged now, or to be checked once its dependencies are built. */
export type StartVerdict = CheckVerdict | { readonly status: 'recheck' };

export class Currency {
  private readonly sandboxes = new Map<PkgName, PkgName[]>();
  private readonly verdicts = new Map<PkgName, StartVerdict>();

  constructor(private readonly ctx: CurrencyContext) {}

  /**
   * Every package's verdict at the start of the run; called again as the
   * scan adds packages, it judges those (what was judged stays).
   */
  atStart(): ReadonlyMap<PkgName, StartVerdict> {
    this.ctx.stamps.planning = true;
    try {
      return this.judgeAll();
    } finally {
      this.ctx.stamps.planning = false;
    }
  }

  private judgeAll(): ReadonlyMap<PkgName, StartVerdict> {
    const verdicts = this.verdicts;
    const visiting = new Set<PkgName>();
    const visit = (pkgname: PkgName): StartVerdict => {
      const known = verdicts.get(pkgname);
      if (known) return known;
      const pkg = this.ctx.packages.get(pkgname);
      if (!pkg || pkg.prefailed !== undefined || visiting.has(pkgname)) return { status: 'open' };
      visiting.add(pkgname);
      const sandbox = this.sandbox(pkgname);
      const ready = sandbox.every((dep) => isCurrent(visit(dep)));
      visiting.delete(pkgname);
      const verdict = ready ? this.judge(pkg, sandbox, false) : this.mayBeCurrent(pkg) ? { status: 'recheck' as const } : { status: 'open' as const };
      verdicts.set(pkgname, verdict);
      return verdict;
    };
    for (const pkgname of this.ctx.packages.keys()) visit(pkgname);
    return verdicts;
  }

  /** The engine's `check`: `pkgname`'s dependencies are built now. */
  check(pkgname: PkgName): CheckVerdict {
    const pkg = this.ctx.packages.get(pkgname);
    if (!pkg) return { status: 'open' };
    return this.judge(pkg, this.sandbox(pkgname), true);
  }

  /** The inputs hash a job of `pkgname` builds from (the port's files hashed now); undefined if a dependency has no package. */
  inputsForJob(pkgname: PkgName): string | undefined {
    const pkg = this.ctx.packages.get(pkgname);
    if (!pkg) return undefined;
    return this.ctx.inputsOf.inputs(pkgname, pkg.pkgpath, this.sandbox(pkgname), this.ctx.inputsOf.portFiles(pkg.pkgpath, true));
  }

  /**
   * Whether `pkgname`'s package file is, right now, one built from `inputs`
   * (another run sharing the repository and the lock directory built it a
   * moment ago), and it is not to be built anyway.
   */
  builtElsewhere(pkgname: PkgName, inputs: string): boolean {
    const pkg = this.ctx.packages.get(pkgname);
    return pkg !== undefined && !this.ctx.forced(pkg) && this.ctx.stamps.fresh(pkgname)?.inputs === inputs;
  }

  private judge(pkg: ResolvedPackage, sandbox: readonly PkgName[], fresh: boolean): CheckVerdict {
    const inputs = this.ctx.inputsOf.inputs(pkg.pkgname, pkg.pkgpath, sandbox, this.ctx.inputsOf.portFiles(pkg.pkgpath, fresh));
    if (inputs === undefined) return { status: 'open' };
    const stamp = this.ctx.stamps.read(pkg.pkgname);
    return judge({
      inputs, stamped: stamp?.inputs, forced: this.ctx.forced(pkg), failed: this.ctx.failure(pkg.pkgpath),
      builtHere: stamp !== undefined && this.ctx.stamps.builtIn(this.ctx.run, pkg.pkgname, stamp),
    });
  }

  /** Worth checking once its dependencies are built: it has a package, or a failed lock that may still stand. */
  private mayBeCurrent(pkg: ResolvedPackage): boolean {
    const stamp = this.ctx.stamps.read(pkg.pkgname);
    if (stamp !== undefined && (!this.ctx.forced(pkg) || this.ctx.stamps.builtIn(this.ctx.run, pkg.pkgname, stamp))) return true;
    return !this.ctx.forced(pkg) && this.ctx.failure(pkg.pkgpath) !== undefined;
  }

  private sandbox(pkgname: PkgName): PkgName[] {
    let contents = this.sandboxes.get(pkgname);
    if (!contents) {
      contents = sandboxContents(pkgname, (name) => this.ctx.packages.get(name));
      this.sandboxes.set(pkgname, contents);
    }
    return contents;
  }
}

function isCurrent(verdict: StartVerdict): boolean {
  return verdict.status === 'up-to-date' || verdict.status === 'done';
}
