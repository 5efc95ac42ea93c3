// The `package` phase of a Portfile job: kiln itself, outside the sandbox,
// turns `$DESTDIR$PREFIX` into `<packageDir>/<pkgname>.tgz`. Every process
// of the build is gone by now (their PID namespace died with the install
// phase), and the staged tree is read with lstat and O_NOFOLLOW, every
// component from DESTDIR down to PREFIX must be a directory, not a symlink,
// so what a build left there cannot make kiln read the host's files.

import { join } from 'node:path';

import type { PhaseLog } from './job-log.js';
import { directoriesBeneath, readSmallFile } from './no-follow.js';
import { metaFiles } from './package-metadata.js';
import { outsidePrefix, walkStaged } from './package-walk.js';
import { writePackage } from './package-write.js';
import type { JobContext, StepResult } from './recipe.js';

export async function packagePhase(ctx: JobContext, log: PhaseLog, signal: AbortSignal): Promise<StepResult> {
  const staged = join(ctx.scratch.destdir, ctx.prefix);
  const way = await directoriesBeneath(ctx.scratch.destdir, ctx.prefix);
  if (!way.ok) {
    await log.note(`refused: $DESTDIR/${way.reason}; PREFIX ${ctx.prefix} is packaged only when every directory down to it is a real directory`);
    return { ok: false, failure: { kind: 'failed', error: 'symlink to PREFIX' } };
  }
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

/** The port's DESCR file, as pkgsrc has one; read from the tree, not from the build's copy, and not through a symlink. */
async function portDescription(ctx: JobContext): Promise<string> {
  const text = await readSmallFile(ctx.job.tree, `${ctx.job.pkgpath}/DESCR`, 64 * 1024).catch(() => undefined);
  return text?.toString('utf8') ?? '';
}

/** Sum of the installed dependencies' +SIZE_PKG, read from the sandbox's package database (which the sandbox wrote). */
async function dependencySize(ctx: JobContext): Promise<number> {
  let total = 0;
  for (const dep of ctx.job.dependencies) {
    const text = (await readSmallFile(ctx.scratch.prefix, `.pkgdb/${dep.pkgname}/+SIZE_PKG`, 64).catch(() => undefined))?.toString('utf8').trim();
    total += text !== undefined && /^\d+$/.test(text) ? Number(text) : 0;
  }
  return total;
}
