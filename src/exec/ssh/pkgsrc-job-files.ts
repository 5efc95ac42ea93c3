// What a pkgsrc job carries to its host besides its port's own files: the
// bootstrap kit (by content hash: sent once per host), the revision of the
// tree it runs in (made ready on the host before any job: tree-snapshot.ts),
// pbulk's block for the port, and the distfiles its distinfo names (or,
// without one, the distinfo of the master port whose Makefile it read) that
// the coordinator's DISTDIR holds, relative to DISTDIR.

import { readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { PkgPath } from '../../core/model.js';
import type { BuildJob } from '../../job/build-job.js';
import type { PkgsrcSetup } from '../../sandbox/recipe-pkgsrc.js';
import type { PkgsrcPart, PortEntry } from '../agent/protocol.js';
import { isSafeRelativePath } from '../agent/safe-path.js';
import type { FileHasher } from './file-hasher.js';

/** A pkgsrc job's part of the job spec, and the file on the coordinator behind each hash it names. */
export async function pkgsrcJobPart(setup: PkgsrcSetup, tree: string, job: BuildJob, hasher: FileHasher): Promise<
  | { readonly ok: true; readonly part: PkgsrcPart; readonly files: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly reason: string }> {
  try {
    const kit = await hasher.hash(setup.kit.file);
    const files = new Map<string, string>([[kit.hash, setup.kit.file]]);
    const distfiles = await distfilesOf(job.tree, job.pkgpath, job.reads ?? [], setup.distdir ?? join(job.tree, 'distfiles'), hasher, files);
    const block = Object.entries(job.block ?? {}).map(([key, value]) => ({ key, value }));
    return { ok: true, files, part: { kit: { ...kit, prefix: setup.kit.prefix }, make: setup.make, tree, distfiles, block } };
  } catch (err) {
    return { ok: false, reason: `cannot read what ${job.pkgname} needs on the coordinator: ${(err as Error).message}` };
  }
}

/** The distfiles the port's distinfo (or its master's) names that `distdir` holds; each file's source added to `files`. */
async function distfilesOf(tree: string, pkgpath: PkgPath, reads: readonly string[], distdir: string, hasher: FileHasher,
  files: Map<string, string>): Promise<PortEntry[]> {
  const own = await readFile(join(tree, pkgpath, 'distinfo'), 'utf8').catch(() => undefined);
  const distinfos = own !== undefined ? [own] : await Promise.all(masters(pkgpath, reads).map((m) => readFile(join(tree, m, 'distinfo'), 'utf8').catch(() => '')));
  const distfiles: PortEntry[] = [];
  for (const name of new Set(distinfos.flatMap(distinfoNames))) {
    const file = join(distdir, name);
    if (!(await stat(file).then((s) => s.isFile(), () => false))) continue; // not fetched here: the job's checksum says so
    const { hash, size } = await hasher.hash(file);
    distfiles.push({ kind: 'file', path: name, hash, size, mode: 0o644 });
    files.set(hash, file);
  }
  return distfiles;
}

/** The port directories (`category/name`) other than the port's own where its make read a Makefile*: its master ports. */
export function masters(pkgpath: PkgPath, reads: readonly string[]): string[] {
  const found = new Set<string>();
  for (const read of reads) {
    const parts = read.split('/');
    if (!isSafeRelativePath(read) || parts.length !== 3 || parts[0] === 'mk' || !parts[2]!.startsWith('Makefile')) continue;
    const dir = `${parts[0]}/${parts[1]}`;
    if (dir !== pkgpath) found.add(dir);
  }
  return [...found];
}

/** The distfiles a distinfo names (its `Size (name) = N bytes` lines; patches have none), as safe paths under DISTDIR. */
export function distinfoNames(distinfo: string): string[] {
  const names = new Set<string>();
  for (const line of distinfo.split('\n')) {
    const m = /^Size \((.+)\) = /.exec(line);
    if (!m) continue;
    const name = posix.normalize(m[1]!);
    if (!isSafeRelativePath(name)) continue;
    names.add(name);
  }
  return [...names];
}
