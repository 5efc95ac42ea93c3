// What a pkgsrc port's scan read, for the scan cache: the makefiles of its
// SCAN_DEPENDS (pkgsrc lists every file bmake read: the port's Makefile,
// the mk/ files, mk.conf, the prefix's sys.mk) and the port directory's own
// listing. Paths are written as the cache stores them: relative to the tree
// when inside it, else absolute on this host (a path under PREFIX is the
// unpacked bootstrap kit's file, since that is what the sandbox showed).

import path from 'node:path';

import type { PkgPath } from '../../core/model.js';
import { parseIndex } from '../../core/pbulk-index.js';
import { hashInput } from '../input-hash.js';

/** A directory the sandbox showed at another place: `at` inside, `dir` on the host. */
export interface ShownAt {
  readonly dir: string;
  readonly at: string;
}

const within = (file: string, dir: string): boolean => file === dir || file.startsWith(`${dir}/`);

/** One SCAN_DEPENDS word, as a cache input. */
export function scanInput(root: string, pkgpath: PkgPath, word: string, prefix: ShownAt | undefined): string {
  if (!path.posix.isAbsolute(word)) {
    const rel = path.posix.normalize(path.posix.join(pkgpath, word));
    return rel.startsWith('../') ? path.posix.resolve(root, rel) : rel;
  }
  const file = path.posix.normalize(word);
  if (within(file, root)) return path.posix.relative(root, file) || '.';
  if (prefix !== undefined && within(file, prefix.at)) return path.posix.join(prefix.dir, path.posix.relative(prefix.at, file));
  return file;
}

/** Every input of a port's scan: its directory (a file added or removed there is a change), then each SCAN_DEPENDS file once. */
export function scanInputs(root: string, pkgpath: PkgPath, index: string, prefix: ShownAt | undefined): string[] {
  const inputs = new Set<string>([pkgpath]);
  for (const entry of parseIndex(index).entries) {
    for (const word of (entry.vars.get('SCAN_DEPENDS') ?? '').split(/\s+/)) {
      if (word !== '') inputs.add(scanInput(root, pkgpath, word, prefix));
    }
  }
  return [...inputs];
}

/**
 * Content hashes kept for the life of one scan: thousands of ports read the
 * same hundred mk files, and each is hashed once. (A file changed while the
 * scan runs is seen as it was first read; the next scan sees the change.)
 */
export class InputHashes {
  private readonly known = new Map<string, string>();

  hash(root: string, input: string): string {
    const key = path.isAbsolute(input) ? input : path.join(root, input);
    let hash = this.known.get(key);
    if (hash === undefined) {
      hash = hashInput(root, input);
      this.known.set(key, hash);
    }
    return hash;
  }
}
