// The scan cache: a port's index is kept with the content hash of every file
// its scan read, and reused while every hash still matches. Where entries
// live is a small interface: a directory here, the coordinator's store later.

import type { PkgPath } from '../core/model.js';
import { hashInput } from './input-hash.js';

export interface ScanCacheEntry {
  /** Which scanner made it (driver and scan program version): another scanner's entries do not count. */
  readonly fingerprint: string;
  /** The port's pbulk-index blocks. */
  readonly index: string;
  /** Each input the scan read (relative to the tree, or absolute) with its content hash. */
  readonly inputs: readonly (readonly [input: string, hash: string])[];
}

export interface ScanCache {
  get(pkgpath: PkgPath): Promise<ScanCacheEntry | undefined>;
  put(pkgpath: PkgPath, entry: ScanCacheEntry): Promise<void>;
}

/** What a driver tells the cache: who scanned, and which files a scan read. */
export interface ScanInputs {
  readonly fingerprint: string;
  /**
   * The files and directories the scan of `pkgpath` that gave `index` read:
   * relative to the tree, or absolute. (Portfiles: the whole port directory
   * and the files it sourced; pkgsrc: its SCAN_DEPENDS.)
   */
  inputs(pkgpath: PkgPath, index: string): Promise<string[]>;
  /**
   * The content hash of one input, when the driver keeps its own (pkgsrc
   * ports share a hundred mk files: each is read once per scan, not once per
   * port). Default: hashInput, every time.
   */
  hash?(root: string, input: string): string;
}

const hashOf = (scanner: ScanInputs, root: string, input: string): string =>
  scanner.hash ? scanner.hash(root, input) : hashInput(root, input);

/** The cached index of a port, when there is one and nothing it read has changed. */
export async function cachedIndex(cache: ScanCache, scanner: ScanInputs, root: string, pkgpath: PkgPath): Promise<string | undefined> {
  const entry = await cache.get(pkgpath);
  if (!entry || entry.fingerprint !== scanner.fingerprint) return undefined;
  return entry.inputs.every(([input, hash]) => hashOf(scanner, root, input) === hash) ? entry.index : undefined;
}

/** Stores a fresh scan with the hashes of what it read. */
export async function recordScan(cache: ScanCache, scanner: ScanInputs, root: string, pkgpath: PkgPath, index: string): Promise<void> {
  const files = await scanner.inputs(pkgpath, index);
  await cache.put(pkgpath, { fingerprint: scanner.fingerprint, index, inputs: files.map((input) => [input, hashOf(scanner, root, input)] as const) });
}
