// Pkgpaths as they appear on the command line and in dependency entries.
// A pkgpath is exactly `category/name`: two plain directory names, so that
// nothing a port or a user writes can point outside the tree.

import path from 'node:path';

import type { PkgPath } from '../core/model.js';

/** One directory name of a pkgpath: no `.`/`..`, no hidden names, no control or blank characters. */
const SEGMENT = /^[A-Za-z0-9_+@,=-][A-Za-z0-9._+@,=-]*$/;

export function isPkgPath(text: string): boolean {
  const parts = text.split('/');
  return parts.length === 2 && parts.every((part) => SEGMENT.test(part));
}

/**
 * The pkgpath a dependency directory names, seen from the port at `from`:
 * `../../devel/gmake` gives `devel/gmake`. Undefined when the directory is
 * absolute, leaves the tree, or does not land on `category/name`.
 */
export function dependencyPkgPath(from: PkgPath, dir: string): PkgPath | undefined {
  if (dir.startsWith('/') || dir.includes('\\')) return undefined;
  const joined = path.posix.normalize(path.posix.join(from, dir));
  // A join that climbed out of the tree keeps a leading `..`.
  if (joined.startsWith('../') || joined === '..') return undefined;
  return isPkgPath(joined) ? joined : undefined;
}

/** The form Portfiles and pkgsrc use for a dependency directory: `../../category/name`. */
export function isCanonicalDependencyDir(dir: string): boolean {
  return dir.startsWith('../../') && isPkgPath(dir.slice('../../'.length));
}
