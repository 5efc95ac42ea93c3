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
 * The pkgpath of `dir` when it has the usual form, `../../cat/name` with no
 * `.`, `..` or empty segment after the climb: from any port at `cat/port`
 * (see isTwoDeep) it means `cat/name`. Undefined for any other form.
 */
export function plainDir(dir: string): PkgPath | undefined {
  if (!dir.startsWith('../../') || dir.length <= 6) return undefined;
  if (dir.charCodeAt(6) === 46 || dir.includes('/.', 6) || dir.includes('//') || dir.endsWith('/')) return undefined;
  return dir.slice(6);
}

/** `cat/name`: two plain segments, the form every port's location has. */
export function isTwoDeep(location: PkgPath): boolean {
  const parts = location.split('/');
  return parts.length === 2 && parts.every((p) => p !== '' && p !== '.' && p !== '..');
}

/**
 * Where `dir`, written in the port at `location`, points within the tree.
 * An absolute path, or one that climbs out of the tree, is `outside-tree`.
 */
export function dependencyDir(location: PkgPath, dir: string): DependencyDir {
  const plain = plainDir(dir);
  if (plain !== undefined && isTwoDeep(location)) return { kind: 'pkgpath', pkgpath: plain };
  if (dir.startsWith('/')) return { kind: 'outside-tree', dir };
  const pkgpath = normalise([...location.split('/'), ...dir.split('/')]);
  if (pkgpath === undefined || pkgpath === '') return { kind: 'outside-tree', dir };
  return { kind: 'pkgpath', pkgpath };
}
