// Builds one package in a clean sandbox: a scratch directory, the recipe's
// phases in order (each with its log and its wall and CPU seconds), the
// package into the repository, the scratch directory removed. Expected
// failures come back as data: the port's (`failed`, with the phase and a
// coarse class) or the host's (`infrastructure`, with what and where).

import { fullIn, type PhaseTiming } from '../core/model.js';
import type { BuildJob, BuildReport } from '../job/build-job.js';
import { checkJob } from './job-check.js';
import { type JobCgroup, openJobCgroup } from './job-cgroup.js';
import { JobLog } from './job-log.js';
import { type DistccRelay, openDistccRelay } from './distcc-relay.js';
import { hostJobserver, jobserverNote, type JobTokens, openJobPipe } from './jobserver.js';
import { runPhase } from './phase-runner.js';
import type { JobContext, Recipe } from './recipe.js';
import { portfileRecipe } from './recipe-portfile.js';
import type { SandboxConfig } from './sandbox-config.js';
import { DEFAULT_PREFIX, defaultSandboxConfig } from './sandbox-config.js';
import type { JobScratch } from './scratch.js';
import { createScratch, removeScratch } from './scratch.js';

export interface BuildOptions {
  /** Aborting kills every process of the job at once; the report says `cancelled`. */
  readonly signal: AbortSignal;
  /** Called as each phase starts. */
  readonly onPhase?: (phase: string) => void;
  /** Called (at most once a second) while output comes that the log cap leaves out: the job is not stuck. */
  readonly onOutput?: () => void;
  /** Directory the job's scratch directory is made in (default: os.tmpdir()). */
  readonly scratch?: string;
}

export type Builder = (job: BuildJob, options: BuildOptions) => Promise<BuildReport>;

export interface BuilderSetup {
  /** Which recipe builds a job; kiln's Portfile recipe by default. */
  readonly recipeFor?: (job: BuildJob) => Recipe;
  /** Sees the pid (process group) of every sandbox started: for benchmarks and tests. */
  readonly onSpawn?: (pid: number) => void;
}

export function makeBuilder(config: SandboxConfig, setup: BuilderSetup = {}): Builder {
  return (job, options) => build(config, setup, job, options);
}

let defaultBuilder: Builder | undefined;

/** Builds `job` with this host's default sandbox (see sandbox-config.ts). */
export function buildPackage(job: BuildJob, options: BuildOptions): Promise<BuildReport> {
  defaultBuilder ??= makeBuilder(defaultSandboxConfig());
  return defaultBuilder(job, options);
}

const MAX_TIMER_MS = 2 ** 31 - 1;

async function build(config: SandboxConfig, setup: BuilderSetup, job: BuildJob, options: BuildOptions): Promise<BuildReport> {
  if (options.signal.aborted) return cancelled(options.signal);
  const prefix = job.prefix ?? DEFAULT_PREFIX;
  const invalid = checkJob(job, prefix, config);
  if (invalid !== undefined) {
    return invalid.kind === 'failed'
      ? { outcome: { kind: 'failed', phase: 'depends', error: invalid.error, phases: [] } }
      : { outcome: { kind: 'infrastructure', reason: invalid.reason } };
  }
  const recipe = setup.recipeFor?.(job) ?? portfileRecipe;
  const stop = new AbortController();
  let ended: 'timeout' | 'cancelled' | undefined;
  const onCancel = (): void => {
    ended ??= 'cancelled';
    stop.abort(options.signal.reason);
  };
  options.signal.addEventListener('abort', onCancel, { once: true });
  const timer = job.timeoutS > 0 && Number.isFinite(job.timeoutS)
    ? setTimeout(() => {
      ended ??= 'timeout';
      stop.abort(new Error(`timeout after ${job.timeoutS} s`));
    }, Math.min(job.timeoutS * 1000, MAX_TIMER_MS))
    : undefined;
  let log: JobLog | undefined;
  let scratch: JobScratch | undefined;
  let cgroup: JobCgroup | undefined;
  let relay: DistccRelay | undefined;
  let tokens: (JobTokens & { leave(): number | undefined }) | undefined;
  /** The most make jobs the build ran at once, once it has left the jobserver. */
  let most: number | undefined;
  const leaveJobserver = (): void => {
    most ??= tokens?.leave();
    tokens = undefined;
  };
  const measured = async (report: BuildReport): Promise<BuildReport> => {
    if (report.outcome.kind === 'infrastructure') return report;
    leaveJobserver(); // its cores go to the other builds now, not once its scratch is walked and removed
    const memoryMiB = cgroup?.peakMiB();
    const removing = scratch;
    scratch = undefined;
    const diskMiB = removing === undefined ? undefined : await removeScratch(removing);
    return { ...report, ...(memoryMiB !== undefined && { memoryMiB }), ...(diskMiB !== undefined && { diskMiB }) };
  };
  try {
    try {
      log = await JobLog.open(job, options.onOutput);
    } catch (err) {
      return { outcome: { kind: 'infrastructure', reason: `cannot write the job's log ${job.logFile}: ${(err as Error).message}`, ...fullIn(err, job.logDir) } };
    }
    const made = await createScratch(options.scratch ?? config.scratchBase, config.buildUser);
    if (!made.ok) {
      await log.footer(made.reason);
      return { outcome: { kind: 'infrastructure', reason: made.reason } };
    }
    scratch = made.scratch;
    cgroup = openJobCgroup(job.pkgname, config.buildUser);
    tokens = joinJobserver(job);
    if (job.distcc !== undefined && job.distcc.length > 0) {
      const opened = await openDistccRelay(job.distcc, config.buildUser);
      if (!opened.ok) {
        await log.footer(opened.reason);
        return { outcome: { kind: 'infrastructure', reason: opened.reason } };
      }
      relay = opened.relay;
      await log.note(`distcc: compiling on ${job.distcc.map((s) => `${s.host}:${s.port}/${s.limit}`).join(', ')} through kiln's relay; ${job.makeJobs} make jobs`);
    }
    const ctx: JobContext = {
      job, prefix, scratch, config, cgroup, ...(tokens !== undefined && job.jobserver?.parallel === true && { tokens }), ...(relay !== undefined && { distcc: relay }),
    };
    const phases: PhaseTiming[] = [];
    let packageFile: string | undefined;
    for (const phase of recipe.phases) {
      options.onPhase?.(phase.phase);
      const { timing, result } = await runPhase(ctx, phase, log, { stop: stop.signal, ...(setup.onSpawn !== undefined && { onSpawn: setup.onSpawn }) });
      phases.push(timing);
      if (ended === 'cancelled') {
        const report = cancelled(options.signal);
        await log.footer(report.outcome.kind === 'infrastructure' ? report.outcome.reason : 'cancelled');
        return report;
      }
      if (ended === 'timeout') {
        await log.footer(`timeout: the job's ${job.timeoutS} s ran out in ${phase.phase}`);
        return await measured({ outcome: { kind: 'failed', phase: phase.phase, error: 'timeout', phases } });
      }
      if (!result.ok) {
        return await measured(result.failure.kind === 'failed'
          ? { outcome: { kind: 'failed', phase: phase.phase, error: result.failure.error, phases } }
          : { outcome: result.failure });
      }
      packageFile = result.packageFile ?? packageFile;
    }
    return await measured({ outcome: { kind: 'built', phases }, ...(packageFile !== undefined && { packageFile }) });
  } catch (err) {
    // A system call failing (a full log disk, say) is the host's problem; anything else is a bug.
    const { code, path } = err as NodeJS.ErrnoException;
    if (typeof code !== 'string') throw err;
    return { outcome: { kind: 'infrastructure', reason: `${job.pkgname}: ${(err as Error).message}`, ...fullIn(err, path ?? job.logDir) } };
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onCancel);
    cgroup?.remove();
    leaveJobserver();
    if (most !== undefined && job.jobserver?.parallel === true) {
      await log?.note(jobserverNote(job.makeJobs, job.jobserver.cores, most));
    }
    if (relay !== undefined && job.distcc !== undefined) {
      await relay.close();
      const sent = relay.sent();
      await log?.note(`distcc: ${sent.reduce((a, b) => a + b, 0)} compilations sent (${job.distcc.map((s, i) => `${s.host}: ${sent[i] ?? 0}`).join(', ')})`);
    }
    if (scratch !== undefined) await removeScratch(scratch);
    await log?.close();
  }
}

/** The job's place in this host's jobserver: the pipe another process made for it (the agent's, remotely), else this process's own. */
function joinJobserver(job: BuildJob): (JobTokens & { leave(): number | undefined }) | undefined {
  const server = job.jobserver;
  if (server === undefined) return undefined;
  if (server.pipe !== undefined) return openJobPipe(server.pipe, server.cores);
  return hostJobserver(server.cores).join(job.makeJobs, server.priority, server.parallel);
}

function cancelled(signal: AbortSignal): BuildReport {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
  return { outcome: { kind: 'infrastructure', reason: `cancelled: ${why}` } };
}
