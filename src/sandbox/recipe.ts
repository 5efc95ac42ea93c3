// How a kind of tree builds a package, as phases. The builder owns what is
// common (scratch directory, logs, timing, timeout, cancel, clean-up); a
// recipe says what each phase runs. kiln's Portfile trees are one recipe
// (recipe-portfile.ts); pkgsrc (a bootstrap kit unpacked into PREFIX,
// pkg_add of the dependencies, bmake's stages, bmake package) is another
// file beside it, implementing the same interface.

import type { Phase } from '../core/model.js';
import type { BuildJob } from '../job/build-job.js';
import type { JobMount } from './bwrap-mounts.js';
import type { PhaseLog } from './job-log.js';
import type { JobScratch } from './scratch.js';
import type { JobCgroup } from './job-cgroup.js';
import type { JobTokens } from './jobserver.js';
import type { SandboxConfig } from './sandbox-config.js';
import type { DistccRelay } from './distcc-relay.js';

export interface JobContext {
  readonly job: BuildJob;
  readonly prefix: string;
  readonly scratch: JobScratch;
  readonly config: SandboxConfig;
  /** Where the job's processes are counted, when the host allows it. */
  readonly cgroup: JobCgroup | undefined;
  /** The job's place in the host's make jobserver, when it has one. */
  readonly tokens?: JobTokens;
  /** The relay to the host's distcc farm, for a job that compiles there (distcc-relay.ts). */
  readonly distcc?: Pick<DistccRelay, 'mounts' | 'env'>;
}

/** What a phase's sandbox runs, and which job directories it may write. */
export interface SandboxStep {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly writable: { readonly prefix: boolean; readonly work: boolean; readonly destdir: boolean };
  /** Host files opened for the program, given as descriptors INPUT_FD_BASE (4), 5, ... in this order. */
  readonly inputFiles: readonly string[];
  /** More host paths shown in the sandbox (the tree, the bootstrap kit, dependency packages). */
  readonly mounts?: readonly JobMount[];
  /**
   * Runs as root of a user namespace of its own (uid 0 inside, the build
   * user outside), for what pkgsrc does as root: pkg_add, pkg_delete,
   * creating users. Otherwise the build user's own uid.
   */
  readonly asRoot?: boolean;
  /** Give it the job's make jobserver pipe and MAKEFLAGS naming it (when the job has one), and the distcc relay (when it has one): the step that compiles. */
  readonly jobserver?: boolean;
  /**
   * With `jobserver`: the pipe is named by these words added to the step's
   * command line (the pipe as descriptor `fd`, the host's `cores`) instead
   * of MAKEFLAGS, which pkgsrc's bmake would read as flags of its own.
   */
  readonly tokenArgs?: (fd: number, cores: number) => readonly string[];
  /**
   * Whether its processes join the job's cgroup, to count in the job's peak
   * memory (default yes). Not for kiln's own fixed programs that run no
   * port code (installing the dependencies): their memory says nothing of
   * the port, and each join is a cgroup move, several ms (bench:sandbox).
   */
  readonly counted?: boolean;
}

/** How a step ended when it did not succeed. */
export type StepFailure =
  /** The port's fault: the phase failed, `error` is its coarse class. */
  | { readonly kind: 'failed'; readonly error: string }
  /** Not the port's fault: the job may be retried. */
  | { readonly kind: 'infrastructure'; readonly reason: string; readonly full?: string };

export type StepResult =
  /** `packageFile`: the package the step put into the repository. */
  | { readonly ok: true; readonly packageFile?: string }
  | { readonly ok: false; readonly failure: StepFailure };

export const STEP_OK: StepResult = { ok: true };

export type RecipePhase =
  | {
      readonly kind: 'sandbox';
      readonly phase: Phase;
      /** Host work first (copying the port, say), counted in the phase. */
      readonly before?: (ctx: JobContext, log: PhaseLog) => Promise<StepResult>;
      /** undefined: nothing to run in this job (no dependencies, say). */
      readonly step: (ctx: JobContext) => SandboxStep | undefined;
      /** Host work once the step succeeded (taking the package it made, say), counted in the phase. */
      readonly after?: (ctx: JobContext, log: PhaseLog) => Promise<StepResult>;
    }
  | {
      readonly kind: 'host';
      readonly phase: Phase;
      /** Work kiln does itself, outside any sandbox, on files the sandbox wrote. */
      readonly run: (ctx: JobContext, log: PhaseLog, signal: AbortSignal) => Promise<StepResult>;
    };

export interface Recipe {
  readonly name: string;
  readonly phases: readonly RecipePhase[];
}
