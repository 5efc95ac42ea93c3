// Reads what the repository index needs from one package file: its SHA512
// (the whole file) and its `+` files (the archive's first members; the rest
// of the archive is not decompressed).

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';

import { TarScanner } from '../../core/package-format/tar-scanner.js';
import { formatSummaryEntry } from '../../core/package-format/summary-entry.js';

export interface PackageFacts {
  readonly fileName: string;
  readonly fileSize: number;
  readonly sha512: string;
  /** The package's pkg_summary block, ending with its empty line. */
  readonly entry: string;
}

export type ReadResult = { readonly ok: true; readonly facts: PackageFacts } | { readonly ok: false; readonly reason: string };

export async function readPackageFile(path: string): Promise<ReadResult> {
  try {
    const info = await stat(path);
    const meta = await readMetaFiles(path);
    if (typeof meta === 'string') return { ok: false, reason: meta };
    const text = (name: string): string | undefined => {
      const data = meta.get(name);
      return data === undefined ? undefined : new TextDecoder().decode(data);
    };
    const contents = text('+CONTENTS');
    if (contents === undefined) return { ok: false, reason: 'no +CONTENTS: not a binary package' };
    const fileName = basename(path);
    const entry = formatSummaryEntry(
      { contents, comment: text('+COMMENT') ?? '', description: text('+DESC') ?? '', buildInfo: text('+BUILD_INFO') ?? '', sizePkg: text('+SIZE_PKG') },
      { fileName, fileSize: info.size },
    );
    return { ok: true, facts: { fileName, fileSize: info.size, sha512: await sha512Of(path), entry } };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

/** A package's `+` files (the archive's leading members) by name, or why they cannot be read. */
export async function readMetaFiles(path: string): Promise<Map<string, Uint8Array> | string> {
  const input = createReadStream(path);
  const gunzip = createGunzip();
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  const scanner = new TarScanner((name) => name.startsWith('+'));
  const meta = new Map<string, Uint8Array>();
  try {
    for await (const chunk of gunzip) {
      const step = scanner.push(chunk as Buffer);
      if (step.error !== undefined) return `not a readable tar archive: ${step.error}`;
      let done = step.ended;
      for (const member of step.members) {
        if (member.path.startsWith('+') && member.data !== undefined) meta.set(member.path, member.data);
        else done = true;
      }
      if (done) return meta;
    }
    return meta;
  } catch (err) {
    return `not a gzip'd tar archive: ${(err as Error).message}`;
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}

async function sha512Of(path: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
