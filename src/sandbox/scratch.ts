// A job's scratch directory on the host: everything the sandbox may write
// (WRKSRC, DESTDIR, PREFIX, HOME, /tmp) lives here and is removed with it.
// The runner reports live beside them in a directory the build cannot see.
// Its name, `kiln-job-<pid>-XXXXXX`, names the kiln process that made it,
// so one that a killed process left is known and removed later; not the
// package, whose name may be as long as a file name can be.

import { chmod, lchown, lstat, mkdir, mkdtemp, readdir, rm, rmdir, stat, unlink } from 'node:fs/promises';
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
    // At once (a round trip each, sequential, was a millisecond or more); all settled before a failure removes the directory.
    const made = await Promise.allSettled([
      chmod(root, 0o711),
      mkdir(scratch.reports, { mode: 0o700 }),
      ...SANDBOX_DIRS.map(async (dir) => {
        await mkdir(scratch[dir], { mode: 0o755 });
        if (user !== undefined) await lchown(scratch[dir], user.uid, user.gid);
      }),
    ]);
    const failed = made.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    return { ok: true, scratch };
  } catch (err) {
    await removeScratch(scratch);
    return { ok: false, reason: `cannot set up the scratch directory ${root}: ${(err as Error).message}` };
  }
}

/**
 * Removes the scratch directory and says how much disk it held, in MiB,
 * or undefined when it could not all be measured: at a job's end, what
 * the next build of the port needs free (dpb's size.log). One walk does
 * both, as du and rm would: each entry is lstat'ed (a link is removed,
 * never followed), its blocks counted (a hard-linked file once) and
 * removed; every process of the job is gone by now, so nothing changes
 * under the walk. A directory a build left without write permission (a
 * read-only module cache) is opened up first.
 */
export async function removeScratch(scratch: JobScratch): Promise<number | undefined> {
  const linked = new Set<string>();
  let bytes = 0;
  const remove = async (path: Buffer): Promise<void> => {
    const info = await lstat(path);
    const key = `${info.dev}:${info.ino}`;
    if (!linked.has(key)) bytes += info.blocks * 512;
    if (!info.isDirectory()) {
      if (info.nlink > 1) linked.add(key); // its other names are not counted, whenever they are seen
      await unlink(path);
      return;
    }
    if ((info.mode & 0o700) !== 0o700) await chmod(path, 0o700);
    const names = await readdir(path, { encoding: 'buffer' });
    await Promise.all(names.map((name) => remove(Buffer.concat([path, SLASH, name]))));
    await rmdir(path);
  };
  try {
    await remove(Buffer.from(scratch.root));
    return Math.ceil(bytes / 2 ** 20);
  } catch {
    await rm(scratch.root, { recursive: true, force: true }).catch(() => undefined);
    return undefined;
  }
}

const SLASH = Buffer.from('/');

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
