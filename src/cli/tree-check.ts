// The inputs a build or a scan cannot use, refused before anything runs: a
// tree that is missing, a file, or holds no port; a run directory or
// repository that is a file; a pkgpath that is not in the tree (with the
// pkgpaths it may have meant). Each is one line naming the input, exit 4.

import { statSync } from 'node:fs';

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

/** The tree's ports, after checking it holds some and every one of `pkgpaths` is among them. */
export async function checkPorts(driver: TreeDriver, pkgpaths: readonly PkgPath[], signal: AbortSignal): Promise<void> {
  const ports = await driver.listPorts(signal);
  if (ports.length === 0) {
    const shape = driver.kind === 'pkgsrc' ? 'category/name/Makefile' : 'category/name/Portfile';
    throw new UserError(`no port in the tree ${driver.root} (a port is ${shape}): give --tree the top directory of a ports tree`);
  }
  const known = new Set(ports);
  const missing = pkgpaths.filter((p) => !known.has(p));
  if (missing.length === 0) return;
  throw new UserError(missing.map((p) => {
    const near = nearby(p, ports);
    return `${p} is not a port of the tree ${driver.root}${near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : ''}; nothing was done`;
  }).join('\nkiln: '));
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
