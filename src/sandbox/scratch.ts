// A job's scratch directory on the host: everything the sandbox may write
// (WRKSRC, DESTDIR, PREFIX, HOME, /tmp) lives here and is removed with it.
// The runner reports live beside them in a directory the build cannot see.
// Its name, `kiln-job-<pid>-XXXXXX`, names the kiln process that made it,
// so one that a killed process left is known and removed later; not the
// package, whose name may be as long as a file name can be.

import { execFile } from 'node:child_process';
import { chmod, lchown, lstat, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import type { BuildUser } from './sandbox-config.js';

export interface JobScratch {
  readonly root: string;
  readonly work: string;
  readonly destdir: string;
  readonly prefix: string;
  readonly home: string;
  readonly tmp: string;
  /** Runner reports; root-only, never mounted. */
  readonly reports: string;
}

export type ScratchResult = { readonly ok: true; readonly scratch: JobScratch } | { readonly ok: false; readonly reason: string };

const SANDBOX_DIRS = ['work', 'destdir', 'prefix', 'home', 'tmp'] as const;

export async function createScratch(base: string, user: BuildUser | undefined): Promise<ScratchResult> {
  if (user !== undefined) {
    const blocked = await unreachableBy(base, user);
    if (blocked !== undefined) {
      return { ok: false, reason: `scratch directory ${base}: ${blocked} is not searchable by the build user (uid ${user.uid}); give a scratch directory under /tmp or /dev/shm` };
    }
  }
  let root: string;
  try {
    root = await mkdtemp(join(base, `kiln-job-${process.pid}-`));
  } catch (err) {
    return { ok: false, reason: `cannot create a scratch directory in ${base}: ${(err as Error).message}` };
  }
  const scratch: JobScratch = {
    root,
    work: join(root, 'work'),
    destdir: join(root, 'destdir'),
    prefix: join(root, 'prefix'),
    home: join(root, 'home'),
    tmp: join(root, 'tmp'),
    reports: join(root, 'reports'),
  };
  try {
    await chmod(root, 0o711);
    await mkdir(scratch.reports, { mode: 0o700 });
    for (const dir of SANDBOX_DIRS) {
      await mkdir(scratch[dir], { mode: 0o755 });
      if (user !== undefined) await lchown(scratch[dir], user.uid, user.gid);
    }
    return { ok: true, scratch };
  } catch (err) {
    await removeScratch(scratch);
    return { ok: false, reason: `cannot set up the scratch directory ${root}: ${(err as Error).message}` };
  }
}

/**
 * Removes the scratch directory. A build may leave directories without
 * write permission (read-only module caches): those are opened up first.
 */
export async function removeScratch(scratch: JobScratch): Promise<void> {
  try {
    await rm(scratch.root, { recursive: true, force: true });
  } catch {
    await openUp(scratch.root);
    await rm(scratch.root, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function openUp(path: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) return;
  await chmod(path, 0o700).catch(() => undefined);
  for (const entry of await readdir(path).catch(() => [])) await openUp(join(path, entry));
}

/** The first directory from `/` to `path` the user may not search, if any. */
export async function unreachableBy(path: string, user: BuildUser): Promise<string | undefined> {
  const chain: string[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dir === dirname(dir)) break;
  }
  for (const dir of chain) {
    const info = await stat(dir).catch(() => undefined);
    if (info === undefined || !info.isDirectory()) return undefined; // mkdtemp names the problem
    const searchable = info.uid === user.uid ? info.mode & 0o100 : info.gid === user.gid ? info.mode & 0o010 : info.mode & 0o001;
    if (searchable === 0) return dir;
  }
  return undefined;
}

/**
 * How much disk the scratch directory holds now, in MiB (du: links are not
 * followed, other file systems not entered), or undefined when it cannot
 * be measured. At a job's end it is what the next build of the port needs
 * free (dpb's size.log).
 */
export function scratchSizeMiB(scratch: JobScratch): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile('du', ['-skx', '--', scratch.root], { timeout: 120_000, maxBuffer: 1 << 20 }, (err, stdout) => {
      const kib = /^(\d+)\s/.exec(stdout);
      resolve(err !== null || kib === null ? undefined : Math.ceil(Number(kib[1]) / 1024));
    });
  });
}
