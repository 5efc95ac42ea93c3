// Finds every port of a Portfile tree: `category/name/Portfile`. Category
// directories must be real directories (a symlinked one is skipped: it
// would repeat or leave the tree). A port directory that is a symlink, or a
// Portfile that is a symlink out of the tree, is listed all the same: its
// scan says why it is not read, so the report shows it with that reason
// instead of losing it. A Portfile may be a symlink to a file inside the
// tree. A directory holding a Portfile whose name no pkgpath may
// have (markup, blanks, a line break, bytes that are not UTF-8) is not built,
// and is named to the caller with why, so it is not dropped in silence.

import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

import { escapeControls } from '../../core/formats/escape.js';
import type { PkgPath } from '../../core/model.js';
import { isPkgPath } from '../../core/pkgpath.js';
import type { NotAPort } from '../driver.js';
import { locatePortDir } from '../port-dir.js';

export type PortfileLocation =
  | { readonly kind: 'found'; readonly portDir: string; readonly portfile: string }
  | { readonly kind: 'missing'; readonly reason: string };

/** The names of the real directories in `dir` (and of its symlinks, with `links`), as bytes (a name need not be UTF-8). */
async function directories(dir: Buffer, links = false): Promise<Buffer[]> {
  try {
    return (await readdir(dir, { withFileTypes: true, encoding: 'buffer' }))
      .filter((entry) => entry.isDirectory() || (links && entry.isSymbolicLink())).map((entry) => entry.name);
  } catch {
    return [];
  }
}

export function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export async function listPortfiles(root: string, notAPort?: NotAPort): Promise<PkgPath[]> {
  const found: PkgPath[] = [];
  const bytes = Buffer.from(root);
  for (const category of await directories(bytes)) {
    for (const port of await directories(Buffer.concat([bytes, SLASH, category]), true)) {
      const raw = Buffer.concat([category, SLASH, port]);
      const pkgpath = raw.toString('utf8');
      // A symlinked port directory is not entered: listed, its scan says why it is not read.
      const link = (await lstat(Buffer.concat([bytes, SLASH, raw])).catch(() => undefined))?.isSymbolicLink() ?? false;
      const portfile = !link && await exists(Buffer.concat([bytes, SLASH, raw, SLASH, Buffer.from('Portfile')]));
      if (isPkgPath(pkgpath)) {
        if (link || portfile) found.push(pkgpath);
      } else if (notAPort !== undefined && portfile) {
        notAPort(escapeControls(raw), 'not built: a port directory\'s name must be category/name of letters, digits and ._+@,=-');
      }
    }
  }
  return found.sort();
}

const SLASH = Buffer.from('/');

async function exists(file: Buffer): Promise<boolean> {
  return (await lstat(file).catch(() => undefined)) !== undefined;
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
