// The repository index of a pkgsrc build, as pbulk's build script makes it:
// `pkg_summary.gz`, `.bz2` (and `.xz`) from pkgsrc's own `pkg_info -X`,
// `SHA512.bz2` of every package and summary, and `pkg_files.gz`, each
// package's file list (`pkg_info -qL`) in pkg_summary(5)'s form:
// PKGNAME=, FILE_NAME=, then one FILES= line a file. The package tools run
// in a sandbox (the caller's `run`); a package whose size, mtime and inode
// did not change since the last index is not read again.

import { createHash } from 'node:crypto';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { compress, type Compressed, removeOldCaches, replaceFile } from './repository-files.js';

/**
 * Runs a package tool with the `All` directory as its working directory.
 * `stdout` is used whatever the status: one bad package among a batch
 * does not lose the others.
 */
export type ToolRun = (argv: readonly string[]) => Promise<
  { readonly ok: true; readonly status: number; readonly stdout: string; readonly stderr: string } | { readonly ok: false; readonly error: string }>;

export const PKG_FILES = 'pkg_files.gz';
/** Beside All/, as pbulk writes it. */
export const SHA512_FILE = 'SHA512.bz2';

export interface IndexFilesResult {
  /** The pkg_summary files written. */
  readonly summaries: readonly string[];
  /** What could not be written as it should, in words. */
  readonly errors: readonly string[];
}
/** In the run directory, not among the published files. */
const CACHE = 'pkgsrc-index-cache.json';
const VERSION = 1;
const BATCH = 200;

export interface PkgsrcPackageFacts {
  readonly fileName: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  /** Its pkg_summary block, without the blank line that ends it. */
  readonly summary: string;
  readonly files: readonly string[];
  readonly sha512: string;
}

export interface PkgsrcIndexResult {
  readonly packages: readonly PkgsrcPackageFacts[];
  readonly read: number;
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
  /** What could not be written as it should (no xz, no bzip2). */
  readonly errors: readonly string[];
}

/** pkg_info -X output cut into blocks, by the FILE_NAME each names. */
export function summaryBlocks(text: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const block of text.split(/\n\n+/)) {
    const trimmed = block.replace(/^\n+|\n+$/g, '');
    const name = /^FILE_NAME=(.*)$/m.exec(trimmed)?.[1];
    if (name !== undefined) blocks.set(name, trimmed);
  }
  return blocks;
}

/** The sections of the listing loop's output: `\x01name` lines, then that package's files. */
export function fileLists(text: string): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('\x01')) lists.set(line.slice(1), (current = []));
    else if (line !== '' && current !== undefined) current.push(line);
  }
  return lists;
}

const LIST_LOOP = 'for f; do printf "\\001%s\\n" "$f"; pkg_info -qL "$f" || :; done';

async function readNew(allDir: string, names: readonly string[], run: ToolRun): Promise<{ facts: Map<string, Omit<PkgsrcPackageFacts, 'size' | 'mtimeMs' | 'ino'>>; skipped: { file: string; reason: string }[] }> {
  const facts = new Map<string, Omit<PkgsrcPackageFacts, 'size' | 'mtimeMs' | 'ino'>>();
  const skipped: { file: string; reason: string }[] = [];
  for (let i = 0; i < names.length; i += BATCH) {
    const batch = names.slice(i, i + BATCH);
    const summaries = await run(['pkg_info', '-X', ...batch]);
    const lists = await run(['/bin/sh', '-c', LIST_LOOP, 'kiln-pkg-files', ...batch]);
    const blocks = summaries.ok ? summaryBlocks(summaries.stdout) : new Map<string, string>();
    const files = lists.ok ? fileLists(lists.stdout) : new Map<string, string[]>();
    for (const name of batch) {
      const summary = blocks.get(name);
      if (summary === undefined) {
        const said = summaries.ok ? summaries.stderr.split('\n').find((line) => line.includes(name)) : summaries.error;
        skipped.push({ file: name, reason: said?.trim() || 'pkg_info -X gave no summary for it' });
        continue;
      }
      const sha512 = createHash('sha512').update(await readFile(join(allDir, name))).digest('hex');
      facts.set(name, { fileName: name, summary, files: files.get(name) ?? [], sha512 });
    }
  }
  return { facts, skipped };
}

async function loadCache(cacheDir: string): Promise<Map<string, PkgsrcPackageFacts>> {
  try {
    const parsed = JSON.parse(await readFile(join(cacheDir, CACHE), 'utf8')) as { version?: unknown; packages?: PkgsrcPackageFacts[] };
    return parsed.version === VERSION && Array.isArray(parsed.packages) ? new Map(parsed.packages.map((p) => [p.fileName, p])) : new Map();
  } catch {
    return new Map();
  }
}

/** `cacheDir`: where the facts of the packages read are kept for the next index (the run directory). */
export async function writePkgsrcIndex(allDir: string, cacheDir: string, run: ToolRun): Promise<PkgsrcIndexResult> {
  const cache = await loadCache(cacheDir);
  const names = (await readdir(allDir)).filter((name) => name.endsWith('.tgz') && !name.startsWith('.')).sort();
  const packages: PkgsrcPackageFacts[] = [];
  const fresh: string[] = [];
  const stats = new Map<string, { size: number; mtimeMs: number; ino: number }>();
  for (const name of names) {
    const info = await stat(join(allDir, name)).catch(() => undefined);
    if (info === undefined || !info.isFile()) continue;
    stats.set(name, { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino });
    const known = cache.get(name);
    if (known !== undefined && known.size === info.size && known.mtimeMs === info.mtimeMs && known.ino === info.ino) packages.push(known);
    else fresh.push(name);
  }
  const { facts, skipped } = await readNew(allDir, fresh, run);
  for (const [name, fact] of facts) packages.push({ ...fact, ...stats.get(name)! });
  packages.sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
  const written = await writeIndexFiles(allDir, packages);
  await replaceFile(join(cacheDir, CACHE), JSON.stringify({ version: VERSION, packages }));
  await removeOldCaches(allDir);
  return { packages, read: facts.size, skipped, errors: written.errors };
}

/**
 * The index files of a repository whose packages are in `allDir`, in the
 * forms pbulk 0.65's build script writes and pkgin and mirrors read:
 * All/pkg_summary.gz and All/pkg_summary.bz2 (plus All/pkg_summary.xz, which
 * newer pkgin reads first), All/pkg_files.gz, and SHA512.bz2 beside All/
 * (digest(1)'s `SHA512 (All/name) = hex` lines for every package and
 * summary). What could not be compressed is left out and said; without
 * bzip2, SHA512 is written uncompressed.
 */
export async function writeIndexFiles(allDir: string, packages: readonly Pick<PkgsrcPackageFacts, 'fileName' | 'summary' | 'files' | 'sha512'>[]): Promise<IndexFilesResult> {
  const summary = Buffer.from(packages.map((pkg) => `${pkg.summary}\n\n`).join(''));
  const files = packages.map((pkg) => {
    const name = /^PKGNAME=(.*)$/m.exec(pkg.summary)?.[1] ?? pkg.fileName.replace(/\.tgz$/, '');
    return [`PKGNAME=${name}`, `FILE_NAME=${pkg.fileName}`, ...pkg.files.map((file) => `FILES=${file}`), '', ''].join('\n');
  }).join('');
  const repository = dirname(allDir);
  const summaries: [string, Compressed][] = [
    ['pkg_summary.gz', { ok: true, data: gzipSync(summary) }],
    ['pkg_summary.bz2', await compress(summary, 'bzip2')],
    ['pkg_summary.xz', await compress(summary, 'xz')],
  ];
  const errors: string[] = [];
  const sums = packages.map((pkg) => [`All/${pkg.fileName}`, pkg.sha512] as [string, string]);
  for (const [name, made] of summaries) {
    if (made.ok) {
      await replaceFile(join(allDir, name), made.data);
      sums.push([`All/${name}`, createHash('sha512').update(made.data).digest('hex')]);
    } else {
      await rm(join(allDir, name), { force: true });
      errors.push(`no ${name}: ${made.error}`);
    }
  }
  await replaceFile(join(allDir, PKG_FILES), gzipSync(Buffer.from(files)));
  sums.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const sha512 = Buffer.from(sums.map(([file, hex]) => `SHA512 (${file}) = ${hex}\n`).join(''));
  const bz2 = await compress(sha512, 'bzip2');
  // An earlier kiln wrote All/SHA512; the one of the other form goes, so no stale list is left.
  await rm(join(allDir, 'SHA512'), { force: true });
  await rm(join(repository, bz2.ok ? 'SHA512' : SHA512_FILE), { force: true });
  await replaceFile(join(repository, bz2.ok ? SHA512_FILE : 'SHA512'), bz2.ok ? bz2.data : sha512);
  if (!bz2.ok) errors.push(`SHA512 written uncompressed: ${bz2.error}`);
  return { summaries: summaries.filter(([, made]) => made.ok).map(([name]) => name), errors };
}
