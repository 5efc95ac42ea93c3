// The repository index: `All/pkg_summary.gz` (pkg_summary(5), one block per
// package, as `pkg_info -X` writes them, sorted by file name) and
// `All/SHA512` (`SHA512 (file) = hex` lines as digest(1) writes them, for
// every package and pkg_summary.gz). Both are read from the package files
// themselves, so packages of earlier runs count, and both are replaced
// atomically. A package whose size, mtime and inode are unchanged since the
// last index is not read again (`index-cache.json` in the run directory:
// the repository holds packages and index files only).

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import type { PackageFacts } from './pkg-summary-read.js';
import { readPackageFile } from './pkg-summary-read.js';
import { removeOldCaches, replaceFile } from './repository-files.js';

export const SUMMARY_FILE = 'pkg_summary.gz';
export const SHA512_FILE = 'SHA512';
/** In the run directory. */
const CACHE_FILE = 'index-cache.json';

const CACHE_VERSION = 1;

export interface IndexResult {
  /** Packages in the index. */
  readonly packages: number;
  /** Of those, how many were read (new or changed) rather than taken from the cache. */
  readonly read: number;
  /** Files that look like packages but could not be read, and why. */
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
}

interface CachedPackage extends PackageFacts {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/** `cacheDir`: where the facts of the packages read are kept for the next index (the run directory). */
export async function writeRepositoryIndex(allDir: string, cacheDir: string): Promise<IndexResult> {
  await mkdir(allDir, { recursive: true });
  const cache = await loadCache(cacheDir);
  const names = (await readdir(allDir)).filter((name) => name.endsWith('.tgz') && !name.startsWith('.')).sort();
  const indexed: CachedPackage[] = [];
  const skipped: { file: string; reason: string }[] = [];
  let read = 0;
  for (const name of names) {
    const path = join(allDir, name);
    const info = await stat(path).catch(() => undefined);
    if (info === undefined || !info.isFile()) continue;
    const known = cache.get(name);
    if (known !== undefined && known.size === info.size && known.mtimeMs === info.mtimeMs && known.ino === info.ino) {
      indexed.push(known);
      continue;
    }
    const result = await readPackageFile(path);
    read++;
    if (!result.ok) {
      skipped.push({ file: name, reason: result.reason });
      continue;
    }
    indexed.push({ ...result.facts, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino });
  }
  const summary = gzipSync(Buffer.from(indexed.map((pkg) => pkg.entry).join('')));
  await replaceFile(join(allDir, SUMMARY_FILE), summary);
  const sums = [
    ...indexed.map((pkg) => [pkg.fileName, pkg.sha512] as const),
    [SUMMARY_FILE, createHash('sha512').update(summary).digest('hex')] as const,
  ].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  await replaceFile(join(allDir, SHA512_FILE), sums.map(([file, hex]) => `SHA512 (${file}) = ${hex}\n`).join(''));
  await replaceFile(join(cacheDir, CACHE_FILE), JSON.stringify({ version: CACHE_VERSION, packages: indexed }));
  await removeOldCaches(allDir);
  return { packages: indexed.length, read, skipped };
}

async function loadCache(cacheDir: string): Promise<Map<string, CachedPackage>> {
  try {
    const parsed = JSON.parse(await readFile(join(cacheDir, CACHE_FILE), 'utf8')) as { version?: unknown; packages?: unknown };
    if (parsed.version !== CACHE_VERSION || !Array.isArray(parsed.packages)) return new Map();
    const packages = (parsed.packages as Partial<CachedPackage>[]).filter((pkg): pkg is CachedPackage =>
      typeof pkg.fileName === 'string' && typeof pkg.entry === 'string' && typeof pkg.sha512 === 'string'
      && typeof pkg.size === 'number' && typeof pkg.mtimeMs === 'number' && typeof pkg.ino === 'number' && typeof pkg.fileSize === 'number');
    return new Map(packages.map((pkg) => [pkg.fileName, pkg]));
  } catch {
    return new Map();
  }
}

