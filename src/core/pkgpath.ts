// Pkgpaths and the names that become file paths. A pkgpath is exactly
// `category/name`: two plain directory names, so that nothing a port or a
// user writes can point outside the tree; a dependency's directory
// (`gmake>=4:../../devel/gmake`) is relative to the port that names it.

import type { PkgName, PkgPath } from './model.js';

/** One directory name of a pkgpath: no `.`/`..`, no hidden names, no control or blank characters. */
const SEGMENT = /^[A-Za-z0-9_+@,=-][A-Za-z0-9._+@,=-]*$/;

export function isPkgPath(text: string): boolean {
  const parts = text.split('/');
  return parts.length === 2 && parts.every((part) => SEGMENT.test(part));
}

/** A pkgname usable as a file name: no `/`, no leading dot, no control characters. */
export function isSafePkgname(pkgname: PkgName): boolean {
  return pkgname.length > 0 && pkgname.length <= 255 && !pkgname.startsWith('.') && !/[/\\\0-\x1f\x7f]/.test(pkgname);
}

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

/**
 * The pkgpath a dependency directory names, seen from the port at `from`:
 * `../../devel/gmake` gives `devel/gmake`. Undefined when the directory is
 * absolute, leaves the tree, or does not land on `category/name`.
 */
export function dependencyPkgPath(from: PkgPath, dir: string): PkgPath | undefined {
  if (dir.includes('\\')) return undefined;
  const target = dependencyDir(from, dir);
  return target.kind === 'pkgpath' && isPkgPath(target.pkgpath) ? target.pkgpath : undefined;
}

/** The form Portfiles and pkgsrc use for a dependency directory: `../../category/name`. */
export function isCanonicalDependencyDir(dir: string): boolean {
  return dir.startsWith('../../') && isPkgPath(dir.slice('../../'.length));
}
