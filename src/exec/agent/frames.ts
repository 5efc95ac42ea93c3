// The wire format between the coordinator and the agent: one JSON object a
// line; when the object has a `bytes` field, exactly that many raw bytes
// follow the newline (a chunk of a file or a log). Used on both ends.

import type { Writable } from 'node:stream';

/** Largest JSON line accepted (a job with a very large port manifest stays well under). */
export const MAX_LINE = 32 * 1024 * 1024;
/** Largest raw chunk after a line. Senders use CHUNK. */
export const MAX_BODY = 4 * 1024 * 1024;
export const CHUNK = 256 * 1024;

export interface Frame {
  readonly header: Readonly<Record<string, unknown>>;
  /** The raw bytes that followed the line; empty when there were none. */
  readonly body: Buffer;
}

const EMPTY = Buffer.alloc(0);

/** Cuts a byte stream into frames. After an error it ignores everything. */
export class FrameReader {
  #line: Buffer[] = [];
  #lineBytes = 0;
  #header: Readonly<Record<string, unknown>> | undefined;
  #body: Buffer[] = [];
  #need = 0;
  #broken = false;

  constructor(
    private readonly onFrame: (frame: Frame) => void,
    private readonly onError: (message: string) => void,
  ) {}

  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length && !this.#broken) {
      if (this.#header !== undefined) {
        const n = Math.min(this.#need, chunk.length - off);
        this.#body.push(chunk.subarray(off, off + n));
        this.#need -= n;
        off += n;
        if (this.#need === 0) this.#emit();
        continue;
      }
      const nl = chunk.indexOf(10, off);
      if (nl < 0) {
        this.#line.push(chunk.subarray(off));
        this.#lineBytes += chunk.length - off;
        if (this.#lineBytes > MAX_LINE) this.#fail(`a line longer than ${MAX_LINE} bytes`);
        return;
      }
      this.#line.push(chunk.subarray(off, nl));
      off = nl + 1;
      const text = Buffer.concat(this.#line).toString('utf8');
      this.#line = [];
      this.#lineBytes = 0;
      this.#parse(text);
    }
  }

  #parse(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.#fail(`not JSON: ${JSON.stringify(text.slice(0, 200))}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return this.#fail(`not a JSON object: ${text.slice(0, 200)}`);
    const header = value as Record<string, unknown>;
    const bytes = header['bytes'];
    if (bytes === undefined) {
      this.onFrame({ header, body: EMPTY });
      return;
    }
    if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0 || bytes > MAX_BODY) {
      return this.#fail(`bad byte count ${JSON.stringify(bytes)}`);
    }
    this.#header = header;
    this.#need = bytes;
    if (bytes === 0) this.#emit();
  }

  #emit(): void {
    const header = this.#header ?? {};
    const body = this.#body.length === 1 ? (this.#body[0] ?? EMPTY) : Buffer.concat(this.#body);
    this.#header = undefined;
    this.#body = [];
    this.onFrame({ header, body });
  }

  #fail(message: string): void {
    this.#broken = true;
    this.onError(message);
  }
}

/**
 * Writes frames to a stream. A frame's line and bytes are written together,
 * so frames never interleave. The promise waits for the stream to drain,
 * which is how large transfers keep memory bounded.
 */
export class FrameWriter {
  constructor(private readonly stream: Writable) {
    stream.on('error', () => undefined); // a closed pipe is seen as the session ending
  }

  send(header: object, body?: Buffer): Promise<void> {
    if (this.stream.destroyed || this.stream.writableEnded) return Promise.resolve();
    const line = JSON.stringify(body === undefined ? header : { ...header, bytes: body.length }) + '\n';
    let ok = this.stream.write(line);
    if (body !== undefined && body.length > 0) ok = this.stream.write(body);
    if (ok) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
    });
  }

  end(): void {
    if (!this.stream.destroyed && !this.stream.writableEnded) this.stream.end();
  }
}
