// Where the real pkgsrc data lives: <repo>/../shared/data, or $KILN_SHARED_DATA.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root (this file is compiled to dist/test/e2e/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const sharedData = process.env['KILN_SHARED_DATA'] ?? join(repoRoot, '..', 'shared', 'data');

/** The path of a data file, or a skip message naming where it was looked for. */
export function dataFile(relative: string): { path: string; skip: false } | { path: string; skip: string } {
  const path = join(sharedData, relative);
  return existsSync(path) ? { path, skip: false } : { path, skip: `no ${path} (set KILN_SHARED_DATA to the shared data directory)` };
}
