// What a pkgsrc job reads from the coordinator's tree besides its own port,
// carried to the host by content hash (each file once per host), so a build
// host needs no pkgsrc tree of its own and cannot have a stale one:
//   - mk/, whole: bmake reads its makefiles and runs its scripts;
//   - every port directory the port's make read when it was scanned
//     (SCAN_DEPENDS: the buildlink3.mk and builtin.mk of its dependencies,
//     a master port's Makefile.common), whole, so the master's patches/
//     and distinfo come along;
//   - the distfiles its distinfo names (or, without one, its master port's)
//     that the coordinator's DISTDIR holds, relative to DISTDIR.
// Version-control directories stay behind.

import { readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { PkgPath } from '../../core/model.js';
import type { BuildJob } from '../../sandbox/build-job.js';
import type { PkgsrcSetup } from '../../sandbox/recipe-pkgsrc.js';
import type { PkgsrcPart, PortEntry } from '../agent/protocol.js';
import { isSafeRelativePath } from '../agent/safe-path.js';
import type { FileHasher } from './file-hasher.js';
import { treeDirManifest } from './port-manifest.js';

/** A pkgsrc job's part of the job spec, and the file on the coordinator behind each hash it names. */
export async function pkgsrcJobPart(setup: PkgsrcSetup, job: BuildJob, hasher: FileHasher): Promise<
  | { readonly ok: true; readonly part: PkgsrcPart; readonly files: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly reason: string; readonly infrastructure: boolean }> {
  const found = await pkgsrcJobFiles(job.tree, job.pkgpath, job.reads ?? [], setup.distdir ?? join(job.tree, 'distfiles'), hasher);
  if (!found.ok) return { ...found, infrastructure: false };
  let kit;
  try {
    kit = await hasher.hash(setup.kit.file);
  } catch (err) {
    return { ok: false, reason: `cannot read the bootstrap kit ${setup.kit.file}: ${(err as Error).message}`, infrastructure: true };
  }
  const files = new Map(found.files).set(kit.hash, setup.kit.file);
  const block = Object.entries(job.block ?? {}).map(([key, value]) => ({ key, value }));
  return { ok: true, files, part: { kit: { ...kit, prefix: setup.kit.prefix }, make: setup.make, tree: [...found.tree], distfiles: [...found.distfiles], block } };
}

export type PkgsrcFilesResult =
  | { readonly ok: true; readonly tree: readonly PortEntry[]; readonly distfiles: readonly PortEntry[]; readonly files: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly reason: string };

const SKIP = new Set(['CVS', '.git', '.svn', '.hg']);

/**
 * `reads`: the files the port's make read, relative to the tree (outside
 * the tree: left out). `distdir`: the coordinator's DISTDIR.
 */
export async function pkgsrcJobFiles(tree: string, pkgpath: PkgPath, reads: readonly string[], distdir: string,
  hasher: FileHasher): Promise<PkgsrcFilesResult> {
  const { dirs, masters } = directoriesRead(pkgpath, reads);
  const entries: PortEntry[] = [];
  const files = new Map<string, string>();
  for (const dir of dirs) {
    const walked = await treeDirManifest(tree, dir, hasher, { keepPath: true, skip: SKIP });
    if (!walked.ok) return walked;
    entries.push(...walked.entries);
    for (const [hash, file] of walked.files) files.set(hash, file);
  }
  const distfiles: PortEntry[] = [];
  const own = await readFile(join(tree, pkgpath, 'distinfo'), 'utf8').catch(() => undefined);
  const distinfos = own !== undefined ? [own] : await Promise.all(masters.map((m) => readFile(join(tree, m, 'distinfo'), 'utf8').catch(() => '')));
  for (const name of new Set(distinfos.flatMap(distinfoNames))) {
    const file = join(distdir, name);
    if (!(await stat(file).then((s) => s.isFile(), () => false))) continue; // not fetched here: the job's checksum says so
    const { hash, size } = await hasher.hash(file);
    distfiles.push({ kind: 'file', path: name, hash, size, mode: 0o644 });
    files.set(hash, file);
  }
  return { ok: true, tree: entries, distfiles, files };
}

/** mk/, and the port-level directories (`category/name`) of what the port read, itself left out; the masters: where it read a Makefile*. */
export function directoriesRead(pkgpath: PkgPath, reads: readonly string[]): { dirs: string[]; masters: string[] } {
  const dirs = new Set<string>(['mk']);
  const masters = new Set<string>();
  for (const read of reads) {
    if (!isSafeRelativePath(read)) continue;
    const parts = read.split('/');
    if (parts[0] === 'mk' || parts.length < 3) continue;
    const dir = `${parts[0]}/${parts[1]}`;
    if (dir === pkgpath) continue;
    dirs.add(dir);
    if (parts.length === 3 && parts[2]!.startsWith('Makefile')) masters.add(dir);
  }
  return { dirs: [...dirs], masters: [...masters] };
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
