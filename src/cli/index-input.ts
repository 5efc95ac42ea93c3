// Reads a pbulk index (pscan) from a file or stdin, plain, gzip'ed or xz'ed
// (told by its first bytes, not its name), as text chunks for IndexReader.
// gzip goes through node's zlib; xz through the system's `xz -dc`, spawned
// with an argument array. Bytes are read as latin1, so whatever the index
// holds is written back byte for byte.

import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

import { UserError } from './command.js';

const GZIP = [0x1f, 0x8b];
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

const startsWith = (chunk: Buffer, magic: readonly number[]): boolean =>
  chunk.length >= magic.length && magic.every((byte, i) => chunk[i] === byte);

/** The decompressed bytes of `source`, chunk by chunk. */
async function* decompressed(source: AsyncIterable<Buffer>, name: string): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  let first = await iterator.next();
  // The magic numbers need the first few bytes together.
  while (!first.done && first.value.length < XZ.length) {
    const more = await iterator.next();
    if (more.done) break;
    first = { done: false, value: Buffer.concat([first.value, more.value]) };
  }
  if (first.done) return;
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  };
  if (startsWith(first.value, GZIP)) {
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    Readable.from(rest()).pipe(gunzip);
    try {
      for await (const chunk of gunzip) yield chunk as Buffer;
    } catch (err) {
      throw new UserError(`${name}: not a readable gzip file: ${(err as Error).message}`);
    }
  } else if (startsWith(first.value, XZ)) {
    yield* unxz(rest(), name);
  } else {
    yield* rest();
  }
}

async function* unxz(chunks: AsyncIterable<Buffer>, name: string): AsyncGenerator<Buffer> {
  const child = spawn('xz', ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
  const failed = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (failed) throw new UserError(`${name} is xz-compressed, and xz could not be run: ${failed.message}`);
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  child.stdin.on('error', () => { /* xz stopped reading: its exit status says why */ });
  Readable.from(chunks).pipe(child.stdin);
  for await (const chunk of child.stdout) yield chunk as Buffer;
  const status = await exited;
  if (status !== 0) throw new UserError(`${name}: xz -dc failed (exit status ${status}): ${stderr.trim()}`);
}

/**
 * The index text of `file` ('-' or undefined for `stdin`), chunk by chunk.
 * A missing or unreadable file is a UserError.
 */
export async function* readIndexText(file: string | undefined, stdin: NodeJS.ReadableStream): AsyncGenerator<string> {
  const name = file === undefined || file === '-' ? 'stdin' : file;
  const source = name === 'stdin' ? stdin : createReadStream(file!, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of decompressed(source as AsyncIterable<Buffer>, name)) yield chunk.toString('latin1');
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${name}: no such file`);
    throw new UserError(`${name}: ${(err as Error).message}`);
  }
}
