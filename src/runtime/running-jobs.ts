// The jobs out on executors: each started with a watcher that records its
// phases and reports its log's growth, its result handed back to the loop
// (after a pause first when an infrastructure failure is to be tried
// again), stopped when the engine requeues it or the run ends.

import type { Job } from '../core/engine/engine-events.js';
import type { RunEvent } from '../core/run-events.js';
import type { Executor } from '../exec/executor.js';
import type { BuildReport } from '../job/build-job.js';
import type { CoordinatorOptions } from './coordinator.js';
import type { JobSetup } from './job-hooks.js';

/** What the jobs need of the loop. */
export interface JobLoop {
  /** Runs `fn` outside the loop: what it throws stops the loop, not the process. */
  outside(fn: () => void): void;
  /** Writes a run event to the store and the views. */
  emit(event: RunEvent): void;
  /** A job's result (or its executor's failure) for the loop. */
  result(job: Job, report: BuildReport, setup: JobSetup): void;
}

interface Running {
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

export class RunningJobs {
  private readonly running = new Map<number, Running>();

  constructor(
    private readonly o: Pick<CoordinatorOptions, 'store' | 'run' | 'sink' | 'clock' | 'hooks' | 'retryPauseS' | 'at'>,
    private readonly executors: ReadonlyMap<string, Executor>,
    private readonly loop: JobLoop,
  ) {}

  /** Its result is in: it runs no more. */
  ended(id: number): void {
    this.running.delete(id);
  }

  /** Stops a job the engine took back; its result still comes, and the loop drops it. */
  stop(id: number, reason: string): void {
    this.running.get(id)?.controller.abort(new Error(reason));
  }

  launch(job: Job, setup: JobSetup): void {
    const executor = this.executors.get(job.host)!;
    const controller = new AbortController();
    let lastProgress = 0;
    let lastBytes = 0;
    let lastGrowth = this.now();
    const watcher = {
      phase: (phase: string): void => this.loop.outside(() => {
        const event: RunEvent = { type: 'job-phase', at: this.now(), job: job.id, phase };
        this.o.store.appendEvents(this.o.run, [event]);
        this.o.sink.emit(event);
        for (const hooks of this.o.hooks ?? []) hooks.phase?.(job, phase);
        this.o.at?.(`phase-${phase}`);
      }),
      log: (bytes: number): void => this.loop.outside(() => {
        for (const hooks of this.o.hooks ?? []) hooks.log?.(job, bytes);
        const now = this.now();
        if (bytes !== lastBytes) { lastBytes = bytes; lastGrowth = now; }
        if (now - lastProgress < 1) return;
        lastProgress = now;
        this.o.sink.emit({ type: 'job-progress', at: now, job: job.id, logBytes: bytes, idleS: now - lastGrowth });
      }),
      alive: (): void => this.loop.outside(() => {
        lastGrowth = this.now();
        for (const hooks of this.o.hooks ?? []) hooks.alive?.(job);
        this.o.sink.emit({ type: 'job-progress', at: lastGrowth, job: job.id, logBytes: lastBytes, idleS: 0 });
      }),
    };
    const done = executor.run(setup.buildJob, watcher, controller.signal).then(
      (report) => report,
      (err: unknown): BuildReport => ({ outcome: { kind: 'infrastructure', reason: `executor failed: ${(err as Error).message}` } }),
    ).then(async (report) => {
      const waits = report.outcome.kind === 'infrastructure' && report.outcome.full === undefined && !controller.signal.aborted;
      const pauseS = waits ? this.o.retryPauseS?.(job) ?? 0 : 0;
      if (pauseS > 0 && report.outcome.kind === 'infrastructure') {
        const reason = report.outcome.reason;
        this.loop.outside(() => this.loop.emit({ type: 'message', at: this.now(), level: 'warning', text: `${job.pkgname} on ${job.host}: ${reason}; it is tried again in ${pauseS} s` }));
        await pause(pauseS, controller.signal);
      }
      this.loop.result(job, report, setup);
    });
    this.running.set(job.id, { controller, done });
    for (const hooks of this.o.hooks ?? []) hooks.started?.(job, setup, (reason) => controller.abort(new Error(reason)));
  }

  /** Stops every job still out, and waits for each to end. */
  async cancelAll(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.controller.abort(new Error('the build was interrupted'));
    await Promise.allSettled(all.map((r) => r.done));
    this.running.clear();
  }

  private now(): number {
    return this.o.clock.now();
  }
}

/** Waits `seconds`, or less if `signal` aborts. */
function pause(seconds: number, signal: AbortSignal): Promise<void> {
  if (seconds <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => { signal.removeEventListener('abort', stop); resolve(); }, seconds * 1000);
    const stop = (): void => { clearTimeout(timer); resolve(); };
    signal.addEventListener('abort', stop, { once: true });
  });
}
