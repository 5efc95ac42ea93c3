// sha256 of files on the coordinator, remembered by path, size, mtime and
// inode so an unchanged file is read once per run.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface FileHash {
  readonly hash: string;
  readonly size: number;
}

interface Known extends FileHash {
  readonly mtimeMs: number;
  readonly ino: number;
}

export class FileHasher {
  readonly #known = new Map<string, Known>();

  async hash(path: string): Promise<FileHash> {
    const s = await stat(path);
    if (!s.isFile()) throw new Error(`${path} is not a regular file`);
    const known = this.#known.get(path);
    if (known && known.size === s.size && known.mtimeMs === s.mtimeMs && known.ino === s.ino) return known;
    const h = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(path)) {
      h.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    const fresh: Known = { hash: h.digest('hex'), size, mtimeMs: s.mtimeMs, ino: s.ino };
    this.#known.set(path, fresh);
    return fresh;
  }
}
