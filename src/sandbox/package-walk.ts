// What `install()` left under `$DESTDIR$PREFIX`, read with lstat only (a
// symlink is recorded, never followed), in byte order of the paths, with
// hard links found by inode. Everything else under DESTDIR is named so the
// log can say it was left out.

import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

import { unlistableName } from '../core/package-format/packing-list.js';

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

export async function walkStaged(root: string, signal: AbortSignal): Promise<WalkResult> {
  const found: Found[] = [];
  const emptyDirs: string[] = [];
  const problems: string[] = [];
  const visit = async (abs: string, rel: string): Promise<void> => {
    const names = await readdir(abs);
    if (names.length === 0 && rel !== '') emptyDirs.push(rel);
    for (const name of names) {
      const childAbs = join(abs, name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const info = await lstat(childAbs);
      const why = unlistableName(childRel);
      if (why !== undefined) problems.push(`${JSON.stringify(childRel)} ${why}`);
      else if (info.isDirectory()) await visit(childAbs, childRel);
      else if (info.isFile() || info.isSymbolicLink()) {
        found.push({
          path: childRel, abs: childAbs, kind: info.isFile() ? 'file' : 'symlink', mode: info.mode & 0o7777,
          size: info.size, inode: `${info.dev}:${info.ino}`, links: info.nlink,
        });
      } else problems.push(`${childRel} is not a file, directory or symlink`);
    }
  };
  const rootInfo = await lstat(root).catch(() => undefined);
  if (rootInfo?.isDirectory() === true) await visit(root, '');
  if (problems.length > 0) return { ok: false, error: 'unsupported file', detail: problems.join('\n') };

  found.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  emptyDirs.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const firstOfInode = new Map<string, StagedEntry>();
  const entries: StagedEntry[] = [];
  for (const file of found) {
    if (signal.aborted) throw signal.reason;
    if (file.kind === 'symlink') {
      const target = await readlink(file.abs);
      if (/[\r\n]/.test(target)) return { ok: false, error: 'unsupported file', detail: `symlink ${file.path} has a line break in its target` };
      entries.push({ path: file.path, abs: file.abs, kind: 'symlink', mode: file.mode, size: Buffer.byteLength(target), target });
      continue;
    }
    const first = file.links > 1 ? firstOfInode.get(file.inode) : undefined;
    if (first !== undefined) {
      entries.push({ path: file.path, abs: file.abs, kind: 'hardlink', mode: file.mode, size: file.size, linkTo: first.path, ...(first.md5 !== undefined && { md5: first.md5 }) });
      continue;
    }
    const entry: StagedEntry = { path: file.path, abs: file.abs, kind: 'file', mode: file.mode, size: file.size, md5: await md5Of(file.abs) };
    if (file.links > 1) firstOfInode.set(file.inode, entry);
    entries.push(entry);
  }
  return { ok: true, tree: { entries, emptyDirs } };
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

/** A staged file's bytes, opened without following a symlink: a file swapped for a link is an error, not a read of the host. */
export async function* readStaged(abs: string): AsyncGenerator<Buffer> {
  const handle = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  for await (const chunk of handle.createReadStream()) yield chunk as Buffer;
}

async function md5Of(abs: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of readStaged(abs)) hash.update(chunk);
  return hash.digest('hex');
}
