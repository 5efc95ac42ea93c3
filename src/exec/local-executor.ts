// Jobs on this machine: no ssh, the sandbox builder called directly. Each
// job's processes live in their own process group (the builder's job).

import { spawnSync } from 'node:child_process';
import { constants, statSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { availableParallelism, platform, totalmem } from 'node:os';

import type { HostLoad } from '../core/engine/engine-events.js';
import type { BuildJob, BuildReport, DistccServer } from '../job/build-job.js';
import { withFarm } from './distcc-farm.js';
import type { ConnectResult, Executor, JobWatcher } from './executor.js';
import { runStartupScript } from './agent/startup-script.js';
import { LOAD_EVERY_S, measureLoad } from './host-load.js';
import { defaultSandboxConfig } from '../sandbox/sandbox-config.js';
import { archProblem, coordinatorArch, type ArchWanted } from './host-arch.js';

export type BuildFunction = (job: BuildJob, options: { signal: AbortSignal; onPhase?: (phase: string) => void; onOutput?: () => void }) => Promise<BuildReport>;

export interface LocalExecutorOptions {
  readonly build: BuildFunction;
  /** The hosts file's STARTUP script, run here (in the current directory) before this machine takes jobs, as on every other host. */
  readonly startup?: string;
  readonly startupTimeoutS?: number;
  /** Seconds between looks at a running job's log size. */
  readonly pollS?: number;
  /** The hosts file's `arch=` for localhost, and the architecture the run builds for: this machine must be both. */
  readonly arch?: ArchWanted;
  /** The hosts file's `distcc=` for localhost: its jobs that opt in compile there (distcc-farm.ts). */
  readonly distcc?: readonly DistccServer[];
  /** Why this machine cannot build the tree (TreeBuild's `localProblem`): it is refused with it, and checked again later, since it may be mended. */
  readonly refuse?: string;
}

export class LocalExecutor implements Executor {
  readonly host = 'localhost';
  private readonly options: LocalExecutorOptions;
  private readonly loadListeners: Array<(load: HostLoad) => void> = [];
  private loadTimer: NodeJS.Timeout | undefined;

  constructor(options: LocalExecutorOptions) {
    this.options = options;
  }

  async connect(): Promise<ConnectResult> {
    const wrongArch = archProblem(coordinatorArch(), this.options.arch ?? {});
    if (wrongArch !== undefined) return { ok: false, reason: wrongArch, lasting: true };
    if (this.options.refuse !== undefined) return { ok: false, reason: this.options.refuse };
    const probe = spawnSync('bwrap', ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', 'true'], { encoding: 'utf8', timeout: 10_000 });
    if (probe.error) return { ok: false, reason: `bubblewrap cannot run here (${probe.error.message}); install it: apt-get install bubblewrap` };
    if (probe.status !== 0) return { ok: false, reason: `bubblewrap fails: ${probe.stderr.trim() || `exit status ${probe.status}`}` };
    const { startup } = this.options;
    if (startup !== undefined) {
      try {
        await access(startup, constants.R_OK);
      } catch (err) {
        return { ok: false, reason: `cannot read the STARTUP script ${startup}: ${(err as Error).message}` };
      }
      const ran = await runStartupScript(startup, process.cwd(), this.options.startupTimeoutS ?? 600);
      if (!ran.ok) return { ok: false, reason: ran.detail };
    }
    this.measureLoadEvery(LOAD_EVERY_S);
    return {
      ok: true,
      info: { arch: coordinatorArch(), os: platform(), node: process.version, cores: availableParallelism(), memoryMiB: Math.round(totalmem() / 2 ** 20) },
    };
  }

  async run(job: BuildJob, watcher: JobWatcher, signal: AbortSignal): Promise<BuildReport> {
    const poll = setInterval(() => watcher.log(sizeOf(job.logFile)), (this.options.pollS ?? 1) * 1000);
    try {
      return await this.options.build(withFarm(job, this.options.distcc), { signal, onPhase: (phase) => watcher.phase(phase), onOutput: () => watcher.alive?.() });
    } finally {
      clearInterval(poll);
      watcher.log(sizeOf(job.logFile));
    }
  }

  onLost(): void {
    // this machine is never lost
  }

  onLoad(listener: (load: HostLoad) => void): void {
    this.loadListeners.push(listener);
  }

  close(): Promise<void> {
    clearInterval(this.loadTimer);
    this.loadTimer = undefined;
    return Promise.resolve();
  }

  private measureLoadEvery(seconds: number): void {
    if (this.loadTimer !== undefined) return;
    const measure = (): void => {
      const load = measureLoad(defaultSandboxConfig().scratchBase);
      for (const listener of this.loadListeners) listener(load);
    };
    measure(); // before the first job: a host over its thresholds takes none
    this.loadTimer = setInterval(measure, seconds * 1000);
    this.loadTimer.unref();
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
