// A package pkgsrc made, copied into the repository with its build inputs
// in +BUILD_INFO (core/job/build-info-stamp.ts): inflated, the
// leading + files rewritten, the rest passed through, deflated again. A
// package that cannot be stamped (not gzip'd, no plain +BUILD_INFO up
// front) is copied as it is, and the caller says why.

import type { FileHandle } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

import { stampBuildInfo } from '../core/job/build-info-stamp.js';

/** The most of the archive's start read looking for +BUILD_INFO (readPackageHead's bound). */
const MOST_HEAD = 64 * 1024 * 1024;
const CHUNK = 256 * 1024;

class Unstampable extends Error {}

/** Writes `source` to `out` stamped with `inputs`; the reason when it went in as it was. */
export async function copyStamped(source: FileHandle, out: FileHandle, inputs: string | undefined): Promise<string | undefined> {
  if (inputs === undefined) return copyPlain(source, out, 'kiln has no inputs record for it');
  try {
    await pipeline(chunksOf(source), createGunzip(), stamper(inputs), createGzip(), writeTo(out));
    return undefined;
  } catch (err) {
    if (err instanceof Unstampable) return copyPlain(source, out, err.message);
    // zlib's errors carry a code such as Z_DATA_ERROR: the file is not gzip'd (or is damaged); the copy says which.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) return copyPlain(source, out, `not a gzip'd archive (${(err as Error).message})`);
    throw err;
  }
}

async function copyPlain(source: FileHandle, out: FileHandle, reason: string): Promise<string> {
  await out.truncate(0);
  await writeTo(out)(chunksOf(source));
  return reason;
}

// The handles are read and written by position, never through their stream
// methods: a stream on a FileHandle that does not close it keeps the
// handle's close() waiting for ever.
async function* chunksOf(handle: FileHandle): AsyncGenerator<Buffer> {
  for (let at = 0; ;) {
    const buffer = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, at);
    if (bytesRead === 0) return;
    at += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

function writeTo(handle: FileHandle): (chunks: AsyncIterable<Buffer>) => Promise<void> {
  return async (chunks) => {
    let at = 0;
    for await (const chunk of chunks) {
      for (let done = 0; done < chunk.length;) done += (await handle.write(chunk, done, chunk.length - done, at + done)).bytesWritten;
      at += chunk.length;
    }
  };
}

/** The inflated archive with +BUILD_INFO stamped: held until +BUILD_INFO is whole, then streamed. */
function stamper(inputs: string): Transform {
  const held: Buffer[] = [];
  let heldBytes = 0;
  let tryAt = 0;
  let done = false;
  const attempt = (stream: Transform, last: boolean): Error | undefined => {
    const tar = Buffer.concat(held, heldBytes);
    const stamp = stampBuildInfo(tar, inputs);
    if (stamp.kind === 'more') {
      if (last) return new Unstampable('the archive ends before its +BUILD_INFO does');
      if (heldBytes > MOST_HEAD) return new Unstampable(`no +BUILD_INFO in its first ${MOST_HEAD} bytes`);
      tryAt = heldBytes * 2;
      return undefined;
    }
    if (stamp.kind === 'unstampable') return new Unstampable(stamp.reason);
    stream.push(stamp.head);
    stream.push(tar.subarray(stamp.consumed));
    held.length = 0;
    done = true;
    return undefined;
  };
  return new Transform({
    transform(this: Transform, chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      if (done) return callback(null, chunk);
      held.push(chunk);
      heldBytes += chunk.length;
      callback(heldBytes >= tryAt ? attempt(this, false) : undefined);
    },
    flush(this: Transform, callback: TransformCallback): void {
      callback(done ? undefined : attempt(this, true));
    },
  });
}
