// Where a port's directory is, for every tree kind: `category/name` under
// the tree, both real directories (a symlinked one would repeat or leave
// the tree, so kiln reads none).

import { lstat } from 'node:fs/promises';
import path from 'node:path';

import type { PkgPath } from '../core/model.js';
import { isPkgPath } from '../core/pkgpath.js';

export type PortLocation =
  | { readonly kind: 'found'; readonly portDir: string }
  | { readonly kind: 'missing'; readonly reason: string };

/** `pkgpath`'s directory, or why it cannot be read. `root` must have its symlinks resolved. */
export async function locatePortDir(root: string, pkgpath: PkgPath): Promise<PortLocation> {
  if (!isPkgPath(pkgpath)) return { kind: 'missing', reason: `${JSON.stringify(pkgpath)} is not a pkgpath (category/name)` };
  const [category] = pkgpath.split('/');
  for (const dir of [path.join(root, category!), path.join(root, pkgpath)]) {
    const info = await lstat(dir).catch(() => undefined);
    if (!info) return { kind: 'missing', reason: `there is no directory ${pkgpath} in the tree` };
    if (info.isSymbolicLink()) return { kind: 'missing', reason: `${path.relative(root, dir)} is a symlink (kiln reads no symlinked port directories)` };
    if (!info.isDirectory()) return { kind: 'missing', reason: `${path.relative(root, dir)} is not a directory` };
  }
  return { kind: 'found', portDir: path.join(root, pkgpath) };
}
