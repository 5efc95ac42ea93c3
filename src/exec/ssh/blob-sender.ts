// The coordinator's side of the host's file cache: files are offered by
// content hash (a port's files, dependency packages, a STARTUP script) and
// sent, in chunks, only when the agent asks for one it does not have; the
// same file is never sent twice at once.

import { createReadStream } from 'node:fs';
import { CHUNK } from '../agent/frames.js';

/** Where the frames go: the live agent session. */
export interface BlobLink {
  send(header: object, body?: Buffer): Promise<void>;
}

/** Files sent side by side. */
const SENDERS = 16;

export class BlobSender {
  readonly #sources = new Map<string, string>();
  readonly #sending = new Set<string>();
  filesSent = 0;
  bytesSent = 0;

  /** The file at `path` has content `hash`: the agent may ask for it. */
  offer(hash: string, path: string): void {
    this.#sources.set(hash, path);
  }

  /** Sends the files the agent asked for, a few side by side: a tree asks for tens of thousands at once. */
  async sendAll(link: BlobLink, hashes: readonly string[]): Promise<void> {
    const queue = [...hashes];
    const sender = async (): Promise<void> => { for (let h = queue.shift(); h !== undefined; h = queue.shift()) await this.send(link, h); };
    await Promise.all(Array.from({ length: Math.min(SENDERS, queue.length) }, sender));
  }

  /** Sends one file the agent asked for; a file kiln never offered, or cannot read, is refused with a reason. */
  async send(link: BlobLink, hash: string): Promise<void> {
    const path = this.#sources.get(hash);
    if (this.#sending.has(hash)) return;
    if (path === undefined) {
      await link.send({ t: 'blob-missing', hash, reason: `kiln did not offer file ${hash.slice(0, 12)}` });
      return;
    }
    this.#sending.add(hash);
    try {
      for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
        await link.send({ t: 'blob', hash, end: false }, chunk as Buffer);
        this.bytesSent += (chunk as Buffer).length;
      }
      await link.send({ t: 'blob', hash, end: true }, Buffer.alloc(0));
      this.filesSent++;
    } catch (err) {
      await link.send({ t: 'blob-missing', hash, reason: `cannot read ${path} on the coordinator: ${(err as Error).message}` });
    } finally {
      this.#sending.delete(hash);
    }
  }
}
