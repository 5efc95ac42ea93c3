// Content hashes of what a scan read, for the scan cache. A file is hashed
// by its bytes, a directory by its listing (names and types: so an added or
// removed file is a change), a symlink by its target text; a missing path
// has a hash too, so creating it is a change.

import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

const digest = (data: string | Buffer): string => createHash('sha256').update(data).digest('base64');

/** The hash of one input: `input` is relative to `root` unless absolute. */
export async function hashInput(root: string, input: string): Promise<string> {
  const file = path.isAbsolute(input) ? input : path.join(root, input);
  const info = await lstat(file).catch(() => undefined);
  if (!info) return 'missing';
  if (info.isSymbolicLink()) return 'link:' + digest(await readlink(file));
  if (info.isDirectory()) {
    const entries = await readdir(file, { withFileTypes: true });
    const listing = entries
      .map((entry) => `${entry.name}\0${entry.isDirectory() ? 'd' : entry.isSymbolicLink() ? 'l' : entry.isFile() ? 'f' : 'o'}`)
      .sort()
      .join('\0');
    return 'dir:' + digest(listing);
  }
  if (info.isFile()) return 'file:' + digest(await readFile(file));
  return 'other';
}

/**
 * Every directory and file under `dir` (relative to `root`), the directory
 * itself first. Symlinks are listed, never followed.
 */
export async function walkInputs(root: string, dir: string): Promise<string[]> {
  const found: string[] = [dir];
  const entries = await readdir(path.join(root, dir), { withFileTypes: true }).catch(() => []);
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walkInputs(root, rel)));
    else found.push(rel);
  }
  return found;
}
