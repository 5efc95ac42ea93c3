// The directory half of a dependency (`gmake>=4:../../devel/gmake`) is
// relative to the port that names it. These turn it into a pkgpath of the
// tree, or say that it leaves the tree.

import type { PkgPath } from './model.js';

export type DependencyDir =
  | { readonly kind: 'pkgpath'; readonly pkgpath: PkgPath }
  | { readonly kind: 'outside-tree'; readonly dir: string };

/** Normalises `a/b/../c/./d` to `a/c/d`; undefined when `..` climbs above the start. */
function normalise(segments: readonly string[]): string | undefined {
  const out: string[] = [];
  for (const segment of segments) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else {
      out.push(segment);
    }
  }
  return out.join('/');
}

/**
 * Where `dir`, written in the port at `location`, points within the tree.
 * An absolute path, or one that climbs out of the tree, is `outside-tree`.
 */
export function dependencyDir(location: PkgPath, dir: string): DependencyDir {
  // The usual form, `../../cat/name` from `cat/port`, needs no work.
  if (dir.startsWith('../../') && !dir.includes('/.', 5) && !dir.includes('//') && !dir.endsWith('/')
    && dir.charCodeAt(6) !== 46 && dir.length > 6 && isTwoDeep(location)) {
    return { kind: 'pkgpath', pkgpath: dir.slice(6) };
  }
  if (dir.startsWith('/')) return { kind: 'outside-tree', dir };
  const pkgpath = normalise([...location.split('/'), ...dir.split('/')]);
  if (pkgpath === undefined || pkgpath === '') return { kind: 'outside-tree', dir };
  return { kind: 'pkgpath', pkgpath };
}

/** `cat/name`: two plain segments, the form every port's location has. */
function isTwoDeep(location: PkgPath): boolean {
  const parts = location.split('/');
  return parts.length === 2 && parts.every((p) => p !== '' && p !== '.' && p !== '..');
}

/** The last part of a pkgpath: `devel/gmake` gives `gmake`. */
export function basename(pkgpath: PkgPath): string {
  return pkgpath.slice(pkgpath.lastIndexOf('/') + 1);
}
