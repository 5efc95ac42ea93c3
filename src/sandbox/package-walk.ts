// What `install()` left under `$DESTDIR$PREFIX`, read with lstat only (a
// symlink is recorded, never followed; files opened O_NOFOLLOW), in byte
// order of the paths, with hard links found by inode; many files at once,
// small ones read once and kept for the write. Everything else under DESTDIR is named so the
// log can say it was left out.

import { createHash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { unlistableName } from '../core/package-format/packing-list.js';
import { fileKind, READ_NO_FOLLOW, utf8Name } from './no-follow.js';

export interface StagedEntry {
  /** Relative to PREFIX. */
  readonly path: string;
  readonly abs: string;
  readonly kind: 'file' | 'hardlink' | 'symlink';
  readonly mode: number;
  readonly size: number;
  /** Symlink target. */
  readonly target?: string;
  /** For a hard link: the earlier path of the same file. */
  readonly linkTo?: string;
  /** MD5 of a file's contents (hard links too). */
  readonly md5?: string;
  /** A small file's bytes, read once for its MD5 and kept for the package. */
  readonly data?: Buffer;
}

export interface StagedTree {
  readonly entries: readonly StagedEntry[];
  /** Empty directories: recorded as @pkgdir. */
  readonly emptyDirs: readonly string[];
}

export type WalkResult = { readonly ok: true; readonly tree: StagedTree } | { readonly ok: false; readonly error: string; readonly detail: string };

interface Found {
  readonly path: string;
  readonly abs: string;
  readonly kind: 'file' | 'symlink';
  readonly mode: number;
  readonly size: number;
  readonly inode: string;
  readonly links: number;
}

/** Files up to this size are read whole, and kept for the write while KEEP_BUDGET lasts. */
const SMALL_FILE = 256 * 1024;
const KEEP_BUDGET = 64 * 1024 * 1024;
/** Errors of reading the staged tree that are the build's doing (a mode, a name), not the host's. */
const BUILD_ERRORS = new Set(['EACCES', 'EPERM', 'ELOOP', 'ENXIO', 'ENOTDIR', 'ENOENT', 'ENAMETOOLONG', 'EISDIR']);

export async function walkStaged(root: string, signal: AbortSignal): Promise<WalkResult> {
  try {
    return await walk(root, signal);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined || !BUILD_ERRORS.has(code) || signal.aborted) throw err;
    return { ok: false, error: 'unreadable file', detail: `cannot read what install() left: ${(err as Error).message}` };
  }
}

/**
 * The walk makes plain system calls, a slice of the tree at a time: a
 * promise per lstat, open, read and close cost about twenty times what
 * tar spends on the same files.
 */
async function walk(root: string, signal: AbortSignal): Promise<WalkResult> {
  const found: Found[] = [];
  const emptyDirs: string[] = [];
  const problems: string[] = [];
  const slices = new Slices(signal);
  const dirs: Array<{ readonly abs: string; readonly rel: string }> = lstatSync(root, { throwIfNoEntry: false })?.isDirectory() === true ? [{ abs: root, rel: '' }] : [];
  for (let d = 0; d < dirs.length; d++) {
    const dir = dirs[d]!;
    const names = readdirSync(dir.abs, { encoding: 'buffer' });
    if (names.length === 0 && dir.rel !== '') emptyDirs.push(dir.rel);
    for (const raw of names) {
      await slices.pause();
      const name = utf8Name(raw);
      if (name === undefined) {
        problems.push(`a file name under ${JSON.stringify(dir.rel || '.')} is not UTF-8 (${JSON.stringify(raw.toString('latin1'))})`);
        continue;
      }
      const abs = join(dir.abs, name);
      const rel = dir.rel === '' ? name : `${dir.rel}/${name}`;
      const info = lstatSync(abs);
      const why = unlistableName(rel);
      if (why !== undefined) problems.push(`${JSON.stringify(rel)} ${why}`);
      else if (info.isDirectory()) dirs.push({ abs, rel });
      else if (info.isFile() || info.isSymbolicLink()) {
        found.push({ path: rel, abs, kind: info.isFile() ? 'file' : 'symlink', mode: info.mode & 0o7777, size: info.size, inode: `${info.dev}:${info.ino}`, links: info.nlink });
      } else problems.push(`${rel} is ${fileKind(info)}`);
    }
  }
  if (problems.length > 0) return { ok: false, error: 'unsupported file', detail: problems.join('\n') };

  found.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  emptyDirs.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const firstOfInode = new Map<string, StagedEntry>();
  const entries: StagedEntry[] = [];
  let budget = KEEP_BUDGET;
  for (const file of found) {
    await slices.pause();
    if (file.kind === 'symlink') {
      const target = utf8Name(readlinkSync(file.abs, { encoding: 'buffer' }));
      if (target === undefined || /[\r\n]/.test(target)) {
        return { ok: false, error: 'unsupported file', detail: `symlink ${file.path} has ${target === undefined ? 'a target that is not UTF-8' : 'a line break in its target'}` };
      }
      entries.push({ path: file.path, abs: file.abs, kind: 'symlink', mode: file.mode, size: Buffer.byteLength(target), target });
      continue;
    }
    const first = file.links > 1 ? firstOfInode.get(file.inode) : undefined;
    if (first !== undefined) {
      entries.push({ path: file.path, abs: file.abs, kind: 'hardlink', mode: file.mode, size: file.size, linkTo: first.path, ...(first.md5 !== undefined && { md5: first.md5 }) });
      continue;
    }
    const keep = file.size <= SMALL_FILE && file.size <= budget;
    const read = hashFile(file, keep);
    if (typeof read === 'string') return { ok: false, error: 'unsupported file', detail: read };
    if (read.data !== undefined) budget -= file.size;
    const entry: StagedEntry = { path: file.path, abs: file.abs, kind: 'file', mode: file.mode, size: file.size, ...read };
    if (file.links > 1) firstOfInode.set(file.inode, entry);
    entries.push(entry);
  }
  return { ok: true, tree: { entries, emptyDirs } };
}

/** Gives the event loop its turn every few milliseconds of system calls, and stops on abort. */
class Slices {
  #since = performance.now();

  constructor(private readonly signal: AbortSignal) {}

  async pause(): Promise<void> {
    if (performance.now() - this.#since < 10) return;
    await new Promise((resolve) => setImmediate(resolve));
    if (this.signal.aborted) throw this.signal.reason;
    this.#since = performance.now();
  }
}

/** A file's MD5, read without following a symlink; its bytes too when `keep`. */
function hashFile(file: Found, keep: boolean): { readonly md5: string; readonly data?: Buffer } | string {
  const fd = openSync(file.abs, READ_NO_FOLLOW);
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size !== file.size) return `${file.path} changed while being packaged`;
    const hash = createHash('md5');
    const buffer = Buffer.allocUnsafe(keep ? file.size : READ_CHUNK);
    let total = 0;
    for (;;) {
      const got = readSync(fd, buffer, keep ? total : 0, keep ? file.size - total : READ_CHUNK, null);
      if (got === 0) break;
      if (!keep) hash.update(buffer.subarray(0, got));
      total += got;
      if (keep && total === file.size) break;
    }
    if (total !== file.size) return `${file.path} changed while being packaged`;
    if (!keep) return { md5: hash.digest('hex') };
    return { md5: hash.update(buffer).digest('hex'), data: buffer };
  } finally {
    closeSync(fd);
  }
}

/** Paths under DESTDIR that are neither PREFIX nor on the way to it. */
export async function outsidePrefix(destdir: string, prefix: string): Promise<string[]> {
  const onTheWay = new Set<string>();
  const parts = prefix.split('/').filter((part) => part !== '');
  for (let i = 1; i < parts.length; i++) onTheWay.add(parts.slice(0, i).join('/'));
  const found: string[] = [];
  const visit = async (rel: string): Promise<void> => {
    for (const name of await readdir(join(destdir, rel)).catch(() => [])) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (childRel === parts.join('/')) continue;
      if (onTheWay.has(childRel) && (await lstat(join(destdir, childRel))).isDirectory()) await visit(childRel);
      else found.push(childRel);
    }
  };
  await visit('');
  return found.sort();
}

/** Bytes read at once from a file too big to keep. */
export const READ_CHUNK = 1024 * 1024;

/**
 * A staged file's bytes, opened without following a symlink: a file swapped
 * for a link is an error, not a read of the host. Reads as much as `size`
 * (what the walk saw) and one byte more, so a file that grew shows as one
 * without a buffer bigger than the file or a read past that byte.
 */
export async function* readStaged(abs: string, size: number): AsyncGenerator<Buffer> {
  const handle = await open(abs, READ_NO_FOLLOW);
  try {
    for (let read = 0; read <= size;) {
      const want = Math.min(READ_CHUNK, size + 1 - read);
      const buffer = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(buffer, 0, want, null);
      if (bytesRead === 0) return;
      read += bytesRead;
      yield bytesRead === want ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
