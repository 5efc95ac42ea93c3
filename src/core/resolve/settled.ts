// Which packages of a scan not yet finished can be built already (dpb
// starts builds before its scan ends). A package is settled when it can be
// built and every dependency it resolved to lives in a directory its
// dependencies name, that directory is scanned, and those dependencies are
// settled too: ports scanned later can only change that by offering a
// better match from another directory (what `pbulk-resolve -v` warns of) or
// the same PKGNAME again, and the resolution of the whole tree, made once
// the scan ends, finds those (`sameResolution`).

import type { PkgName, PkgPath } from '../model.js';
import { indexValue } from '../formats/pbulk-index.js';
import { dependencyDir } from '../pkgpath.js';
import type { ResolvedPackage } from './resolve.js';

/**
 * The packages of `partial` (a resolution of the ports scanned so far, in
 * `scanned`) that are settled and not in `known` (settled before).
 */
export function settledPackages(partial: readonly ResolvedPackage[], scanned: ReadonlySet<PkgPath>, known: ReadonlySet<PkgName>): ResolvedPackage[] {
  const byName = new Map(partial.map((p) => [p.pkgname, p]));
  const verdict = new Map<PkgName, boolean>();
  const found: ResolvedPackage[] = [];
  const visit = (pkg: ResolvedPackage): boolean => {
    if (known.has(pkg.pkgname)) return true;
    const seen = verdict.get(pkg.pkgname);
    if (seen !== undefined) return seen;
    verdict.set(pkg.pkgname, false); // a cycle is not settled (it is prefailed anyway)
    const ok = pkg.prefailed === undefined && pkg.complete && dependenciesSettled(pkg);
    verdict.set(pkg.pkgname, ok);
    if (ok) found.push(pkg);
    return ok;
  };
  const dependenciesSettled = (pkg: ResolvedPackage): boolean => {
    const dirs = namedDirs(pkg);
    if (dirs === undefined) return false;
    for (const dir of dirs) if (!scanned.has(dir)) return false;
    for (const name of [...pkg.depends, ...(pkg.runDepends ?? [])]) {
      const dep = byName.get(name);
      if (dep === undefined || !dirs.has(dep.pkgpath) || !visit(dep)) return false;
    }
    return true;
  };
  for (const pkg of partial) visit(pkg);
  return found;
}

/** Whether `later` (the whole tree's resolution) says of a package what `early` did. */
export function sameResolution(early: ResolvedPackage, later: ResolvedPackage | undefined): boolean {
  return later !== undefined && later.pkgpath === early.pkgpath && later.prefailed === early.prefailed
    && sameList(later.depends, early.depends) && sameList(later.runDepends ?? [], early.runDepends ?? []);
}

/** The pkgpaths `pkg`'s ALL_DEPENDS and RUN_DEPENDS name; undefined if one is not a directory of the tree. */
function namedDirs(pkg: ResolvedPackage): Set<PkgPath> | undefined {
  const dirs = new Set<PkgPath>();
  for (const key of ['ALL_DEPENDS', 'RUN_DEPENDS']) {
    for (const token of (indexValue(pkg.entry, key) ?? '').split(/[ \t]+/)) {
      if (token === '') continue;
      const colon = token.indexOf(':');
      if (colon <= 0) return undefined;
      const where = dependencyDir(pkg.pkgpath, token.slice(colon + 1));
      if (where.kind !== 'pkgpath') return undefined;
      dirs.add(where.pkgpath);
    }
  }
  return dirs;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
