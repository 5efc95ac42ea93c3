// Runs one phase of a recipe: its log, its host work, its sandbox, and what
// it cost. A sandbox phase's CPU time is bash's `times` inside the sandbox
// (the runner and every process it waited for, i.e. the whole build that
// did not daemonize); a host phase's is this Node process's CPU time while
// the phase ran.

import { closeSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { fullIn, type PhaseTiming } from '../core/model.js';
import type { JobMount } from './bwrap-mounts.js';
import { planMounts } from './bwrap-mounts.js';
import type { RunEnd } from './bwrap-run.js';
import { INPUT_FD_BASE, runInSandbox } from './bwrap-run.js';
import { hostView } from './host-view.js';
import type { JobLog, PhaseLog } from './job-log.js';
import type { JobContext, RecipePhase, SandboxStep, StepResult } from './recipe.js';
import { STEP_OK } from './recipe.js';
import { SANDBOX } from './sandbox-config.js';

export interface PhaseRun {
  readonly timing: PhaseTiming;
  readonly result: StepResult;
}

export interface PhaseHooks {
  /** Aborted on cancel or timeout. */
  readonly stop: AbortSignal;
  readonly onSpawn?: (pid: number) => void;
}

export async function runPhase(ctx: JobContext, phase: RecipePhase, log: JobLog, hooks: PhaseHooks): Promise<PhaseRun> {
  const wallStart = performance.now();
  await log.phase(phase.phase, hostname(), new Date());
  let cpuS = 0;
  let result: StepResult;
  if (phase.kind === 'host') {
    const cpuStart = process.cpuUsage();
    try {
      result = await phase.run(ctx, log, hooks.stop);
    } catch (err) {
      if (!hooks.stop.aborted) throw err;
      result = { ok: false, failure: { kind: 'failed', error: 'killed' } };
    }
    const used = process.cpuUsage(cpuStart);
    cpuS = (used.user + used.system) / 1e6;
  } else {
    result = phase.before === undefined ? STEP_OK : await phase.before(ctx, log);
    const step = result.ok ? phase.step(ctx) : undefined;
    if (step === undefined && result.ok) await log.note(`nothing to do in ${phase.phase}`);
    if (step !== undefined) ({ result, cpuS } = await runStep(ctx, phase.phase, step, log, hooks));
    if (result.ok && phase.after !== undefined && !hooks.stop.aborted) {
      const packageFile = result.packageFile;
      result = await phase.after(ctx, log);
      if (result.ok && result.packageFile === undefined && packageFile !== undefined) result = { ok: true, packageFile };
    }
  }
  const wallS = (performance.now() - wallStart) / 1000;
  const took = `${wallS.toFixed(2)} s`;
  await log.footer(hooks.stop.aborted ? `${phase.phase} stopped after ${took}`
    : result.ok ? `${phase.phase} done in ${took} (cpu ${cpuS.toFixed(2)} s)`
      : `${phase.phase} failed in ${took}: ${result.failure.kind === 'failed' ? result.failure.error : result.failure.reason}`);
  return { timing: { phase: phase.phase, wallS, cpuS }, result };
}

async function runStep(ctx: JobContext, name: string, step: SandboxStep, log: PhaseLog, hooks: PhaseHooks): Promise<{ result: StepResult; cpuS: number }> {
  const { scratch, prefix, config } = ctx;
  const mounts: JobMount[] = [
    { source: scratch.tmp, dest: SANDBOX.tmp, writable: true },
    { source: scratch.tmp, dest: SANDBOX.varTmp, writable: true },
    { source: scratch.home, dest: SANDBOX.home, writable: true },
    { source: scratch.work, dest: SANDBOX.work, writable: step.writable.work },
    { source: scratch.destdir, dest: SANDBOX.destdir, writable: step.writable.destdir },
    { source: scratch.prefix, dest: prefix, writable: step.writable.prefix },
    ...(step.mounts ?? []),
    ...(step.jobserver === true && ctx.distcc !== undefined ? ctx.distcc.mounts : []),
  ];
  const plan = planMounts({ hostPaths: config.hostPaths, hiddenPaths: config.hiddenPaths, mounts }, hostView);
  if (!plan.ok) return { result: infrastructure(`cannot lay out the sandbox: ${plan.reason}`), cpuS: 0 };
  const fds: number[] = [];
  try {
    for (const file of step.inputFiles) fds.push(openSync(file, 'r'));
  } catch (err) {
    fds.forEach((fd) => closeSync(fd));
    return { result: infrastructure(`cannot open ${(err as NodeJS.ErrnoException).path ?? 'an input file'} for ${name}: ${(err as Error).message}`), cpuS: 0 };
  }
  let tail = '';
  const tokens = step.jobserver === true ? ctx.tokens : undefined;
  const farm = step.jobserver === true ? ctx.distcc?.env : undefined;
  const stepEnv = farm === undefined ? step.env : { ...step.env, ...farm };
  const tokenFd = INPUT_FD_BASE + fds.length;
  const env = tokens === undefined || step.tokenArgs !== undefined ? stepEnv : { ...stepEnv, MAKEFLAGS: tokens.makeflags(tokenFd) };
  const argv = tokens === undefined || step.tokenArgs === undefined ? step.argv : [...step.argv, ...step.tokenArgs(tokenFd, tokens.cores)];
  const end = await runInSandbox(
    { ops: plan.ops, env, cwd: step.cwd, argv, inputFds: tokens === undefined ? fds : [...fds, tokens.fd], asRoot: step.asRoot === true },
    {
      bwrap: config.bwrap,
      user: config.buildUser,
      reportFile: join(scratch.reports, `${name}.report`),
      output: async (chunk) => {
        tail = (tail + chunk.toString('utf8')).slice(-2048);
        await log.write(chunk);
      },
      stop: hooks.stop,
      killGraceMs: config.killGraceS * 1000,
      ...(ctx.cgroup !== undefined && step.counted !== false && { cgroupTasks: ctx.cgroup.tasksFile }),
      ...(hooks.onSpawn !== undefined && { onSpawn: hooks.onSpawn }),
    },
  );
  fds.forEach((fd) => closeSync(fd));
  return classify(end, tail, ctx.job.logDir);
}

function classify(end: RunEnd, tail: string, logDir: string): { result: StepResult; cpuS: number } {
  if (end.kind === 'spawn-failed') return { result: infrastructure(end.reason), cpuS: 0 };
  const cpuS = end.report.cpuS ?? 0;
  if (end.stopped) return { result: { ok: false, failure: { kind: 'failed', error: 'killed' } }, cpuS };
  if (end.outputError !== undefined) {
    return { result: { ok: false, failure: { kind: 'infrastructure', reason: `cannot write the job's log: ${end.outputError.message}`, ...fullIn(end.outputError, logDir) } }, cpuS };
  }
  if (!end.report.started) {
    const said = tail.split('\n').filter((line) => line.startsWith('bwrap:')).join('; ');
    return { result: infrastructure(`bubblewrap could not set up the sandbox: ${said || `exit status ${end.code ?? end.signal ?? '?'}`}`), cpuS };
  }
  const status = end.report.status;
  if (status === 0 && end.code === 0) return { result: STEP_OK, cpuS };
  if (status === undefined) return { result: { ok: false, failure: { kind: 'failed', error: 'killed' } }, cpuS };
  const exit = status === 0 ? end.code ?? 1 : status;
  const error = exit > 128 && exit <= 128 + 64 ? 'killed' : `exit status ${exit}`;
  return { result: { ok: false, failure: { kind: 'failed', error } }, cpuS };
}

function infrastructure(reason: string): StepResult {
  return { ok: false, failure: { kind: 'infrastructure', reason } };
}
