// Which kind a tree is, and opening it: `--driver portfile|pkgsrc`, default
// pkgsrc when the tree has mk/bsd.pkg.mk.

import { existsSync } from 'node:fs';
import path from 'node:path';

import { UsageError } from '../command.js';
import { openPkgsrcTree } from './pkgsrc.js';
import { openPortfileTree } from './portfile.js';
import type { DriverValues, OpenOptions, TreeKind } from './tree-kind.js';

export function driverKind(tree: string, value: string | undefined): TreeKind['name'] {
  if (value === undefined) return existsSync(path.join(tree, 'mk', 'bsd.pkg.mk')) ? 'pkgsrc' : 'portfile';
  if (value === 'portfile' || value === 'pkgsrc') return value;
  throw new UsageError(`--driver wants portfile or pkgsrc, not '${value}'`);
}

export async function openTreeKind(tree: string, values: DriverValues, options: OpenOptions): Promise<TreeKind> {
  return driverKind(tree, values.driver) === 'portfile'
    ? openPortfileTree(tree, values, options)
    : openPkgsrcTree(tree, values, options);
}
