// Which packages may not be put on a public server: those whose port says
// so (NO_BIN_ON_FTP, RESTRICTED), and everything that depends on one of
// them, directly or not, as pbulk's compute-packages leaves them out of the
// upload. A dependent's reason names the restricted package it needs.

import type { PkgName } from '../model.js';

export interface RestrictionFacts {
  readonly pkgname: PkgName;
  /** Resolved dependencies. */
  readonly depends: readonly PkgName[];
  /** NO_BIN_ON_FTP and RESTRICTED as the index writes them; empty when unset. */
  readonly noBinOnFtp: string;
  readonly restricted: string;
}

/** Each package that may not be uploaded, with why. */
export function restrictedPackages(packages: readonly RestrictionFacts[]): Map<PkgName, string> {
  const dependents = new Map<PkgName, PkgName[]>();
  for (const pkg of packages) {
    for (const dep of pkg.depends) {
      const list = dependents.get(dep);
      if (list) list.push(pkg.pkgname);
      else dependents.set(dep, [pkg.pkgname]);
    }
  }
  const reasons = new Map<PkgName, string>();
  const queue: PkgName[] = [];
  for (const pkg of packages) {
    const own = pkg.noBinOnFtp.trim() !== '' ? `NO_BIN_ON_FTP: ${pkg.noBinOnFtp.trim()}`
      : pkg.restricted.trim() !== '' ? `RESTRICTED: ${pkg.restricted.trim()}` : undefined;
    if (own !== undefined) {
      reasons.set(pkg.pkgname, own);
      queue.push(pkg.pkgname);
    }
  }
  // Breadth first: a dependent names the nearest restricted package on its way.
  for (let head = 0; head < queue.length; head++) {
    const name = queue[head]!;
    const root = reasons.get(name)!.startsWith('needs ') ? reasons.get(name)!.slice('needs '.length) : name;
    for (const dependent of dependents.get(name) ?? []) {
      if (reasons.has(dependent)) continue;
      reasons.set(dependent, `needs ${root}`);
      queue.push(dependent);
    }
  }
  return reasons;
}

/** The restricted list as kiln writes it beside the repository: `pkgname<TAB>reason` lines, sorted. */
export function formatRestricted(reasons: ReadonlyMap<PkgName, string>): string {
  return [...reasons].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, why]) => `${name}\t${why.replace(/[\t\n]/g, ' ')}\n`).join('');
}

export function parseRestricted(text: string): Map<PkgName, string> {
  const reasons = new Map<PkgName, string>();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) reasons.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return reasons;
}

/** The restricted list's name in the repository directory (beside All/, so it is never uploaded). */
export const RESTRICTED_FILE = 'restricted.txt';
