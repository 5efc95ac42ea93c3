// Where a pkgsrc port is, and which ports a tree lists. A tree's ports are
// what its category Makefiles put in SUBDIR, read with bmake itself
// (`show-subdir-var VARNAME=SUBDIR`, as pbulk-scan reads them); a port is a
// real directory `category/name` with a Makefile, never a symlink.

import { lstat } from 'node:fs/promises';
import path from 'node:path';

import type { PkgPath } from '../../core/model.js';
import { isPkgPath } from '../../core/pkgpath.js';
import { locatePortDir, type PortLocation } from '../port-dir.js';

/** Where `pkgpath`'s directory is, or why it cannot be scanned. `root` must have its symlinks resolved. */
export async function locatePort(root: string, pkgpath: PkgPath): Promise<PortLocation> {
  const location = await locatePortDir(root, pkgpath);
  if (location.kind === 'missing') return location;
  const { portDir } = location;
  const makefile = await lstat(path.join(portDir, 'Makefile')).catch(() => undefined);
  if (makefile?.isFile() !== true) return { kind: 'missing', reason: `there is no Makefile in ${pkgpath}` };
  return { kind: 'found', portDir };
}

/** The names of a SUBDIR value: blank-separated words that can be one directory name each. */
export function subdirNames(value: string): string[] {
  return value.split(/\s+/).filter((word) => word !== '' && isPkgPath(`x/${word}`));
}
