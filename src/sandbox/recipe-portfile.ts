// kiln's own trees: `depends` extracts the dependency packages into a fresh
// PREFIX, `build` and `install` source the Portfile in a fixed bash program
// and call its function, `package` is kiln's packager.

import { copyFile, link, lstat, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { isExtracted } from '../core/distfiles/distinfo.js';
import { INPUT_FD_BASE } from './bwrap-run.js';
import { DISTCC_COMPILERS } from './distcc-relay.js';
import type { PhaseLog } from './job-log.js';
import { packagePhase } from './package-phase.js';
import { copyPortDir } from './port-copy.js';
import type { JobContext, Recipe, SandboxStep, StepResult } from './recipe.js';
import { STEP_OK } from './recipe.js';
import { INSTALL_DEPENDENCIES, PORTFILE_PHASE } from './runner-scripts.js';
import { SANDBOX } from './sandbox-config.js';

export const portfileRecipe: Recipe = {
  name: 'portfile',
  phases: [
    { kind: 'sandbox', phase: 'depends', step: dependsStep },
    { kind: 'sandbox', phase: 'build', before: async (ctx, log) => { const copied = await copyPort(ctx, log); return copied.ok ? stageDistfiles(ctx, log) : copied; }, step: (ctx) => portfileStep(ctx, 'build') },
    { kind: 'sandbox', phase: 'install', step: (ctx) => portfileStep(ctx, 'install') },
    { kind: 'host', phase: 'package', run: packagePhase },
  ],
};

function dependsStep(ctx: JobContext): SandboxStep | undefined {
  const deps = ctx.job.dependencies;
  if (deps.length === 0) return undefined;
  return {
    argv: ['/bin/bash', '-c', INSTALL_DEPENDENCIES, 'kiln-depends', ...deps.flatMap((dep, i) => [dep.pkgname, String(INPUT_FD_BASE + i)])],
    env: { PREFIX: ctx.prefix, PATH: '/usr/bin:/bin:/usr/sbin:/sbin', HOME: SANDBOX.home, TMPDIR: SANDBOX.tmp },
    cwd: SANDBOX.home,
    writable: { prefix: true, work: false, destdir: false },
    inputFiles: deps.map((dep) => dep.file),
    counted: false,
  };
}

function portfileStep(ctx: JobContext, phase: 'build' | 'install'): SandboxStep {
  const { prefix } = ctx;
  const distfiles = ctx.job.distfiles ?? [];
  const extract = phase === 'build' ? distfiles.map((d) => d.name).filter(isExtracted) : [];
  return {
    argv: ['/bin/bash', '-c', PORTFILE_PHASE, `kiln-${phase}`, `${SANDBOX.work}/Portfile`, phase, ...extract],
    env: {
      DISTDIR: SANDBOX.distdir,
      PREFIX: prefix,
      DESTDIR: SANDBOX.destdir,
      WRKSRC: SANDBOX.work,
      MAKE_JOBS: String(Math.max(1, Math.floor(ctx.job.makeJobs))),
      PATH: `${prefix}/bin:${prefix}/sbin:/usr/bin:/bin:/usr/sbin:/sbin`,
      HOME: SANDBOX.home,
      TMPDIR: SANDBOX.tmp,
      ...(phase === 'build' && ctx.distcc !== undefined && DISTCC_COMPILERS),
    },
    cwd: SANDBOX.work,
    writable: { prefix: false, work: true, destdir: true },
    inputFiles: [],
    jobserver: phase === 'build',
    mounts: distfiles.length === 0 ? [] : [{ source: stagedDistdir(ctx), dest: SANDBOX.distdir, writable: false }],
  };
}

/** WRKSRC is a copy of the port directory (port-copy.ts): nothing in it is followed. */
async function copyPort(ctx: JobContext, log: PhaseLog): Promise<StepResult> {
  const copied = await copyPortDir(ctx.job.tree, ctx.job.pkgpath, ctx.scratch.work, ctx.config.buildUser);
  if (copied.ok) return STEP_OK;
  await log.note(copied.detail);
  return copied.kind === 'port'
    ? { ok: false, failure: { kind: 'failed', error: 'unsupported file' } }
    : { ok: false, failure: { kind: 'infrastructure', reason: copied.detail } };
}

/** The job's DISTDIR: its distfiles, linked (or copied) from the host's DISTDIR into the scratch directory, which the build user can reach. */
function stagedDistdir(ctx: JobContext): string {
  return join(ctx.scratch.root, 'distfiles');
}

async function stageDistfiles(ctx: JobContext, log: PhaseLog): Promise<StepResult> {
  const distfiles = ctx.job.distfiles ?? [];
  if (distfiles.length === 0) return STEP_OK;
  try {
    for (const { name, file } of distfiles) {
      const at = join(stagedDistdir(ctx), name);
      await mkdir(dirname(at), { recursive: true, mode: 0o755 });
      if (!(await lstat(file)).isFile()) throw new Error(`${file} is not a regular file`);
      await link(file, at).catch(() => copyFile(file, at, 1 /* COPYFILE_EXCL */));
    }
  } catch (err) {
    await log.note(`cannot stage the distfiles: ${(err as Error).message}`);
    return { ok: false, failure: { kind: 'infrastructure', reason: `cannot stage the distfiles of ${ctx.job.pkgname}: ${(err as Error).message}` } };
  }
  return STEP_OK;
}
