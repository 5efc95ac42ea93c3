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

import { fullIn } from '../core/model.js';
import type { TarHeader } from '../core/package-format/ustar.js';
import { BLOCK, encodeHeader, endOfArchive, paddingFor } from '../core/package-format/ustar.js';
import type { MetaFile } from './package-metadata.js';
import type { StagedEntry } from './package-walk.js';
import { READ_CHUNK, readStaged } from './package-walk.js';

export type WriteResult =
  | { readonly ok: true; readonly file: string; readonly bytes: number }
  /** A staged file could not be read as it was walked: the port's doing. */
  | { readonly ok: false; readonly kind: 'unreadable'; readonly detail: string }
  /** The package could not be written where it goes: the host's problem, or a `full` repository. */
  | { readonly ok: false; readonly kind: 'unwritable'; readonly detail: string; readonly full?: string };

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
    return { ok: false, kind: 'unwritable', detail: `cannot write package ${file}: ${what}`, ...fullIn(err, dir) };
  }
}

/** What the gzip stream is handed at once: one small piece at a time cost a zlib call each. */
const BATCH = 1024 * 1024;
const ZEROS = new Uint8Array(BLOCK);
/** Files read ahead of the archive that the walk did not keep. */
const READ_AHEAD = 16;

async function* archive(meta: readonly MetaFile[], entries: readonly StagedEntry[], mtime: number): AsyncGenerator<Uint8Array> {
  const owner = { uid: 0, gid: 0, uname: 'root', gname: 'root', mtime };
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const add = (bytes: Uint8Array): void => {
    pending.push(bytes);
    pendingBytes += bytes.length;
  };
  const take = (): Buffer => {
    const batch = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return batch;
  };
  for (const file of meta) {
    const data = Buffer.from(file.text);
    add(encodeHeader({ ...owner, path: file.name, type: 'file', mode: file.mode, size: data.length, linkname: '' }));
    add(data);
    add(ZEROS.subarray(0, paddingFor(data.length)));
  }
  const ahead = new ReadAhead(entries);
  for (const [i, entry] of entries.entries()) {
    const header: TarHeader = {
      ...owner, path: entry.path, mode: entry.mode,
      type: entry.kind === 'hardlink' ? 'hardlink' : entry.kind === 'symlink' ? 'symlink' : 'file',
      size: entry.kind === 'file' ? entry.size : 0,
      linkname: entry.kind === 'hardlink' ? entry.linkTo ?? '' : entry.target ?? '',
    };
    add(encodeHeader(header));
    if (entry.kind !== 'file') continue;
    const whole = entry.data ?? await ahead.take(i);
    if (whole !== undefined) {
      if (whole.length !== entry.size) throw new StagedReadError(`${entry.path} changed size while being packaged`);
      add(whole);
    } else {
      yield take();
      yield* fileData(entry);
    }
    add(ZEROS.subarray(0, paddingFor(entry.size)));
    if (pendingBytes >= BATCH) yield take();
  }
  add(endOfArchive());
  yield take();
}

/**
 * Reads the small files the walk did not keep a little ahead of the
 * archive, so the disk is busy while gzip works; big files are streamed.
 */
class ReadAhead {
  readonly #reads = new Map<number, Promise<Buffer>>();
  #next = 0;

  constructor(private readonly entries: readonly StagedEntry[]) {}

  /** Entry `i`'s bytes, or undefined for a file to stream. */
  async take(i: number): Promise<Buffer | undefined> {
    this.#fill(i);
    const read = this.#reads.get(i);
    this.#reads.delete(i);
    this.#fill(i + 1);
    return read === undefined ? undefined : read.catch((err: unknown) => {
      throw new StagedReadError(`cannot read ${this.entries[i]!.path}: ${(err as Error).message}`);
    });
  }

  #fill(from: number): void {
    this.#next = Math.max(this.#next, from);
    while (this.#next < this.entries.length && this.#reads.size < READ_AHEAD) {
      const entry = this.entries[this.#next]!;
      if (entry.kind === 'file' && entry.data === undefined && entry.size <= READ_CHUNK) {
        const read = readWhole(entry);
        read.catch(() => undefined); // awaited in order by take()
        this.#reads.set(this.#next, read);
      }
      this.#next++;
    }
  }
}

async function readWhole(entry: StagedEntry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of readStaged(entry.abs, entry.size)) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

async function* fileData(entry: StagedEntry): AsyncGenerator<Uint8Array> {
  let read = 0;
  try {
    for await (const bytes of readStaged(entry.abs, entry.size)) {
      read += bytes.length;
      if (read > entry.size) break;
      yield bytes;
    }
  } catch (err) {
    throw new StagedReadError(`cannot read ${entry.path}: ${(err as Error).message}`);
  }
  if (read !== entry.size) throw new StagedReadError(`${entry.path} changed size while being packaged`);
}

/** fsync of a file or a directory. */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
