// The simulator's model of kiln's per-host make jobserver: a running job's
// make jobs change whenever the tokens are lent anew (token-lending.ts),
// that is after every event the engine handled. A job progresses at the
// rate its current make jobs give: with m make jobs it would take
// `seconds(m)` in all (the speedup model, which never shortens the build
// phase below its CPU seconds / m), so in dt it does dt / seconds(m) of its
// work. Each piece of the job therefore costs at least its share of the
// recorded CPU seconds, whatever make jobs it ran at.
//
// make holds a token only while a sub-job runs, so a job with m make jobs
// keeps on average cpu / seconds(m) cores busy (at least the one its make
// runs its first sub-job on), not m: the lending fills a
// host up to its cores of busy work (the real broker, sandbox/jobserver.ts,
// lends what a job leaves idle in its pipe and gives a job its share back
// first when it uses everything it has).

import type { Job } from '../engine/engine-events.js';
import type { HostSpec } from '../model.js';
import { lendTokens } from '../policies/token-lending.js';

interface Runner {
  readonly job: Job;
  /** Plan entry id. */
  readonly id: number;
  readonly host: HostSpec;
  readonly parallel: boolean;
  readonly priority: number;
  makeJobs: number;
  /** Share of the job done, 0 to 1, as of `since`. */
  done: number;
  since: number;
  end: number;
  mostMakeJobs: number;
}

export interface JobserverModel {
  /** Seconds plan entry `id` takes in all with `makeJobs` make jobs on `host`. */
  readonly seconds: (id: number, makeJobs: number, host: HostSpec) => number;
  /** Whether plan entry `id` may run make in parallel. */
  readonly parallel: (id: number) => boolean;
  /** The engine's build priority of plan entry `id` (bigger: longer path behind it). */
  readonly priority: (id: number) => number;
  /**
   * CPU seconds plan entry `id` costs on `host`, whatever its make jobs.
   * Without it a job holds all its tokens busy for its whole time.
   */
  readonly cpuSeconds?: (id: number, host: HostSpec) => number;
}

/** A job whose end moved, and when it now ends. */
export interface MovedEnd {
  readonly job: Job;
  readonly end: number;
}

export class SimulatedJobserver {
  private readonly running = new Map<number, Runner>();
  private readonly byHost = new Map<string, Set<number>>();
  /** Cores held by jobs, summed over time, for the jobs that ended. */
  coreSeconds = 0;

  constructor(private readonly model: JobserverModel) {}

  /** A job starts with its share; returns when it would end at that share. */
  start(job: Job, id: number, host: HostSpec): number {
    const seconds = this.model.seconds(id, job.makeJobs, host);
    const runner: Runner = {
      job, id, host, parallel: this.model.parallel(id), priority: this.model.priority(id),
      makeJobs: job.makeJobs, done: 0, since: job.startedAt, end: job.startedAt + seconds, mostMakeJobs: job.makeJobs,
    };
    this.running.set(job.id, runner);
    let set = this.byHost.get(host.name);
    if (!set) this.byHost.set(host.name, (set = new Set()));
    set.add(job.id);
    return runner.end;
  }

  /** When a running job now ends (undefined: not running). */
  endOf(jobId: number): number | undefined {
    return this.running.get(jobId)?.end;
  }

  /** A job ended at `at`: its tokens go back; returns the most make jobs it ran with. */
  end(jobId: number, at: number): number {
    const runner = this.running.get(jobId)!;
    this.coreSeconds += this.busy(runner, runner.makeJobs) * (at - runner.since);
    this.running.delete(jobId);
    this.byHost.get(runner.host.name)!.delete(jobId);
    return runner.mostMakeJobs;
  }

  /** Cores a job keeps busy on average with `makeJobs` make jobs: its CPU seconds over its wall time, at least one. */
  private busy(r: Runner, makeJobs: number): number {
    const cpu = this.model.cpuSeconds;
    if (cpu === undefined) return makeJobs;
    const wall = this.model.seconds(r.id, makeJobs, r.host);
    // Its make's own job slot is its whether busy or not (the real broker cannot lend it).
    return wall > 0 ? Math.min(makeJobs, Math.max(1, cpu(r.id, r.host) / wall)) : 1;
  }

  /** Lends every host's free tokens anew at `at`; returns the jobs whose end moved. */
  rebalance(at: number): MovedEnd[] {
    const moved: MovedEnd[] = [];
    for (const ids of this.byHost.values()) {
      if (ids.size === 0) continue;
      const runners = [...ids].map((id) => this.running.get(id)!);
      const host = runners[0]!.host;
      const held = lendTokens(host.cores, runners.map((r) => ({
        job: r.job.id, share: r.job.makeJobs, parallel: r.parallel, priority: r.priority,
        busy: (m: number) => this.busy(r, m),
      })));
      for (const r of runners) {
        const makeJobs = held.get(r.job.id)!;
        if (makeJobs === r.makeJobs) continue;
        const before = this.model.seconds(r.id, r.makeJobs, host);
        const done = before > 0 ? Math.min(1, r.done + (at - r.since) / before) : 1;
        this.coreSeconds += this.busy(r, r.makeJobs) * (at - r.since);
        r.done = done;
        r.since = at;
        r.makeJobs = makeJobs;
        r.mostMakeJobs = Math.max(r.mostMakeJobs, makeJobs);
        r.end = at + (1 - done) * this.model.seconds(r.id, makeJobs, host);
        moved.push({ job: r.job, end: r.end });
      }
    }
    return moved;
  }
}
