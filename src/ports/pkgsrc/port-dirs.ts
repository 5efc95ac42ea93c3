// Where a pkgsrc port is, and which ports a tree lists. A tree's ports are
// what its category Makefiles put in SUBDIR, read with bmake itself
// (`show-subdir-var VARNAME=SUBDIR`, as pbulk-scan reads them); a port is a
// real directory `category/name` with a Makefile, never a symlink.

import { lstat } from 'node:fs/promises';
import path from 'node:path';

import type { PkgPath } from '../../core/model.js';
import { isPkgPath } from '../../core/pkgpath.js';

export type PortLocation =
  | { readonly kind: 'found'; readonly portDir: string }
  | { readonly kind: 'missing'; readonly reason: string };

/** Where `pkgpath`'s directory is, or why it cannot be scanned. `root` must have its symlinks resolved. */
export async function locatePort(root: string, pkgpath: PkgPath): Promise<PortLocation> {
  if (!isPkgPath(pkgpath)) return { kind: 'missing', reason: `${JSON.stringify(pkgpath)} is not a pkgpath (category/name)` };
  const [category] = pkgpath.split('/');
  for (const dir of [path.join(root, category!), path.join(root, pkgpath)]) {
    const info = await lstat(dir).catch(() => undefined);
    if (!info) return { kind: 'missing', reason: `there is no directory ${pkgpath} in the tree` };
    if (info.isSymbolicLink()) return { kind: 'missing', reason: `${path.relative(root, dir)} is a symlink (kiln reads no symlinked port directories)` };
    if (!info.isDirectory()) return { kind: 'missing', reason: `${path.relative(root, dir)} is not a directory` };
  }
  const portDir = path.join(root, pkgpath);
  const makefile = await lstat(path.join(portDir, 'Makefile')).catch(() => undefined);
  if (makefile?.isFile() !== true) return { kind: 'missing', reason: `there is no Makefile in ${pkgpath}` };
  return { kind: 'found', portDir };
}

/** The names of a SUBDIR value: blank-separated words that can be one directory name each. */
export function subdirNames(value: string): string[] {
  return value.split(/\s+/).filter((word) => word !== '' && isPkgPath(`x/${word}`));
}
