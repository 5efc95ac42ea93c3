// The files of a Portfile tree outside its ports (`mk/version.sh`, say):
// a port's scan may source them, so a remote scan carries them along with
// the port's own directory. Found once per tree, by content hash; hidden
// entries (.git) are left out, and so is anything past a generous bound
// (a port that needs what was left out is scanned again on the coordinator).

import { readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PortEntry } from '../agent/protocol.js';
import { isContainedLink, isSafeSegment } from '../agent/safe-path.js';
import type { FileHasher } from './file-hasher.js';

export interface SharedFiles {
  /** Relative to the tree. */
  readonly entries: readonly PortEntry[];
  /** The file on the coordinator behind each hash. */
  readonly sources: ReadonlyMap<string, string>;
}

const MAX_ENTRIES = 10_000;
const MAX_BYTES = 64 * 1024 * 1024;

export class TreeShare {
  #files: Promise<SharedFiles> | undefined;

  constructor(private readonly tree: string, private readonly hasher: FileHasher) {}

  files(): Promise<SharedFiles> {
    this.#files ??= this.#walk();
    return this.#files;
  }

  async #walk(): Promise<SharedFiles> {
    const entries: PortEntry[] = [];
    const sources = new Map<string, string>();
    let bytes = 0;
    const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
      const found = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const d of found.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (entries.length >= MAX_ENTRIES || bytes >= MAX_BYTES) return;
        if (d.name.startsWith('.') || !isSafeSegment(d.name)) continue;
        const path = rel === '' ? d.name : `${rel}/${d.name}`;
        const full = join(dir, d.name);
        if (d.isDirectory()) {
          if (depth === 1 && (await isFile(join(full, 'Portfile')))) continue; // a port: it travels on its own
          entries.push({ kind: 'dir', path });
          await walk(full, path, depth + 1);
        } else if (d.isFile()) {
          const { hash, size } = await this.hasher.hash(full);
          entries.push({ kind: 'file', path, hash, size, mode: (await stat(full)).mode & 0o777 });
          sources.set(hash, full);
          bytes += size;
        } else if (d.isSymbolicLink()) {
          const target = await readlink(full);
          if (isContainedLink(path, target)) entries.push({ kind: 'link', path, target });
        }
      }
    };
    await walk(this.tree, '', 0);
    return { entries, sources };
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}
