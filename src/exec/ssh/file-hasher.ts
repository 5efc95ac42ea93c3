// sha256 of files on the coordinator, remembered by path, size, mtime, ctime
// and inode so an unchanged file is read once. A table saved to a file and
// loaded in the next run carries that across runs: a whole pkgsrc tree is
// then listed by its stat alone.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { sep } from 'node:path';

export interface FileHash {
  readonly hash: string;
  readonly size: number;
  /** Permission bits, from the same look at the file. */
  readonly mode: number;
}

interface Known extends FileHash {
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

/** What a saved table holds: each path's hash, size, mode, mtime, ctime and inode. */
type Saved = Record<string, [string, number, number, number, number, number]>;

export class FileHasher {
  readonly #known = new Map<string, Known>();

  async hash(path: string): Promise<FileHash> {
    const s = await stat(path);
    if (!s.isFile()) throw new Error(`${path} is not a regular file`);
    const known = this.#known.get(path);
    if (known && known.size === s.size && known.mtimeMs === s.mtimeMs && known.ctimeMs === s.ctimeMs && known.ino === s.ino) return known;
    const h = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(path)) {
      h.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    const fresh: Known = { hash: h.digest('hex'), size, mode: s.mode & 0o777, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino };
    this.#known.set(path, fresh);
    return fresh;
  }

  /** Takes what `save` wrote; a missing or unreadable table only means every file is read again. */
  async load(file: string): Promise<void> {
    let saved: Saved;
    try {
      saved = JSON.parse(await readFile(file, 'utf8')) as Saved;
    } catch {
      return;
    }
    if (typeof saved !== 'object' || saved === null) return;
    for (const [path, row] of Object.entries(saved)) {
      if (!Array.isArray(row) || row.length !== 6 || typeof row[0] !== 'string' || !row.slice(1).every((n) => typeof n === 'number')) continue;
      const [hash, size, mode, mtimeMs, ctimeMs, ino] = row;
      if (!this.#known.has(path)) this.#known.set(path, { hash, size, mode, mtimeMs, ctimeMs, ino });
    }
  }

  /** Writes the table of the files under `dir` to `file`, replacing it whole. */
  async save(file: string, dir: string): Promise<void> {
    const saved: Saved = {};
    const under = dir.endsWith(sep) ? dir : dir + sep;
    for (const [path, k] of this.#known) {
      if (path.startsWith(under)) saved[path] = [k.hash, k.size, k.mode, k.mtimeMs, k.ctimeMs, k.ino];
    }
    const temp = `${file}.tmp-${process.pid}`;
    try {
      await writeFile(temp, JSON.stringify(saved));
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }
}
