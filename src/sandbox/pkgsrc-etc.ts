// A job whose port creates users and groups (USERGROUP_PHASE) gets a /etc
// of its own: a copy of what anyone may read of the host's /etc, writable
// in its root phases, so create-usergroup's useradd and groupadd change the
// copy and never the host. Files only root may read (shadow, host keys) are
// not copied; shadow and gshadow start empty.

import { copyFile, lchown, lstat, mkdir, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { PhaseLog } from './job-log.js';
import type { JobContext, StepResult } from './recipe.js';
import type { BuildUser } from './sandbox-config.js';

/** The copy's directory name in the job's scratch directory. */
export const ETC_COPY = 'etc';

const PRIVATE = ['shadow', 'gshadow'];

export async function copyEtc(ctx: JobContext, log: PhaseLog): Promise<StepResult> {
  const target = join(ctx.scratch.root, ETC_COPY);
  try {
    const skipped = await copyReadable('/etc', target, ctx.config.buildUser);
    for (const name of PRIVATE) {
      await writeFile(join(target, name), '', { mode: 0o600 });
      await own(join(target, name), ctx.config.buildUser);
    }
    await log.note(`USERGROUP_PHASE: this job has a /etc of its own (${skipped} host files only root may read left out)`);
    return { ok: true };
  } catch (err) {
    return { ok: false, failure: { kind: 'infrastructure', reason: `cannot copy /etc for create-usergroup: ${(err as Error).message}` } };
  }
}

async function own(path: string, user: BuildUser | undefined): Promise<void> {
  if (user !== undefined) await lchown(path, user.uid, user.gid).catch(() => undefined);
}

/**
 * A copy of what anyone may read of the host's /etc at `target`, for the
 * scan sandbox: pkgsrc's makefiles look at /etc (debian_version decides
 * whether gawk comes from pkgsrc), and the scan must not see what only root
 * may read. Returns how many entries were left out.
 */
export function copyPublicEtc(target: string): Promise<number> {
  return copyReadable('/etc', target, undefined);
}

/** Copies what others may read; returns how many entries were left out. */
async function copyReadable(from: string, to: string, user: BuildUser | undefined): Promise<number> {
  await mkdir(to, { mode: 0o755 });
  await own(to, user);
  let skipped = 0;
  for (const name of await readdir(from)) {
    const source = join(from, name);
    const dest = join(to, name);
    const info = await lstat(source);
    if (info.isSymbolicLink()) {
      await symlink(await readlink(source), dest);
    } else if (info.isDirectory() && (info.mode & 0o005) === 0o005) {
      skipped += await copyReadable(source, dest, user);
    } else if (info.isFile() && (info.mode & 0o004) !== 0 && !PRIVATE.includes(name)) {
      await copyFile(source, dest);
      await own(dest, user);
    } else {
      skipped++;
    }
  }
  return skipped;
}
