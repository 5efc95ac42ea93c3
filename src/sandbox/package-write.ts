// Writes a package file: a gzip'd tar, the `+` files first, then the staged
// files in packing-list order. Reproducible where it costs nothing: entries
// sorted, owner root:root (0:0), every mtime the build date, no gzip name or
// time. Written under a temporary name in the target directory, synced, then
// renamed, so a reader never sees half a package.

import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

import type { TarHeader } from '../core/package-format/ustar.js';
import { encodeHeader, endOfArchive, paddingFor } from '../core/package-format/ustar.js';
import type { MetaFile } from './package-metadata.js';
import type { StagedEntry } from './package-walk.js';
import { readStaged } from './package-walk.js';

export type WriteResult =
  | { readonly ok: true; readonly file: string; readonly bytes: number }
  /** A staged file could not be read as it was walked: the port's doing. */
  | { readonly ok: false; readonly kind: 'unreadable'; readonly detail: string }
  /** The package could not be written where it goes: the host's problem. */
  | { readonly ok: false; readonly kind: 'unwritable'; readonly detail: string };

class StagedReadError extends Error {}

export async function writePackage(
  dir: string, pkgname: string, meta: readonly MetaFile[], entries: readonly StagedEntry[], mtime: number, signal: AbortSignal,
): Promise<WriteResult> {
  const file = join(dir, `${pkgname}.tgz`);
  const temp = join(dir, `.kiln.tgz.${process.pid}-${randomBytes(4).toString('hex')}`); // short: a pkgname may be 251 bytes
  try {
    await mkdir(dir, { recursive: true });
    let bytes = 0;
    const counter = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of source) {
        bytes += chunk.length;
        yield chunk;
      }
    };
    await pipeline(Readable.from(archive(meta, entries, mtime)), createGzip(), counter, createWriteStream(temp, { flags: 'wx', mode: 0o644 }), { signal });
    await chmod(temp, 0o644);
    await syncPath(temp);
    await rename(temp, file);
    await syncPath(dir);
    return { ok: true, file, bytes };
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    if (signal.aborted) throw signal.reason;
    if (err instanceof StagedReadError) return { ok: false, kind: 'unreadable', detail: err.message };
    const code = (err as NodeJS.ErrnoException).code;
    const what = code === 'ENOSPC' || code === 'EDQUOT' ? `${code} (disk full)` : (err as Error).message;
    return { ok: false, kind: 'unwritable', detail: `cannot write package ${file}: ${what}` };
  }
}

async function* archive(meta: readonly MetaFile[], entries: readonly StagedEntry[], mtime: number): AsyncGenerator<Uint8Array> {
  const owner = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime };
  for (const file of meta) {
    const data = Buffer.from(file.text);
    yield encodeHeader({ ...owner, path: file.name, type: 'file', mode: file.mode, size: data.length, linkname: '' });
    yield data;
    yield new Uint8Array(paddingFor(data.length));
  }
  for (const entry of entries) {
    const header: TarHeader = {
      ...owner, path: entry.path, mode: entry.mode,
      type: entry.kind === 'hardlink' ? 'hardlink' : entry.kind === 'symlink' ? 'symlink' : 'file',
      size: entry.kind === 'file' ? entry.size : 0,
      linkname: entry.kind === 'hardlink' ? entry.linkTo ?? '' : entry.target ?? '',
    };
    yield encodeHeader(header);
    if (entry.kind !== 'file') continue;
    yield* fileData(entry);
    yield new Uint8Array(paddingFor(entry.size));
  }
  yield endOfArchive();
}

async function* fileData(entry: StagedEntry): AsyncGenerator<Uint8Array> {
  let read = 0;
  try {
    for await (const bytes of readStaged(entry.abs)) {
      read += bytes.length;
      if (read > entry.size) break;
      yield bytes;
    }
  } catch (err) {
    throw new StagedReadError(`cannot read ${entry.path}: ${(err as Error).message}`);
  }
  if (read !== entry.size) throw new StagedReadError(`${entry.path} changed size while being packaged`);
}

async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
