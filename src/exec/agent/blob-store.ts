// The host's cache of files by content: `<root>/blobs/<sha256>`. Port files,
// dependency packages and packages built here live in it, so each is sent to
// a host once. A file arrives in chunks into a temporary name, is checked
// against its hash, and only then takes its name.

import { createHash, type Hash } from 'node:crypto';
import { access, chmod, mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

interface Incoming {
  readonly temp: string;
  readonly file: Promise<FileHandle>;
  readonly hash: Hash;
  /** Writes happen in order; this is the last one. */
  chain: Promise<unknown>;
}

export type Received = 'more' | 'stored' | 'damaged';

export class BlobStore {
  readonly dir: string;
  readonly #incoming = new Map<string, Incoming>();
  readonly #known = new Set<string>();

  constructor(root: string) {
    this.dir = join(root, 'blobs');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const dayAgo = Date.now() - 86_400_000;
    for (const name of await readdir(this.dir)) {
      if (!name.startsWith('.in-')) continue;
      const s = await stat(join(this.dir, name)).catch(() => undefined);
      if (s && s.mtimeMs < dayAgo) await rm(join(this.dir, name), { force: true });
    }
  }

  path(hash: string): string {
    return join(this.dir, hash);
  }

  async has(hash: string): Promise<boolean> {
    if (this.#known.has(hash)) return true;
    const ok = await access(this.path(hash)).then(() => true, () => false);
    if (ok) this.#known.add(hash);
    return ok;
  }

  receiving(hash: string): boolean {
    return this.#incoming.has(hash);
  }

  /** Takes one chunk of `hash`; on the last one, checks the whole file and stores it. */
  async receive(hash: string, chunk: Buffer, end: boolean): Promise<Received> {
    let incoming = this.#incoming.get(hash);
    if (!incoming) {
      const temp = join(this.dir, `.in-${hash}-${process.pid}-${Math.random().toString(36).slice(2)}`);
      const file = open(temp, 'wx', 0o600);
      file.catch(() => undefined); // awaited in order below
      incoming = { temp, file, hash: createHash('sha256'), chain: Promise.resolve() };
      this.#incoming.set(hash, incoming);
    }
    const current = incoming;
    current.hash.update(chunk);
    const write = current.chain.then(async () => { if (chunk.length > 0) await (await current.file).write(chunk); });
    current.chain = write;
    if (!end) {
      await write;
      return 'more';
    }
    this.#incoming.delete(hash);
    try {
      await write;
    } finally {
      await (await current.file).close();
    }
    if (current.hash.digest('hex') !== hash) {
      await rm(current.temp, { force: true });
      return 'damaged';
    }
    await chmod(current.temp, 0o400);
    await rename(current.temp, this.path(hash));
    this.#known.add(hash);
    return 'stored';
  }

  /** Drops a half-received file (the sender gave up). */
  async discard(hash: string): Promise<void> {
    const incoming = this.#incoming.get(hash);
    if (!incoming) return;
    this.#incoming.delete(hash);
    await incoming.chain.catch(() => undefined);
    await (await incoming.file).close().catch(() => undefined);
    await rm(incoming.temp, { force: true });
  }

  /** Moves a file made here (a built package) whose content is `hash` into the store (its reader hashed it). */
  async adopt(file: string, hash: string): Promise<void> {
    if (await this.has(hash)) {
      await rm(file, { force: true });
    } else {
      await chmod(file, 0o400);
      await rename(file, this.path(hash));
      this.#known.add(hash);
    }
  }
}
