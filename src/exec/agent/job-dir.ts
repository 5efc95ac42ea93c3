// One job's directory on the host, rebuilt from the cache:
//   tree/<pkgpath>/...   the port's files (copies: a build may change them)
//   deps/<pkgname>.tgz   the dependency packages (links into the cache)
//   dist/...             a Portfile job's distfiles
// and for pkgsrc, whose tree is the host's copy of the coordinator's
// (tree-store.ts), not tree/:
//   port/                the port's files, shown over its directory there
//   distfiles/...        its distfiles (DISTDIR)
//   kit.tgz              the bootstrap kit (a link into the cache)
//   logs/, log           per-phase logs and the whole log
//   packages/            where the package is made
//   scratch/             the builder's scratch space
// The BuildJob the job runner hands to the builder (and the pkgsrc setup
// when there is one) goes to the runner with the job, not through a file.

import { copyFile, chmod, link, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildJob } from '../../job/build-job.js';
import type { PkgsrcSetup } from '../../sandbox/recipe-pkgsrc.js';
import type { BlobStore } from './blob-store.js';
import type { JobSpec, PkgsrcPart, PortEntry } from './protocol.js';
import { isContainedLink, isSafeFileName, isSafePkgPath, isSafeRelativePath } from './safe-path.js';

/** Why a job spec cannot be laid out safely, or undefined. */
export function checkJobSpec(spec: JobSpec): string | undefined {
  if (!isSafeFileName(spec.pkgname)) return `bad pkgname ${JSON.stringify(spec.pkgname)}`;
  if (!isSafePkgPath(spec.pkgpath)) return `bad pkgpath ${JSON.stringify(spec.pkgpath)}`;
  const problem = checkEntries(spec.port, 'port');
  if (problem) return problem;
  for (const dep of spec.dependencies) {
    if (!isSafeFileName(`${dep.pkgname}.tgz`)) return `bad dependency pkgname ${JSON.stringify(dep.pkgname)}`;
  }
  const distfiles = checkEntries(spec.distfiles, 'distfile');
  if (distfiles) return distfiles;
  if (spec.distfiles.some((entry) => entry.kind !== 'file')) return 'a distfile must be a file';
  return spec.pkgsrc === null ? undefined : checkPkgsrcPart(spec.pkgsrc);
}

function checkPkgsrcPart(part: PkgsrcPart): string | undefined {
  if (!isAbsoluteClean(part.kit.prefix) || part.kit.prefix === '/') return `bad kit prefix ${JSON.stringify(part.kit.prefix)}`;
  if (!isAbsoluteClean(part.make)) return `bad make ${JSON.stringify(part.make)}`;
  const problem = checkEntries(part.distfiles, 'distfile');
  if (problem) return problem;
  if (part.distfiles.some((entry) => entry.kind === 'link')) return 'a distfile cannot be a link';
  if (part.block.some(({ key }) => !/^[A-Za-z0-9_.]+$/.test(key))) return 'bad key in the pkgsrc block';
  return undefined;
}

/** An absolute path of plain segments. */
function isAbsoluteClean(path: string): boolean {
  return path.startsWith('/') && (path === '/' || isSafeRelativePath(path.slice(1)));
}

/** Why a list of files cannot be laid out under one directory (`what`) safely, or undefined. */
export function checkEntries(entries: readonly PortEntry[], what: string): string | undefined {
  const links: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (!isSafeRelativePath(entry.path)) return `bad ${what} file path ${JSON.stringify(entry.path)}`;
    if (seen.has(entry.path)) return `${what} file ${JSON.stringify(entry.path)} listed twice`;
    seen.add(entry.path);
    if (entry.kind === 'link') {
      if (!isContainedLink(entry.path, entry.target)) return `${what} link ${JSON.stringify(entry.path)} points outside the ${what}`;
      links.push(entry.path);
    }
  }
  for (const entry of entries) {
    if (links.some((l) => entry.path.startsWith(`${l}/`))) return `${what} file ${JSON.stringify(entry.path)} lies under a link`;
  }
  return undefined;
}

/** Every content hash the job needs in the cache. */
export function hashesOf(spec: JobSpec): string[] {
  const out = new Set<string>();
  for (const entry of spec.port) if (entry.kind === 'file') out.add(entry.hash);
  for (const dep of spec.dependencies) out.add(dep.hash);
  for (const entry of spec.distfiles) if (entry.kind === 'file') out.add(entry.hash);
  if (spec.pkgsrc !== null) {
    out.add(spec.pkgsrc.kit.hash);
    for (const entry of spec.pkgsrc.distfiles) if (entry.kind === 'file') out.add(entry.hash);
  }
  return [...out];
}

/** What the job runner is given: the BuildJob, and for pkgsrc how its sandbox is set up on this host. */
export interface JobFile {
  readonly job: BuildJob;
  readonly pkgsrc?: PkgsrcSetup;
}

/**
 * Lays out a checked spec under `dir` (which exists and is empty); the
 * steps that do not depend on each other run side by side (each is a trip
 * to node's file thread, and a busy host is slow to schedule it).
 * `treeAt`: where this host keeps a pkgsrc tree.
 */
export async function layOutJob(dir: string, spec: JobSpec, store: BlobStore, timeoutS: number, treeAt: (hash: string) => string): Promise<JobFile> {
  let tree = join(dir, 'tree');
  let portDir: string | undefined;
  let pkgsrc: PkgsrcSetup | undefined;
  const logDir = join(dir, 'logs');
  const logFile = join(dir, 'log');
  const packageDir = join(dir, 'packages');
  const deps = join(dir, 'deps');
  const depsMade = mkdir(deps);
  const steps: Array<Promise<unknown>> = [mkdir(logDir), mkdir(packageDir), mkdir(join(dir, 'scratch')), writeFile(logFile, ''), depsMade];
  const dependencies = spec.dependencies.map((dep) => {
    const file = join(deps, `${dep.pkgname}.tgz`);
    steps.push(depsMade.then(() => link(store.path(dep.hash), file).catch(() => copyFile(store.path(dep.hash), file))));
    return { pkgname: dep.pkgname, file };
  });
  if (spec.distfiles.length > 0) steps.push(layOutFiles(join(dir, 'dist'), spec.distfiles, store));
  if (spec.pkgsrc === null) {
    steps.push(layOutFiles(join(tree, spec.pkgpath), spec.port, store));
  } else {
    const part = spec.pkgsrc;
    const hostTree = treeAt(part.tree);
    tree = hostTree;
    steps.push(stat(join(hostTree, spec.pkgpath)).then((s) => s.isDirectory(), () => false).then((found) => {
      if (!found) throw new Error(`the tree ${part.tree.slice(0, 12)} on this host has no ${spec.pkgpath}`);
    }));
    portDir = join(dir, 'port');
    const distdir = join(dir, 'distfiles');
    const kit = join(dir, 'kit.tgz');
    steps.push(layOutFiles(portDir, spec.port, store), layOutFiles(distdir, part.distfiles, store),
      link(store.path(part.kit.hash), kit).catch(() => copyFile(store.path(part.kit.hash), kit)));
    pkgsrc = { kit: { file: kit, prefix: part.kit.prefix, sha256: part.kit.hash }, make: part.make, distdir };
  }
  await Promise.allSettled(steps);
  await Promise.all(steps); // the first failure, once every step has ended
  const job: BuildJob = {
    pkgname: spec.pkgname,
    pkgpath: spec.pkgpath,
    tree,
    dependencies,
    makeJobs: spec.makeJobs,
    ...(spec.jobserver !== null && { jobserver: spec.jobserver }),
    ...(spec.distcc.length > 0 && { useDistcc: true, distcc: spec.distcc }),
    timeoutS,
    logCapBytes: spec.logCapBytes,
    logDir,
    logFile,
    packageDir,
    metadata: spec.metadata,
    ...(spec.distfiles.length > 0 && { distfiles: spec.distfiles.map((entry) => ({ name: entry.path, file: join(dir, 'dist', entry.path) })) }),
    ...(pkgsrc !== undefined && spec.pkgsrc !== null && {
      prefix: pkgsrc.kit.prefix, ...(portDir !== undefined && { portDir }), block: Object.fromEntries(spec.pkgsrc.block.map(({ key, value }) => [key, value])),
    }),
  };
  return { job, ...(pkgsrc !== undefined && { pkgsrc }) };
}

/** Files copied at once. */
const COPYING_AT_ONCE = 16;

/** Makes `entries` (checked with checkEntries) under `root` from the cache: directories, then files (side by side), then links. */
export async function layOutFiles(root: string, entries: readonly PortEntry[], store: BlobStore): Promise<void> {
  await mkdir(root, { recursive: true });
  const ordered = [...entries].sort((a, b) => a.path.length - b.path.length);
  for (const entry of ordered) if (entry.kind === 'dir') await mkdir(join(root, entry.path), { recursive: true });
  const files = ordered.filter((entry): entry is Extract<PortEntry, { kind: 'file' }> => entry.kind === 'file');
  let next = 0;
  const copying = async (): Promise<void> => {
    for (let entry = files[next++]; entry !== undefined; entry = files[next++]) {
      const at = join(root, entry.path);
      await mkdir(join(at, '..'), { recursive: true });
      await copyFile(store.path(entry.hash), at, 1 /* COPYFILE_EXCL */);
      await chmod(at, (entry.mode & 0o777) | 0o600);
    }
  };
  await Promise.all(Array.from({ length: Math.min(COPYING_AT_ONCE, files.length) }, copying));
  for (const entry of ordered) {
    if (entry.kind !== 'link') continue;
    const at = join(root, entry.path);
    await mkdir(join(at, '..'), { recursive: true });
    await symlink(entry.target, at);
  }
}

