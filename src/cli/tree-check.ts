// The inputs a build or a scan cannot use, refused before anything runs: a
// tree that is missing, a file, or holds no port; a run directory or
// repository that is a file; a pkgpath that is not in the tree (with the
// pkgpaths it may have meant). Each is one line naming the input, exit 4.

import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { PkgPath } from '../core/model.js';
import type { TreeDriver } from '../ports/driver.js';
import { UserError } from './command.js';

/** `tree` is a directory, or the UserError that says what it is instead. */
export function checkTreeDir(tree: string): void {
  const info = statSync(tree, { throwIfNoEntry: false });
  if (info === undefined) throw new UserError(`no tree at ${tree}: give --tree the top directory of a ports tree`);
  if (!info.isDirectory()) throw new UserError(`the tree ${tree} is a file, not a directory: give --tree the top directory of a ports tree`);
}

/** A directory kiln makes or writes into (`--logdir`, `--packages`) that exists as something else. */
export function checkWritableDir(dir: string, option: string): void {
  const info = statSync(dir, { throwIfNoEntry: false });
  if (info !== undefined && !info.isDirectory()) throw new UserError(`${option} ${dir} is a file, not a directory: give ${option} a directory (kiln makes it if missing)`);
}

/**
 * Checks that the tree holds a port and that each of `pkgpaths` is one
 * (`category/name` with a Portfile, or a Makefile in pkgsrc), from the file
 * system: a pkgsrc tree lists its ports with a bmake run per category, too
 * slow to do twice. Only for a pkgpath that is not there is the tree listed,
 * to name the ports it may have meant.
 */
export async function checkPorts(driver: TreeDriver, pkgpaths: readonly PkgPath[], signal: AbortSignal): Promise<void> {
  const file = driver.kind === 'pkgsrc' ? 'Makefile' : 'Portfile';
  if (pkgpaths.length === 0 && !hasAnyPort(driver.root, file)) {
    throw new UserError(`no port in the tree ${driver.root} (a port is category/name/${file}): give --tree the top directory of a ports tree`);
  }
  const missing = pkgpaths.filter((p) => !isPort(driver.root, p, file));
  if (missing.length === 0) return;
  const ports = await driver.listPorts(signal);
  throw new UserError(missing.map((p) => {
    const near = nearby(p, ports);
    return `${p} is not a port of the tree ${driver.root}${near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : ''}; nothing was done`;
  }).join('\nkiln: '));
}

/** `category/name` is a directory with `file` in it, or a symlink (whose scan says it is not read). */
function isPort(root: string, pkgpath: PkgPath, file: string): boolean {
  const info = lstatSync(join(root, pkgpath), { throwIfNoEntry: false });
  return info !== undefined && (info.isSymbolicLink() || (info.isDirectory() && lstatSync(join(root, pkgpath, file), { throwIfNoEntry: false }) !== undefined));
}

/** Whether any `category/name/file` is there; stops at the first. */
function hasAnyPort(root: string, file: string): boolean {
  const names = (dir: string, links: boolean): string[] => {
    try {
      return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() || (links && e.isSymbolicLink())).map((e) => e.name);
    } catch {
      return [];
    }
  };
  // Categories are real directories (a symlinked one is not entered); a symlinked port counts, its scan says why it is not read.
  return names(root, false).some((category) => names(join(root, category), true).some((name) => isPort(root, `${category}/${name}`, file)));
}

/** Up to three pkgpaths a mistyped one may have meant: the same name in another category, or a few letters off. */
function nearby(pkgpath: PkgPath, ports: readonly PkgPath[]): PkgPath[] {
  const name = pkgpath.slice(pkgpath.indexOf('/') + 1);
  const limit = Math.max(1, Math.floor(pkgpath.length / 5));
  return ports
    .map((p) => ({ p, d: p.endsWith(`/${name}`) ? 0 : distance(pkgpath, p, limit) }))
    .filter((c) => c.d <= limit)
    .sort((a, b) => a.d - b.d || (a.p < b.p ? -1 : 1))
    .slice(0, 3)
    .map((c) => c.p);
}

/** Edit distance of `a` and `b`, or `limit + 1` as soon as it is larger than `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...row) > limit) return limit + 1;
    previous = row;
  }
  return previous[b.length]!;
}
