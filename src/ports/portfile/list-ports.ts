// Finds every port of a Portfile tree: `category/name/Portfile`. Category
// directories must be real directories (a symlinked one is skipped: it
// would repeat or leave the tree). A port directory that is a symlink, or a
// Portfile that is a symlink out of the tree, is listed all the same: its
// scan says why it cannot be read, so the report shows it with that reason
// instead of losing it. A Portfile may be a symlink to a file inside the tree.

import type { Dirent } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

import type { PkgPath } from '../../core/model.js';
import { isPkgPath } from '../../core/pkgpath.js';
import { locatePortDir } from '../port-dir.js';

export type PortfileLocation =
  | { readonly kind: 'found'; readonly portDir: string; readonly portfile: string }
  | { readonly kind: 'missing'; readonly reason: string };

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

async function directories(dir: string): Promise<Dirent[]> {
  return (await entries(dir)).filter((entry) => entry.isDirectory());
}

/** Whether a real port directory has a Portfile entry of any kind (what kind, its scan says). */
async function hasPortfile(portDir: string): Promise<boolean> {
  return (await lstat(path.join(portDir, 'Portfile')).catch(() => undefined)) !== undefined;
}

export function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export async function listPortfiles(root: string): Promise<PkgPath[]> {
  const found: PkgPath[] = [];
  for (const category of await directories(root)) {
    for (const port of await entries(path.join(root, category.name))) {
      const pkgpath = `${category.name}/${port.name}`;
      if (isPkgPath(pkgpath) && (port.isSymbolicLink() || (port.isDirectory() && await hasPortfile(path.join(root, pkgpath))))) found.push(pkgpath);
    }
  }
  return found.sort();
}

/** Where a port's Portfile is, or why it is not there. `root` must have its symlinks resolved. */
export async function locatePortfile(root: string, pkgpath: PkgPath): Promise<PortfileLocation> {
  const location = await locatePortDir(root, pkgpath);
  if (location.kind === 'missing') return location;
  const { portDir } = location;
  const portfile = path.join(portDir, 'Portfile');
  const info = await lstat(portfile).catch(() => undefined);
  if (!info) return { kind: 'missing', reason: `there is no Portfile in ${pkgpath}` };
  if (info.isSymbolicLink()) {
    const target = await realpath(portfile).catch(() => undefined);
    if (target === undefined || !isInside(root, target)) return { kind: 'missing', reason: `${pkgpath}/Portfile is a symlink that leaves the tree` };
    if (!(await stat(target)).isFile()) return { kind: 'missing', reason: `${pkgpath}/Portfile is not a file` };
  } else if (!info.isFile()) {
    return { kind: 'missing', reason: `${pkgpath}/Portfile is not a file` };
  }
  return { kind: 'found', portDir, portfile };
}
