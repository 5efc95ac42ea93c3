// Content hashes of what a scan read, for the scan cache. A file is hashed
// by its bytes, a directory by its listing (names and types: so an added or
// removed file is a change), a symlink by its target text; a missing path
// has a hash too, so creating it is a change. The paths come from what a
// port's scan said it read, and kiln may be root: a file others may not
// read, or a directory they may not list, is hashed by its size, times and
// inode instead of its bytes, so no hash tells anything of a file the build
// user could not read itself; a file is opened without following a link
// or waiting on a FIFO.
//
// These use synchronous fs calls on purpose: a cache check reads a few tiny
// files per port, and for thousands of ports one fs/promises call per file
// (a thread-pool round trip each) measured 4-5 times slower than reading
// them directly (bench/scan.ts shows the whole cached scan).

import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import path from 'node:path';

const digest = (data: string | Buffer): string => createHash('sha256').update(data).digest('base64');

/** The hash of one input: `input` is relative to `root` unless absolute. */
export function hashInput(root: string, input: string): string {
  const file = path.isAbsolute(input) ? input : path.join(root, input);
  try {
    return hashPath(file);
  } catch (err) {
    // Unreadable now: a hash no content gives, so the entry misses.
    return `unreadable:${(err as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

function hashPath(file: string): string {
  const info = lstatSync(file, { throwIfNoEntry: false });
  if (!info) return 'missing';
  if (info.isSymbolicLink()) return 'link:' + digest(readlinkSync(file));
  if (info.isDirectory()) {
    if ((info.mode & 0o005) !== 0o005) return privateHash(info);
    const listing = readdirSync(file, { withFileTypes: true })
      .map((entry) => `${entry.name}\0${entry.isDirectory() ? 'd' : entry.isSymbolicLink() ? 'l' : entry.isFile() ? 'f' : 'o'}`)
      .sort()
      .join('\0');
    return 'dir:' + digest(listing);
  }
  if (info.isFile()) return hashFile(file);
  return 'other';
}

function hashFile(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return 'other';
    if ((info.mode & 0o004) === 0) return privateHash(info);
    return 'file:' + digest(readFileSync(fd));
  } finally {
    closeSync(fd);
  }
}

/** What changes when a file others may not read changes, without reading it. */
function privateHash(info: Stats): string {
  return 'private:' + digest(`${info.size}\0${info.mtimeMs}\0${info.ctimeMs}\0${info.ino}`);
}

/**
 * Every directory and file under `dir` (relative to `root`), the directory
 * itself first. Symlinks are listed, never followed.
 */
export function walkInputs(root: string, dir: string): string[] {
  const found: string[] = [dir];
  let entries;
  try {
    entries = readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...walkInputs(root, rel));
    else found.push(rel);
  }
  return found;
}
