// The pkgsrc fixture (test/fixtures/pkgsrc): its tree, a copy of it to
// change, and its bootstrap kit as a tarball, as bootstrap makes one.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { repo } from './scan-fixtures.js';

export const fixture = path.join(repo, 'test', 'fixtures', 'pkgsrc');
export const fixtureTree = path.join(fixture, 'tree');

/** Why the pkgsrc fixture cannot run here, or false. */
export const noBmake: string | false = existsSync('/usr/bin/bmake') ? false : 'no /usr/bin/bmake (apt-get install bmake)';

/** A scratch directory with a copy of the fixture tree (`tree`) and the kit tarball (`kit.tgz`). */
export async function fixtureCopy(): Promise<{ dir: string; tree: string; kit: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kiln-pkgsrc-test-'));
  const tree = path.join(dir, 'tree');
  await cp(fixtureTree, tree, { recursive: true, verbatimSymlinks: true });
  return { dir, tree, kit: makeKit(dir, path.join(fixture, 'kit')) };
}

/** Tars a kit directory (`usr/pkg/...`) into `<dir>/kit.tgz`, as bootstrap --gzip-binary-kit does. */
export function makeKit(dir: string, kitDir: string, name = 'kit.tgz'): string {
  const file = path.join(dir, name);
  execFileSync('tar', ['-czf', file, '-C', kitDir, '.']);
  return file;
}
