// The pkgsrc trees on this host, `trees/<manifest hash>/`: laid out once
// from the file cache when the coordinator names a tree (before it gives
// the host a job), then shared, read-only, by every job of that revision;
// each job's sandbox shows its own fresh copy of its port over the port's
// directory. The newest few trees are kept, the others removed.

import { access, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from './blob-store.js';
import { checkEntries, layOutFiles } from './job-dir.js';
import { portEntryShape } from './protocol.js';
import { array } from './shape.js';

const KEEP = 3;
const manifestShape = array(portEntryShape, 1_000_000);

export class TreeStore {
  readonly dir: string;
  readonly #preparing = new Map<string, Promise<string | undefined>>();

  constructor(root: string, private readonly store: BlobStore) {
    this.dir = join(root, 'trees');
  }

  path(hash: string): string {
    return join(this.dir, hash);
  }

  /**
   * Makes the tree whose manifest (already in the cache) has `hash`;
   * `fetch` brings the files it names into the cache. Why not, or undefined.
   */
  prepare(hash: string, fetch: (hashes: readonly string[]) => Promise<void>): Promise<string | undefined> {
    let made = this.#preparing.get(hash);
    if (!made) {
      made = this.#prepare(hash, fetch);
      this.#preparing.set(hash, made);
      void made.then((problem) => { if (problem !== undefined) this.#preparing.delete(hash); });
    }
    return made;
  }

  async #prepare(hash: string, fetch: (hashes: readonly string[]) => Promise<void>): Promise<string | undefined> {
    const at = this.path(hash);
    if (await access(at).then(() => true, () => false)) {
      const now = new Date();
      await utimes(at, now, now); // the newest are kept
      return undefined;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.store.path(hash), 'utf8'));
    } catch (err) {
      return `the tree's manifest cannot be read: ${(err as Error).message}`;
    }
    const checked = manifestShape(parsed, 'tree');
    if (!checked.ok) return `bad tree manifest: ${checked.reason}`;
    const problem = checkEntries(checked.value, 'tree');
    if (problem) return problem;
    try {
      await fetch(checked.value.flatMap((e) => (e.kind === 'file' ? [e.hash] : [])));
    } catch (err) {
      return `the tree's files did not all arrive: ${(err as Error).message}`;
    }
    const temp = `${at}.in-${process.pid}`;
    try {
      await rm(temp, { recursive: true, force: true });
      await layOutFiles(temp, checked.value, this.store);
      await rename(temp, at);
    } catch (err) {
      await rm(temp, { recursive: true, force: true }).catch(() => undefined);
      return `cannot lay out the tree: ${(err as Error).message}`;
    }
    await this.#prune();
    return undefined;
  }

  /** Keeps the KEEP newest trees. */
  async #prune(): Promise<void> {
    const trees = await Promise.all((await readdir(this.dir)).filter((n) => /^[0-9a-f]{64}$/.test(n))
      .map(async (name) => ({ name, at: (await stat(join(this.dir, name))).mtimeMs })));
    for (const old of trees.sort((a, b) => b.at - a.at).slice(KEEP)) {
      this.#preparing.delete(old.name);
      await rm(join(this.dir, old.name), { recursive: true, force: true });
    }
  }
}
