// Content hashes of what a scan read, for the scan cache. A file is hashed
// by its bytes, a directory by its listing (names and types: so an added or
// removed file is a change), a symlink by its target text; a missing path
// has a hash too, so creating it is a change.
//
// These use synchronous fs calls on purpose: a cache check reads a few tiny
// files per port, and for thousands of ports one fs/promises call per file
// (a thread-pool round trip each) measured 4-5 times slower than reading
// them directly (bench/scan.ts shows the whole cached scan).

import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
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
    const listing = readdirSync(file, { withFileTypes: true })
      .map((entry) => `${entry.name}\0${entry.isDirectory() ? 'd' : entry.isSymbolicLink() ? 'l' : entry.isFile() ? 'f' : 'o'}`)
      .sort()
      .join('\0');
    return 'dir:' + digest(listing);
  }
  if (info.isFile()) return 'file:' + digest(readFileSync(file));
  return 'other';
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
