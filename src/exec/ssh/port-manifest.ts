// A port's directory as a list of entries by content hash: what the agent
// needs to rebuild it on the host from its cache. The pkgpath must name a
// directory inside the tree; links must stay inside the port.

import { readdir, readlink, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { PortEntry } from '../agent/protocol.js';
import { isContainedLink, isSafePkgPath, isSafeSegment } from '../agent/safe-path.js';
import type { FileHasher } from './file-hasher.js';

export type ManifestResult =
  | { readonly ok: true; readonly entries: readonly PortEntry[]; readonly files: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly reason: string };

/** Generous bounds: a port is a recipe, not a source tree. */
const MAX_ENTRIES = 100_000;

export async function portManifest(tree: string, pkgpath: string, hasher: FileHasher): Promise<ManifestResult> {
  if (!isSafePkgPath(pkgpath)) return { ok: false, reason: `bad pkgpath ${JSON.stringify(pkgpath)}` };
  let port: string;
  try {
    const realTree = await realpath(tree);
    port = await realpath(join(tree, pkgpath));
    if (!port.startsWith(realTree + sep)) return { ok: false, reason: `${pkgpath} leads out of the tree` };
    if (!(await stat(port)).isDirectory()) return { ok: false, reason: `${pkgpath} is not a directory` };
  } catch (err) {
    return { ok: false, reason: `cannot read the port ${pkgpath}: ${(err as Error).message}` };
  }
  const entries: PortEntry[] = [];
  const files = new Map<string, string>();
  const walk = async (dir: string, rel: string): Promise<string | undefined> => {
    for (const d of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entries.length >= MAX_ENTRIES) return `more than ${MAX_ENTRIES} files`;
      if (!isSafeSegment(d.name)) return `the file name ${JSON.stringify(d.name)} cannot be carried`;
      const path = rel === '' ? d.name : `${rel}/${d.name}`;
      const full = join(dir, d.name);
      if (d.isDirectory()) {
        entries.push({ kind: 'dir', path });
        const problem = await walk(full, path);
        if (problem) return problem;
      } else if (d.isFile()) {
        const s = await stat(full);
        const { hash, size } = await hasher.hash(full);
        entries.push({ kind: 'file', path, hash, size, mode: s.mode & 0o777 });
        files.set(hash, full);
      } else if (d.isSymbolicLink()) {
        const target = await readlink(full);
        if (!isContainedLink(path, target)) return `${path} is a link out of the port (${target})`;
        entries.push({ kind: 'link', path, target });
      } else {
        return `${path} is neither a file, a directory nor a link`;
      }
    }
    return undefined;
  };
  try {
    const problem = await walk(port, '');
    return problem ? { ok: false, reason: `port ${pkgpath}: ${problem}` } : { ok: true, entries, files };
  } catch (err) {
    return { ok: false, reason: `cannot read the port ${pkgpath}: ${(err as Error).message}` };
  }
}
