// A port's directory, or another directory of the tree a job reads, as a
// list of entries by content hash: what the agent needs to rebuild it on
// the host from its cache. The directory must lie inside the tree; links
// must stay inside it.

import { readdir, readlink, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { PortEntry } from '../agent/protocol.js';
import { isContainedLink, isSafePkgPath, isSafeRelativePath, isSafeSegment } from '../agent/safe-path.js';
import type { FileHasher } from './file-hasher.js';

export type ManifestResult =
  | { readonly ok: true; readonly entries: readonly PortEntry[]; readonly files: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly reason: string };

/** Generous bounds: a port is a recipe, not a source tree. */
const MAX_ENTRIES = 100_000;

export async function portManifest(tree: string, pkgpath: string, hasher: FileHasher): Promise<ManifestResult> {
  if (!isSafePkgPath(pkgpath)) return { ok: false, reason: `bad pkgpath ${JSON.stringify(pkgpath)}` };
  return treeDirManifest(tree, pkgpath, hasher, { what: 'port' });
}

interface WalkOptions {
  /** Names left out at any depth (CVS, .git). */
  readonly skip?: ReadonlySet<string>;
  /** Whether to take a path (relative to the directory walked). */
  readonly keep?: (path: string) => boolean;
  /** Default MAX_ENTRIES. */
  readonly maxEntries?: number;
}

/**
 * The directory `rel` of the tree (`.`: the tree itself); entry paths
 * relative to it, or to the tree with `keepPath`.
 */
export async function treeDirManifest(tree: string, rel: string, hasher: FileHasher,
  options: WalkOptions & { readonly what?: string; readonly keepPath?: boolean } = {}): Promise<ManifestResult> {
  const what = options.what ?? 'directory';
  if (rel !== '.' && !isSafeRelativePath(rel)) return { ok: false, reason: `bad ${what} path ${JSON.stringify(rel)}` };
  let dir: string;
  try {
    const realTree = await realpath(tree);
    dir = await realpath(join(tree, rel));
    if (rel !== '.' && !dir.startsWith(realTree + sep)) return { ok: false, reason: `${rel} leads out of the tree` };
    if (!(await stat(dir)).isDirectory()) return { ok: false, reason: `${rel} is not a directory` };
  } catch (err) {
    return { ok: false, reason: `cannot read the ${what} ${rel}: ${(err as Error).message}` };
  }
  try {
    const walked = await walkDir(dir, hasher, { ...options, what, ...(options.keepPath === true && rel !== '.' && { under: rel }) });
    return walked.ok ? walked : { ok: false, reason: `${what} ${rel}: ${walked.reason}` };
  } catch (err) {
    return { ok: false, reason: `cannot read the ${what} ${rel}: ${(err as Error).message}` };
  }
}

/** Files hashed at once while a directory is listed: reading them one by one left the disk idle between files. */
const HASHING_AT_ONCE = 16;

/** Every file, directory and link under `dir`, paths relative to it (under `under/` when given), links kept inside it. */
async function walkDir(dir: string, hasher: FileHasher, options: WalkOptions & { readonly what: string; readonly under?: string }): Promise<ManifestResult> {
  const entries: Array<PortEntry | undefined> = [];
  const toHash: Array<{ readonly index: number; readonly path: string; readonly full: string }> = [];
  const walk = async (at: string, rel: string): Promise<string | undefined> => {
    // Names as bytes: one that is not UTF-8 is named as such, not mangled into a file that does not exist.
    const listed = (await readdir(at, { withFileTypes: true, encoding: 'buffer' })).map((d) => ({ d, name: d.name.toString('utf8') }));
    for (const { d, name } of listed.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (options.skip?.has(name)) continue;
      if (entries.length >= (options.maxEntries ?? MAX_ENTRIES)) return `more than ${options.maxEntries ?? MAX_ENTRIES} files`;
      const path = rel === '' ? name : `${rel}/${name}`;
      if (options.keep?.(path) === false) continue;
      if (!Buffer.from(name).equals(d.name)) return `a file name under ${JSON.stringify(rel || '.')} is not UTF-8 (${JSON.stringify(d.name.toString('latin1'))}); rename it`;
      if (!isSafeSegment(name)) return `the file name ${JSON.stringify(name)} cannot be carried`;
      const full = join(at, name);
      if (d.isDirectory()) {
        entries.push({ kind: 'dir', path: prefixed(options.under, path) });
        const problem = await walk(full, path);
        if (problem) return problem;
      } else if (d.isFile()) {
        toHash.push({ index: entries.length, path: prefixed(options.under, path), full });
        entries.push(undefined);
      } else if (d.isSymbolicLink()) {
        const target = await readlink(full);
        if (!isContainedLink(path, target)) return `${path} is a link out of the ${options.what} (${target})`;
        entries.push({ kind: 'link', path: prefixed(options.under, path), target });
      } else {
        return `${path} is neither a file, a directory nor a link (a FIFO, socket or device): a port holds files, directories and symlinks only`;
      }
    }
    return undefined;
  };
  const problem = await walk(dir, '');
  if (problem) return { ok: false, reason: problem };
  const files = new Map<string, string>();
  let next = 0;
  const hashing = async (): Promise<void> => {
    while (next < toHash.length) {
      const { index, path, full } = toHash[next++]!;
      const { hash, size, mode } = await hasher.hash(full);
      entries[index] = { kind: 'file', path, hash, size, mode };
      files.set(hash, full);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HASHING_AT_ONCE, toHash.length) }, hashing));
  return { ok: true, entries: entries as PortEntry[], files };
}

const prefixed = (under: string | undefined, path: string): string => (under === undefined ? path : `${under}/${path}`);
