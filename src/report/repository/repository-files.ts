// Writing the repository's index files: each replaced atomically (written
// beside it under a temporary name, then renamed), readable by everyone;
// xz and bzip2 compression by the system's xz(1) and bzip2(1), which Node
// lacks (run directly, no shell).

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes beside the target under a temporary name, then renames over it. */
export async function replaceFile(path: string, data: Buffer | string): Promise<void> {
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data, { mode: 0o644 });
    await chmod(temp, 0o644);
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

export type Compressed = { readonly ok: true; readonly data: Buffer } | { readonly ok: false; readonly error: string };

/** The compressions Node lacks, as the system's programs do them. */
export const COMPRESSORS = {
  xz: ['xz', '-c', '-6'],
  bzip2: ['bzip2', '-c', '-9'],
} as const;

/** `data` compressed by `xz -c` or `bzip2 -c`; `program` replaces the program's name (tests). */
export function compress(data: Buffer, kind: keyof typeof COMPRESSORS, program?: string): Promise<Compressed> {
  const [name, ...args] = COMPRESSORS[kind];
  const command = program ?? name;
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', (e) => resolve({ ok: false, error: `cannot run ${command}: ${e.message}` }));
    child.on('close', (status) => resolve(status === 0 ? { ok: true, data: Buffer.concat(out) } : { ok: false, error: `${command} failed: ${err.trim() || `exit status ${status}`}` }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(data);
  });
}

/** The index caches earlier versions kept in All/: a published repository holds packages and index files only. */
const OLD_CACHE_FILES = ['.kiln-index-cache.json', '.kiln-pkgsrc-index.json'];

export async function removeOldCaches(allDir: string): Promise<void> {
  await Promise.all(OLD_CACHE_FILES.map((name) => rm(join(allDir, name), { force: true })));
}
