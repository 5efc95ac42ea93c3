// The package a pkgsrc job made, taken from its scratch directory into the
// repository: opened without following a symlink the build may have left
// there (nor blocking on a FIFO), copied under a temporary name, then
// renamed, so a reader never sees half a package. On the way it gets the
// job's build-inputs record in its +BUILD_INFO (package-stamp.ts), as
// kiln's own packages have it: any later run over the repository knows
// what it was built from.

import { chmod, copyFile, link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, posix } from 'node:path';
import { createGunzip } from 'node:zlib';

import { fullIn } from '../core/model.js';
import { TarScanner } from '../core/package-format/tar-scanner.js';

import type { PhaseLog } from './job-log.js';
import { READ_NO_FOLLOW } from './no-follow.js';
import { copyStamped } from './package-stamp.js';
import type { JobContext, StepResult } from './recipe.js';

/** The directory of the job's scratch directory holding its dependencies' packages. */
export const PACKAGES_DIR = 'packages';

/**
 * The dependencies' package files, where the sandbox shows them read-only
 * as PKG_PATH: hard links into the scratch directory (no copy, and the
 * build user needs no access to the repository), copies across file systems.
 */
export async function linkPackages(ctx: JobContext, log: PhaseLog): Promise<StepResult> {
  const dir = join(ctx.scratch.root, PACKAGES_DIR);
  try {
    await mkdir(dir, { mode: 0o755 });
    let copied = 0;
    for (const dep of ctx.job.dependencies) {
      const to = join(dir, `${dep.pkgname}.tgz`);
      await link(dep.file, to).catch(async () => {
        copied++;
        await copyFile(dep.file, to);
        await chmod(to, 0o644);
      });
    }
    if (copied > 0) await log.note(`${copied} of ${ctx.job.dependencies.length} dependency packages copied (the repository is on another file system)`);
    return { ok: true };
  } catch (err) {
    return { ok: false, failure: { kind: 'infrastructure', reason: `cannot give the job its dependencies' packages: ${(err as Error).message}` } };
  }
}

export async function takePackage(ctx: JobContext, log: PhaseLog, made: string): Promise<StepResult> {
  const { packageDir, pkgname } = ctx.job;
  let source;
  try {
    source = await open(made, READ_NO_FOLLOW);
  } catch (err) {
    await log.note(`no package where the package phase puts it: ${(err as Error).message}`);
    return { ok: false, failure: { kind: 'failed', error: 'no package' } };
  }
  const target = join(packageDir, `${pkgname}.tgz`);
  const temp = join(packageDir, `.kiln.tgz.${process.pid}-${randomBytes(4).toString('hex')}`); // short: a pkgname may be 251 bytes
  try {
    const info = await source.stat();
    if (!info.isFile()) {
      await log.note('the package phase left something other than a file as the package');
      return { ok: false, failure: { kind: 'failed', error: 'no package' } };
    }
    await mkdir(packageDir, { recursive: true });
    const out = await open(temp, 'wx', 0o644);
    let unstamped: string | undefined;
    let size: number;
    try {
      unstamped = await copyStamped(source, out, ctx.job.metadata.inputs);
      size = (await out.stat()).size;
    } finally {
      await out.close();
    }
    await chmod(temp, 0o644);
    await rename(temp, target);
    if (unstamped !== undefined) await log.note(`the package goes in without kiln's build-inputs record (${unstamped}): only this run directory knows what it was built from`);
    await log.note(`wrote ${target}: ${size} bytes${unstamped === undefined ? ', KILN_INPUTS added to its +BUILD_INFO' : ''}`);
    return { ok: true, packageFile: target };
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    return { ok: false, failure: { kind: 'infrastructure', reason: `cannot put ${pkgname}.tgz into ${packageDir}: ${(err as Error).message}`, ...fullIn(err, packageDir) } };
  } finally {
    await source.close();
  }
}

/**
 * What a package does outside PREFIX when pkg_add installs it, in words,
 * or undefined: install or deinstall scripts, @exec commands, files under
 * another @cwd. Read from its leading +files (the rest is not unpacked).
 */
export async function packageTouchesSystem(file: string, prefix: string): Promise<string | undefined> {
  const meta = new Map<string, string>();
  const handle = await open(file, READ_NO_FOLLOW).catch(() => undefined);
  if (handle === undefined) return undefined;
  const scanner = new TarScanner((path) => path.startsWith('+'));
  const gunzip = createGunzip();
  try {
    const input = handle.createReadStream({ autoClose: false });
    input.on('error', (err) => gunzip.destroy(err));
    input.pipe(gunzip);
    reading: for await (const chunk of gunzip) {
      const step = scanner.push(chunk as Buffer);
      if (step.error !== undefined) break;
      for (const member of step.members) {
        if (!member.path.startsWith('+')) break reading;
        if (member.data !== undefined) meta.set(member.path, Buffer.from(member.data).toString('utf8'));
      }
      if (step.ended) break;
    }
  } catch {
    return undefined;
  } finally {
    gunzip.destroy();
    await handle.close();
  }
  const scripts = ['+INSTALL', '+DEINSTALL'].filter((name) => meta.has(name));
  if (scripts.length > 0) return `has ${scripts.join(' and ')}`;
  for (const line of (meta.get('+CONTENTS') ?? '').split('\n')) {
    if (line.startsWith('@exec ') || line.startsWith('@unexec ')) return `runs ${line.split(' ')[0]!} commands`;
    if (line.startsWith('@cwd ') && posix.normalize(line.slice(5).trim()) !== prefix) return `installs under ${line.slice(5).trim()}`;
  }
  return undefined;
}
