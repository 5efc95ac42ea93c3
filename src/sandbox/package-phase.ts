// The `package` phase of a Portfile job: kiln itself, outside the sandbox,
// turns `$DESTDIR$PREFIX` into `<packageDir>/<pkgname>.tgz`. Every process
// of the build is gone by now (their PID namespace died with the install
// phase), and the staged tree is read with lstat and O_NOFOLLOW, so what a
// build left there cannot make kiln read the host's files.

import { lstat, open, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';

import type { PhaseLog } from './job-log.js';
import { metaFiles } from './package-metadata.js';
import { outsidePrefix, walkStaged } from './package-walk.js';
import { writePackage } from './package-write.js';
import type { JobContext, StepResult } from './recipe.js';

export async function packagePhase(ctx: JobContext, log: PhaseLog, signal: AbortSignal): Promise<StepResult> {
  const staged = join(ctx.scratch.destdir, ctx.prefix);
  for (const path of await outsidePrefix(ctx.scratch.destdir, ctx.prefix)) {
    await log.note(`left out, not under PREFIX ${ctx.prefix}: ${path}`);
  }
  const walk = await walkStaged(staged, signal);
  if (!walk.ok) {
    await log.note(walk.detail);
    return { ok: false, failure: { kind: 'failed', error: walk.error } };
  }
  if (walk.tree.entries.length === 0) await log.note(`nothing was installed under $DESTDIR${ctx.prefix}: the package holds no files`);
  const buildDate = sourceDateEpoch() ?? new Date();
  const meta = metaFiles({
    job: ctx.job, prefix: ctx.prefix, tree: walk.tree, buildDate,
    description: await portDescription(ctx), dependencySize: await dependencySize(ctx),
  });
  const written = await writePackage(ctx.job.packageDir, ctx.job.pkgname, meta, walk.tree.entries, Math.floor(buildDate.getTime() / 1000), signal);
  if (!written.ok) {
    await log.note(written.detail);
    return written.kind === 'unreadable'
      ? { ok: false, failure: { kind: 'failed', error: 'unreadable file' } }
      : { ok: false, failure: { kind: 'infrastructure', reason: written.detail, ...(written.full !== undefined && { full: written.full }) } };
  }
  await log.note(`wrote ${written.file}: ${walk.tree.entries.length} files, ${written.bytes} bytes`);
  return { ok: true, packageFile: written.file };
}

/** SOURCE_DATE_EPOCH, as reproducible builds define it, when set. */
function sourceDateEpoch(): Date | undefined {
  const value = process.env.SOURCE_DATE_EPOCH;
  return value !== undefined && /^\d+$/.test(value) ? new Date(Number(value) * 1000) : undefined;
}

/** The port's DESCR file, as pkgsrc has one; read from the tree, not from the build's copy. */
async function portDescription(ctx: JobContext): Promise<string> {
  const path = join(ctx.job.tree, ctx.job.pkgpath, 'DESCR');
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined || !info.isFile() || info.size > 64 * 1024) return '';
  return readFile(path, 'utf8');
}

/** Sum of the installed dependencies' +SIZE_PKG, read from the sandbox's package database. */
async function dependencySize(ctx: JobContext): Promise<number> {
  let total = 0;
  for (const dep of ctx.job.dependencies) {
    total += await smallNumber(join(ctx.scratch.prefix, '.pkgdb', dep.pkgname, '+SIZE_PKG'), ctx.scratch.prefix);
  }
  return total;
}

/** A number in a file the sandbox wrote: only if it really is a small file inside `within`. */
async function smallNumber(path: string, within: string): Promise<number> {
  try {
    const real = await realpath(path);
    if (!real.startsWith(`${within}/`)) return 0;
    const handle = await open(real, 'r');
    try {
      const info = await handle.stat();
      if (!info.isFile() || info.size > 64) return 0;
      const text = (await handle.readFile('utf8')).trim();
      return /^\d+$/.test(text) ? Number(text) : 0;
    } finally {
      await handle.close();
    }
  } catch {
    return 0;
  }
}
