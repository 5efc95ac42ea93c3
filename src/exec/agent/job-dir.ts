// One job's directory on the host, rebuilt from the cache:
//   tree/<pkgpath>/...   the port's files (copies: a build may change them)
//   deps/<pkgname>.tgz   the dependency packages (links into the cache)
//   logs/, log           per-phase logs and the whole log
//   packages/            where the package is made
//   scratch/             the builder's scratch space
//   job.json             the BuildJob the job runner hands to the builder

import { copyFile, chmod, link, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildJob } from '../../sandbox/build-job.js';
import type { BlobStore } from './blob-store.js';
import type { JobSpec, PortEntry } from './protocol.js';
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
  return undefined;
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
  return [...out];
}

/** Lays out a checked spec under `dir` (which exists and is empty) and writes job.json. */
export async function layOutJob(dir: string, spec: JobSpec, store: BlobStore, timeoutS: number): Promise<BuildJob> {
  const tree = join(dir, 'tree');
  await layOutFiles(join(tree, spec.pkgpath), spec.port, store);
  const deps = join(dir, 'deps');
  await mkdir(deps);
  const dependencies = [];
  for (const dep of spec.dependencies) {
    const file = join(deps, `${dep.pkgname}.tgz`);
    await link(store.path(dep.hash), file).catch(() => copyFile(store.path(dep.hash), file));
    dependencies.push({ pkgname: dep.pkgname, file });
  }
  const job: BuildJob = {
    pkgname: spec.pkgname,
    pkgpath: spec.pkgpath,
    tree,
    dependencies,
    makeJobs: spec.makeJobs,
    timeoutS,
    logDir: join(dir, 'logs'),
    logFile: join(dir, 'log'),
    packageDir: join(dir, 'packages'),
    metadata: spec.metadata,
  };
  await mkdir(job.logDir);
  await mkdir(job.packageDir);
  await mkdir(join(dir, 'scratch'));
  await writeFile(job.logFile, '');
  await writeFile(join(dir, 'job.json'), JSON.stringify(job));
  return job;
}

/** Makes `entries` (checked with checkEntries) under `root` from the cache: directories, then files, then links. */
export async function layOutFiles(root: string, entries: readonly PortEntry[], store: BlobStore): Promise<void> {
  await mkdir(root, { recursive: true });
  const ordered = [...entries].sort((a, b) => rank(a.kind) - rank(b.kind) || a.path.length - b.path.length);
  for (const entry of ordered) {
    const at = join(root, entry.path);
    switch (entry.kind) {
      case 'dir':
        await mkdir(at, { recursive: true });
        break;
      case 'file':
        await mkdir(join(at, '..'), { recursive: true });
        await copyFile(store.path(entry.hash), at, 1 /* COPYFILE_EXCL */);
        await chmod(at, (entry.mode & 0o777) | 0o600);
        break;
      case 'link':
        await mkdir(join(at, '..'), { recursive: true });
        await symlink(entry.target, at);
        break;
    }
  }
}

const rank = (kind: 'dir' | 'file' | 'link'): number => (kind === 'dir' ? 0 : kind === 'file' ? 1 : 2);
