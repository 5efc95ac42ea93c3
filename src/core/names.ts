// Checks on names that become file paths: a pkgpath must stay inside the
// tree, a pkgname must stay inside the log and package directories.

import type { PkgName, PkgPath } from './model.js';

const SEGMENT = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*$/;

/** `category/name`: two plain segments, no `..`, no absolute path. */
export function isSafePkgpath(pkgpath: PkgPath): boolean {
  const parts = pkgpath.split('/');
  return parts.length === 2 && parts.every((p) => SEGMENT.test(p) && p !== '..' && p !== '.');
}

/** A pkgname usable as a file name: no `/`, no leading dot, no control characters. */
export function isSafePkgname(pkgname: PkgName): boolean {
  return pkgname.length > 0 && pkgname.length <= 255 && !pkgname.startsWith('.') && !/[/\\\0-\x1f\x7f]/.test(pkgname);
}

/** The pkgpath a dependency directory names, relative to the depending port, or undefined if it leaves the tree. */
export function pkgpathOfDir(dir: string, from: PkgPath): PkgPath | undefined {
  if (dir.startsWith('/')) return undefined;
  const stack = from.split('/');
  for (const part of dir.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (stack.length === 0) return undefined;
      stack.pop();
    } else {
      stack.push(part);
    }
  }
  const pkgpath = stack.join('/');
  return isSafePkgpath(pkgpath) ? pkgpath : undefined;
}
