// pkgsrc's ports, built as pbulk's pkg-build builds them: a fresh PREFIX
// from the bootstrap kit and the dependencies pkg_add'ed from the
// repository (depends), then bmake's stages, each with its own log:
// checksum, configure, build, install (stage-install), package
// (stage-package-create), and install-test (pkg-build's test pkg_add and
// pkg_delete of the result), skipped for BOOTSTRAP_PKG. USERGROUP_PHASE
// adds a usergroup phase where pkg-build runs create-usergroup.
//
// A job whose package runs install scripts or installs outside PREFIX
// (rc.subr puts files in /etc), or that creates users, gets a /etc of its
// own for what follows (pkgsrc-etc.ts); the host's is never written.
//
// What pkgsrc does as root (pkg_add, pkg_delete, creating users,
// packaging, installing a port that is not user-destdir) runs as root of
// its own user namespace; the stages that run the port's own build run as
// the build user with PREFIX read-only. The tree is read-only, the work
// directory (WRKOBJDIR) the job's own.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { type PkgsrcBuildFacts, pkgsrcBuildFacts, type UsergroupStage } from '../core/job/pkgsrc-build-facts.js';
import type { BootstrapKit } from './bootstrap-kit.js';
import type { BuildJob } from '../job/build-job.js';
import { type Builder, makeBuilder } from './builder.js';
import type { JobMount } from './bwrap-mounts.js';
import { INPUT_FD_BASE } from './bwrap-run.js';
import { linkPackages, packageTouchesSystem, PACKAGES_DIR, takePackage } from './pkgsrc-package.js';
import { pkgsrcTokenArgs } from './pkgsrc-jobserver.js';
import { PKGSRC_DEPENDS, PKGSRC_INSTALL_TEST, PKGSRC_MAKE, PKGSRC_PACKAGE, PKGSRC_USERGROUP } from './pkgsrc-scripts.js';
import { copyEtc, ETC_COPY } from './pkgsrc-etc.js';
import type { JobContext, Recipe, RecipePhase, SandboxStep } from './recipe.js';
import { STEP_OK } from './recipe.js';
import { defaultSandboxConfig, SANDBOX } from './sandbox-config.js';

export interface PkgsrcSetup {
  /** The bootstrap kit on this host: every job's PREFIX starts as a fresh copy of it. */
  readonly kit: BootstrapKit;
  /** bmake as the sandbox runs it (from the fresh PREFIX, usually). */
  readonly make: string;
  /** DISTDIR, where kiln's fetch jobs put the distfiles, shown read-only; absent: pkgsrc's own (the tree's distfiles/). */
  readonly distdir?: string;
}

/** Where things are inside a pkgsrc job's sandbox. */
const AT = {
  /** The dependencies' package files, read-only: PKG_PATH. */
  packages: '/build/packages',
  package: `${SANDBOX.destdir}/package.tgz`,
} as const;


type Who = 'root' | 'user';

/** One job's pkgsrc facts, and whether it has a /etc of its own by now. */
interface PkgsrcJob {
  readonly setup: PkgsrcSetup;
  readonly facts: PkgsrcBuildFacts;
  privateEtc: boolean;
}
type SandboxPhase = Extract<RecipePhase, { kind: 'sandbox' }>;

/** This host's builder for pkgsrc jobs: every sandbox's PREFIX is the kit's. */
export function pkgsrcBuilder(setup: PkgsrcSetup): Builder {
  const builder = makeBuilder(defaultSandboxConfig(), { recipeFor: (job) => pkgsrcRecipe(setup, job) });
  return (job, options) => builder({ ...job, prefix: setup.kit.prefix }, options);
}

export function pkgsrcRecipe(setup: PkgsrcSetup, job: BuildJob): Recipe {
  const read = pkgsrcBuildFacts(job.block ?? {});
  if (!read.ok) {
    return { name: 'pkgsrc', phases: [{ kind: 'host', phase: 'depends', run: () => Promise.resolve({ ok: false, failure: { kind: 'failed', error: read.reason } }) }] };
  }
  const facts = read.facts;
  const pkgsrc: PkgsrcJob = { setup, facts, privateEtc: facts.usergroupBefore !== undefined };
  const stage = (phase: string, step: (ctx: JobContext) => SandboxStep): SandboxPhase => ({ kind: 'sandbox', phase, step });
  const make = (ctx: JobContext, target: string, who: Who): SandboxStep =>
    sandboxStep(pkgsrc, ctx, who, [PKGSRC_MAKE, 'kiln-make', ...makeArgv(setup, facts, ctx, target)]);
  const usergroup = (before: UsergroupStage): SandboxPhase[] => (facts.usergroupBefore !== before ? [] : [
    stage('usergroup', (ctx) => sandboxStep(pkgsrc, ctx, 'root',
      [PKGSRC_USERGROUP, 'kiln-usergroup', before === 'configure' ? 'clean' : 'keep', ...makeArgv(setup, facts, ctx, undefined)])),
  ]);
  const tools = `${setup.kit.prefix}/sbin`;
  const phases: SandboxPhase[] = [
    {
      kind: 'sandbox', phase: 'depends',
      before: async (ctx, log) => {
        const linked = await linkPackages(ctx, log);
        return linked.ok && pkgsrc.privateEtc ? copyEtc(ctx, log) : linked;
      },
      step: (ctx) => dependsStep(pkgsrc, ctx),
    },
    stage('checksum', (ctx) => make(ctx, 'checksum', 'user')),
    ...usergroup('configure'),
    stage('configure', (ctx) => make(ctx, 'configure', 'user')),
    ...usergroup('build'),
    stage('build', (ctx) => ({ ...make(ctx, 'all', 'user'), jobserver: true, tokenArgs: pkgsrcTokenArgs })),
    ...usergroup('install'),
    stage('install', (ctx) => make(ctx, 'stage-install', facts.userDestdir ? 'user' : 'root')),
    {
      ...stage('package', (ctx) => sandboxStep(pkgsrc, ctx, 'root', [PKGSRC_PACKAGE, 'kiln-package', AT.package, ...makeArgv(setup, facts, ctx, undefined)])),
      after: async (ctx, log) => {
        if (pkgsrc.privateEtc || facts.bootstrap) return { ok: true };
        const touches = await packageTouchesSystem(join(ctx.scratch.destdir, 'package.tgz'), setup.kit.prefix);
        if (touches === undefined) return { ok: true };
        await log.note(`the package ${touches}: its test install gets a /etc of its own`);
        pkgsrc.privateEtc = true;
        return copyEtc(ctx, log);
      },
    },
  ];
  if (!facts.bootstrap) {
    phases.push(stage('install-test', (ctx) => sandboxStep(pkgsrc, ctx, 'root', [PKGSRC_INSTALL_TEST, 'kiln-install-test', tools, AT.packages, AT.package, ctx.job.pkgname])));
  }
  // The package goes into the repository once every test passed, as pkg-build's sync_package.
  const last = phases.pop()!;
  const before = last.after;
  phases.push({
    ...last,
    after: async (ctx, log) => {
      const done = before === undefined ? STEP_OK : await before(ctx, log);
      return done.ok ? takePackage(ctx, log, join(ctx.scratch.destdir, 'package.tgz')) : done;
    },
  });
  return { name: 'pkgsrc', phases };
}

/** bmake and its arguments in the port's directory: pkg-build's run_make. `target` undefined: the script adds its own. */
function makeArgv(setup: PkgsrcSetup, facts: PkgsrcBuildFacts, ctx: JobContext, target: string | undefined): string[] {
  return [
    setup.make, ...(target === undefined ? [] : [target]),
    'BATCH=1', 'DEPENDS_TARGET=/nonexistent', `WRKOBJDIR=${SANDBOX.work}`,
    `MAKE_JOBS=${Math.max(1, Math.floor(ctx.job.makeJobs))}`,
    ...(setup.distdir === undefined ? [] : [`DISTDIR=${setup.distdir}`]),
    ...facts.multiVersion,
  ];
}

/** The kit as a descriptor (INPUT_FD_BASE), then the pkg_add of the direct dependencies from PKG_PATH. */
function dependsStep(pkgsrc: PkgsrcJob, ctx: JobContext): SandboxStep {
  const { setup, facts } = pkgsrc;
  const program = [PKGSRC_DEPENDS, 'kiln-depends', setup.kit.prefix, `${setup.kit.prefix}/sbin`, String(INPUT_FD_BASE), AT.packages, ...facts.depends];
  return { ...sandboxStep(pkgsrc, ctx, 'root', program), inputFiles: [setup.kit.file] };
}

function sandboxStep(pkgsrc: PkgsrcJob, ctx: JobContext, who: Who, program: readonly string[]): SandboxStep {
  const { job, prefix } = ctx;
  const { setup } = pkgsrc;
  const root = who === 'root';
  const mounts: JobMount[] = [
    { source: job.tree, dest: job.tree, writable: false },
    ...(job.portDir === undefined ? [] : [{ source: job.portDir, dest: join(job.tree, job.pkgpath), writable: false }]),
    { source: join(ctx.scratch.root, PACKAGES_DIR), dest: AT.packages, writable: false },
  ];
  // Kiln's fetch jobs made it, with what the port needs, when the port has distfiles.
  if (setup.distdir !== undefined && existsSync(setup.distdir)) mounts.push({ source: setup.distdir, dest: setup.distdir, writable: false });
  if (pkgsrc.privateEtc) mounts.push({ source: join(ctx.scratch.root, ETC_COPY), dest: '/etc', writable: root });
  return {
    argv: ['/bin/bash', '-c', ...program],
    env: {
      PATH: `${prefix}/bin:${prefix}/sbin:/usr/bin:/bin:/usr/sbin:/sbin`,
      HOME: SANDBOX.home,
      TMPDIR: SANDBOX.tmp,
    },
    cwd: join(job.tree, job.pkgpath),
    writable: { prefix: root, work: true, destdir: root },
    inputFiles: [],
    mounts,
    asRoot: root,
  };
}
