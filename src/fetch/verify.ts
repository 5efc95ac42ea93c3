// Checks a file against its distinfo: size first (cheap), then every
// checksum the distinfo lists that kiln can compute, in one read.

import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';

import type { Digest, DigestAlgorithm } from '../core/distfiles/distinfo.js';

const NODE_HASH: Readonly<Record<DigestAlgorithm, string>> = {
  SHA512: 'sha512', SHA256: 'sha256', SHA1: 'sha1', RMD160: 'ripemd160', BLAKE2s: 'blake2s256',
};

export type Verdict =
  | { readonly ok: true }
  /** `reason`: what is wrong, with the expected and the actual value; `missing`: there is no file at all. */
  | { readonly ok: false; readonly reason: string; readonly missing: boolean };

/** Whether `file` (a regular file, not a symlink) is the distfile the size and digests describe. */
export async function verifyFile(file: string, size: number, digests: readonly Digest[]): Promise<Verdict> {
  const info = await lstat(file).catch(() => undefined);
  if (info === undefined) return { ok: false, reason: 'it is not there', missing: true };
  if (!info.isFile()) return { ok: false, reason: 'it is not a regular file', missing: false };
  if (info.size !== size) return { ok: false, reason: `size mismatch: expected ${size} bytes, got ${info.size}`, missing: false };
  const hashes: Array<[Digest, Hash]> = digests.map((d) => [d, createHash(NODE_HASH[d.algorithm])]);
  try {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) for (const [, hash] of hashes) hash.update(chunk);
  } catch (err) {
    return { ok: false, reason: `cannot read it: ${(err as Error).message}`, missing: false };
  }
  for (const [digest, hash] of hashes) {
    const got = hash.digest('hex');
    if (got !== digest.hex) return { ok: false, reason: `${digest.algorithm} mismatch: expected ${digest.hex}, got ${got}`, missing: false };
  }
  return { ok: true };
}
