// Reads a package file's leading `+` members (+CONTENTS, +BUILD_INFO)
// synchronously: only the first bytes of the file are read and inflated,
// more only when the packing list is long. Used where the coordinator loop
// needs a package's stamp at once (a few small reads per package and run).

import { closeSync, openSync, readSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';

import { TarScanner } from '../core/package-format/tar-scanner.js';

const FIRST_READ = 64 * 1024;
const MOST = 64 * 1024 * 1024;

/** The `+` members by name, or why the file cannot be read as a package. */
export function readPackageHead(path: string): Map<string, string> | string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return (err as Error).message;
  }
  try {
    for (let size = FIRST_READ; ; size *= 4) {
      const buffer = Buffer.alloc(size);
      const read = readSync(fd, buffer, 0, size, 0);
      const head = headOf(buffer.subarray(0, read));
      if (head !== undefined || read < size || size >= MOST) return head ?? 'its + files end early: a truncated package';
    }
  } catch (err) {
    return `not a gzip'd tar archive: ${(err as Error).message}`;
  } finally {
    closeSync(fd);
  }
}

/** The `+` members when the bytes hold all of them (a non-`+` member or the archive's end follows), else undefined. */
function headOf(gzipped: Buffer): Map<string, string> | string | undefined {
  const tar = gunzipSync(gzipped, { finishFlush: constants.Z_SYNC_FLUSH });
  const scanner = new TarScanner((name) => name.startsWith('+'));
  const step = scanner.push(tar);
  if (step.error !== undefined) return `not a readable tar archive: ${step.error}`;
  const meta = new Map<string, string>();
  for (const member of step.members) {
    if (!member.path.startsWith('+')) return meta;
    if (member.data !== undefined) meta.set(member.path, Buffer.from(member.data).toString('utf8'));
  }
  return step.ended ? meta : undefined;
}
