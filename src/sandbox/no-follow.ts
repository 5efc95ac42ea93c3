// kiln works as root on files a port, its build or a package made: the
// copy of the port directory, DESTDIR, the sandbox's PREFIX. None of those
// paths may lead it anywhere else, so every component is looked at with
// lstat (a symlink is refused, never followed) and files are opened with
// O_NOFOLLOW, and O_NONBLOCK so that a FIFO put where a file was expected
// cannot hold kiln forever. By the time kiln looks, the job's processes are
// gone (their PID namespace died with the phase), so nothing changes the
// tree between the look and the open.

import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';

/** Flags for reading a file a port or build made: never through a symlink, never blocking on a FIFO. */
export const READ_NO_FOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export type DirsCheck =
  /** `present`: every component exists (the last is a directory). */
  | { readonly ok: true; readonly present: boolean }
  | { readonly ok: false; readonly reason: string };

/**
 * Whether `rel` (a relative path of plain components) leads from `root`
 * through directories only. A component that is a symlink or not a
 * directory is refused and named; a missing one ends the walk (`present`
 * false), since there is nothing to follow.
 */
export async function directoriesBeneath(root: string, rel: string): Promise<DirsCheck> {
  let at = root;
  let shown = '';
  for (const part of rel.split('/').filter((p) => p !== '')) {
    at = join(at, part);
    shown = shown === '' ? part : `${shown}/${part}`;
    const info = await lstat(at).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
    if (info === undefined) return { ok: true, present: false };
    if (info.isSymbolicLink()) return { ok: false, reason: `${shown} is a symlink` };
    if (!info.isDirectory()) return { ok: false, reason: `${shown} is not a directory` };
  }
  return { ok: true, present: true };
}

/**
 * A small regular file at `rel` under `root`, read without following a
 * symlink on any component; undefined when it is missing, not a regular
 * file, or larger than `maxBytes`.
 */
export async function readSmallFile(root: string, rel: string, maxBytes: number): Promise<Buffer | undefined> {
  const parts = rel.split('/').filter((p) => p !== '');
  const dirs = await directoriesBeneath(root, parts.slice(0, -1).join('/')).catch(() => undefined);
  if (dirs?.ok !== true || !dirs.present || parts.length === 0) return undefined;
  let handle: FileHandle;
  try {
    handle = await open(join(root, ...parts), READ_NO_FOLLOW);
  } catch {
    return undefined;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > maxBytes) return undefined;
    const buffer = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(buffer, 0, info.size, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** What a directory entry is, in words, for a log line: `a FIFO`, `a socket`, `a device`. */
export function fileKind(info: { isFIFO(): boolean; isSocket(): boolean; isBlockDevice(): boolean; isCharacterDevice(): boolean }): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isBlockDevice() || info.isCharacterDevice()) return 'a device';
  return 'not a file, directory or symlink';
}

/** A file name as bytes, when it is UTF-8 text; undefined otherwise (pkgsrc's lists and kiln's logs are text). */
export function utf8Name(name: Buffer): string | undefined {
  const text = name.toString('utf8');
  return Buffer.from(text, 'utf8').equals(name) ? text : undefined;
}
