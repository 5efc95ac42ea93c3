// Turns the engine's job into a BuildJob: the sandbox's packages, the
// package's metadata, and the run directory's stable log paths
// (`packages/<pkgname>.log`, `packages/<pkgname>/` for the files a remote
// host sends beside it, and `paths/<category>/<name>.log` pointing at the
// newest of the port's logs).

import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, existsSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

import type { Job } from '../core/engine/engine-events.js';
import type { Estimate, PkgName } from '../core/model.js';
import { dependencies, indexValue, type IndexEntry } from '../core/formats/pbulk-index.js';
import type { ResolvedPackage } from '../core/resolve/resolve.js';
import { sandboxContents } from '../core/job/sandbox-closure.js';
import { distfileNameProblem } from '../core/distfiles/distinfo.js';
import { scanInput } from '../ports/pkgsrc/scan-inputs.js';
import type { BuildJob } from '../job/build-job.js';
import { words } from '../fetch/port-distfiles.js';
import type { JobSetup } from './job-hooks.js';

export interface JobSetupContext {
  readonly tree: string;
  readonly logdir: string;
  /** The repository's `All` directory. */
  readonly allDir: string;
  readonly packages: ReadonlyMap<PkgName, ResolvedPackage>;
  readonly estimate: (pkgname: PkgName) => Estimate;
  readonly lastLogBytes: (pkgname: PkgName) => number | undefined;
  /** Seconds before a job is killed as `timeout`. */
  readonly timeoutS: (estimate: Estimate) => number;
  /** Seconds its log may stay still before it is stopped as `stuck`. */
  readonly stuckAfterS: (estimate: Estimate) => number;
  /** Bytes of output a job's log keeps (`--log-cap`). */
  readonly logCapBytes?: number;
  /** The host's make jobserver for this job (job-tokens.ts), when it gets one. */
  readonly jobserver?: (job: Job) => BuildJob['jobserver'];
  /** DISTDIR: where the fetch jobs put the ports' distfiles (a pkgsrc job has it mounted instead: recipe-pkgsrc.ts). */
  readonly distdir?: string;
}

/** The distfiles a package's block names (a Portfile port's; pkgsrc's blocks name none). */
export function distfilesOf(entry: IndexEntry): string[] {
  return words(indexValue(entry, 'DISTFILES'));
}

export function logPaths(logdir: string, pkgname: PkgName): { logFile: string; logDir: string } {
  return { logFile: join(logdir, 'packages', `${pkgname}.log`), logDir: join(logdir, 'packages', pkgname) };
}

export function setupJob(job: Job, ctx: JobSetupContext): JobSetup {
  const pkg = ctx.packages.get(job.pkgname);
  if (!pkg) throw new Error(`no package ${job.pkgname} in the plan`);
  const { logFile, logDir } = logPaths(ctx.logdir, job.pkgname);
  keepEarlierAttempt(logFile, logDir);
  linkPathLog(ctx.logdir, job.pkgpath, logFile);
  const contents = sandboxContents(job.pkgname, (name) => ctx.packages.get(name));
  const run = new Set(pkg.runDepends ?? pkg.depends);
  const estimate = ctx.estimate(job.pkgname);
  const buildJob: BuildJob = {
    pkgname: job.pkgname, pkgpath: job.pkgpath, tree: ctx.tree,
    dependencies: contents.map((name) => ({ pkgname: name, file: join(ctx.allDir, `${name}.tgz`) })),
    makeJobs: job.makeJobs, timeoutS: ctx.timeoutS(estimate), logDir, logFile, packageDir: ctx.allDir,
    ...(ctx.logCapBytes !== undefined && { logCapBytes: ctx.logCapBytes }),
    ...withJobserver(ctx.jobserver?.(job)),
    ...(indexValue(pkg.entry, 'USE_DISTCC') === 'yes' && { useDistcc: true }),
    metadata: {
      comment: indexValue(pkg.entry, 'COMMENT') ?? '',
      categories: indexValue(pkg.entry, 'CATEGORIES') ?? '',
      maintainer: indexValue(pkg.entry, 'MAINTAINER') ?? '',
      homepage: indexValue(pkg.entry, 'HOMEPAGE') ?? '',
      license: indexValue(pkg.entry, 'LICENSE') ?? '',
      runDepends: dependencies(pkg.entry, pkg.runDepends ? 'RUN_DEPENDS' : 'ALL_DEPENDS').deps.map((d) => d.pattern),
      buildDepends: pkg.depends.filter((d) => !run.has(d)),
    },
    block: presolveBlock(pkg),
    reads: treeReads(ctx.tree, job.pkgpath, indexValue(pkg.entry, 'SCAN_DEPENDS') ?? ''),
    distfiles: ctx.distdir === undefined ? [] : distfilesOf(pkg.entry).map((name) => ({ name, file: distfileIn(ctx.distdir!, name) })),
  };
  return { buildJob, expectedS: estimate.wallS, lastLogBytes: ctx.lastLogBytes(job.pkgname), stuckAfterS: ctx.stuckAfterS(estimate) };
}

/** `name` under DISTDIR; the fetch refused a port with a name that could leave it, so one here is a bug. */
function distfileIn(distdir: string, name: string): string {
  const problem = distfileNameProblem(name);
  if (problem !== undefined) throw new Error(`bad distfile name ${JSON.stringify(name)} reached a build: ${problem}`);
  return join(distdir, name);
}

/** The block pbulk's pkg-build reads: the index block without SCAN_DEPENDS, with the resolved DEPENDS. */
function presolveBlock(pkg: ResolvedPackage): Record<string, string> {
  const block: Record<string, string> = {};
  for (const [key, value] of pkg.entry.vars) if (key !== 'SCAN_DEPENDS') block[key] = value;
  block['DEPENDS'] = pkg.depends.join(' ');
  return block;
}

/** SCAN_DEPENDS as paths relative to the tree; what lies outside it (mk.conf under PREFIX) is left out. */
function treeReads(tree: string, pkgpath: string, scanDepends: string): string[] {
  return scanDepends.split(/\s+/).filter((w) => w !== '').map((w) => scanInput(tree, pkgpath, w)).filter((p) => !p.startsWith('/') && !p.startsWith('../'));
}

/**
 * Keeps an earlier attempt's logs as `<pkgname>.log.N` and `<pkgname>.N/`.
 * A PKGNAME near the 255-byte name limit has no room for the suffix: its
 * earlier logs are kept under a shortened name with a hash of the whole.
 */
export function keepEarlierAttempt(logFile: string, logDir: string): void {
  if (!existsSync(logFile)) return;
  const keptFile = roomyName(logFile, '.log');
  const keptDir = roomyName(logDir, '');
  let n = 1;
  while (existsSync(`${keptFile}.${n}`)) n++;
  renameSync(logFile, `${keptFile}.${n}`);
  if (existsSync(logDir)) renameSync(logDir, `${keptDir}.${n}`);
}

const NAME_MAX = 255;
/** Room kept for `.N`: up to 9,999 attempts. */
const SUFFIX_ROOM = 5;

/** `path`, or for a name with no room for `.N`, its first 200 characters, a hash of the whole, and `extension`. */
function roomyName(path: string, extension: string): string {
  const name = basename(path);
  if (Buffer.byteLength(name) + SUFFIX_ROOM <= NAME_MAX) return path;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return join(dirname(path), `${name.slice(0, 200)}-${hash}${extension}`);
}

/** `paths/<pkgpath>.log`: a symlink to the package's log. */
export function linkPathLog(logdir: string, pkgpath: string, logFile: string): void {
  const link = join(logdir, 'paths', `${pkgpath}.log`);
  mkdirSync(dirname(link), { recursive: true });
  rmSync(link, { force: true });
  symlinkSync(relative(dirname(link), logFile), link);
}

function withJobserver(jobserver: BuildJob['jobserver']): { jobserver?: NonNullable<BuildJob['jobserver']> } {
  return jobserver === undefined ? {} : { jobserver };
}
