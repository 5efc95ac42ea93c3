// What a pkgsrc port's scan read, for the scan cache: the makefiles of its
// SCAN_DEPENDS (pkgsrc lists every file bmake read: the port's Makefile,
// the mk/ files, mk.conf, the prefix's sys.mk) and the port directory's own
// listing. Paths are written as the cache stores them: relative to the tree
// when inside it, else absolute as the sandbox saw them; a path under PREFIX
// is read from wherever the bootstrap kit is unpacked this time. A file
// under /tmp (the option cache) was the scan's own, gone with its sandbox:
// it is no input, and kiln never opens the host's /tmp for it.

import path from 'node:path';

import type { PkgPath } from '../../core/model.js';
import { parseIndex } from '../../core/formats/pbulk-index.js';
import { hashInput } from '../input-hash.js';

/** A directory the sandbox showed at another place: `at` inside, `dir` on the host. */
export interface ShownAt {
  readonly dir: string;
  readonly at: string;
}

const within = (file: string, dir: string): boolean => file === dir || file.startsWith(`${dir}/`);

/** One SCAN_DEPENDS word, as a cache input. */
export function scanInput(root: string, pkgpath: PkgPath, word: string): string {
  if (!path.posix.isAbsolute(word)) {
    const rel = path.posix.normalize(path.posix.join(pkgpath, word));
    return rel.startsWith('../') ? path.posix.resolve(root, rel) : rel;
  }
  const file = path.posix.normalize(word);
  return within(file, root) ? path.posix.relative(root, file) || '.' : file;
}

/** Where to read an input on this host: a file under PREFIX is the unpacked kit's. */
export function hostInput(input: string, prefix: ShownAt | undefined): string {
  return prefix !== undefined && path.posix.isAbsolute(input) && within(input, prefix.at)
    ? path.posix.join(prefix.dir, path.posix.relative(prefix.at, input)) : input;
}

/** Every input of a port's scan: its directory (a file added or removed there is a change), then each SCAN_DEPENDS file once. */
export function scanInputs(root: string, pkgpath: PkgPath, index: string): string[] {
  const inputs = new Set<string>([pkgpath]);
  for (const entry of parseIndex(index).entries) {
    for (const word of (entry.vars.get('SCAN_DEPENDS') ?? '').split(/\s+/)) {
      if (word !== '' && !within(path.posix.normalize(word), '/tmp')) inputs.add(scanInput(root, pkgpath, word));
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

  constructor(private readonly prefix: ShownAt | undefined) {}

  hash(root: string, input: string): string {
    const file = hostInput(input, this.prefix);
    const key = path.isAbsolute(file) ? file : path.join(root, file);
    let hash = this.known.get(key);
    if (hash === undefined) {
      hash = hashInput(root, file);
      this.known.set(key, hash);
    }
    return hash;
  }
}
