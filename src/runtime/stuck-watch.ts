// dpb's way of seeing a stuck job: its log stops growing. Every running job
// has a limit of silence (job-limits.ts); a job past it is stopped, and its
// outcome becomes a failure of the phase it was in, classed `stuck`.

import type { Job } from '../core/engine/engine-events.js';
import type { JobOutcome, PhaseTiming } from '../core/model.js';
import type { JobHooks, JobSetup } from './job-hooks.js';

interface Watched {
  readonly limitS: number;
  readonly stop: (reason: string) => void;
  bytes: number;
  grewAt: number;
  phase: string;
  /** The phases it was seen to start, and when. */
  readonly phases: { readonly phase: string; readonly at: number }[];
}

export class StuckWatch implements JobHooks {
  private readonly jobs = new Map<number, Watched>();
  /** Jobs stopped as stuck: the phase they were in, and the phases they had been through, each to the next, the last to the stop. */
  private readonly stuck = new Map<number, { readonly phase: string; readonly phases: PhaseTiming[] }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly limitS: (setup: JobSetup) => number, private readonly now: () => number, private readonly everyS = 1) {}

  started(job: Job, setup: JobSetup, stop: (reason: string) => void): void {
    this.jobs.set(job.id, { limitS: this.limitS(setup), stop, bytes: -1, grewAt: this.now(), phase: 'depends', phases: [] });
    if (!this.timer) {
      this.timer = setInterval(() => this.look(), this.everyS * 1000);
      this.timer.unref();
    }
  }

  phase(job: Job, phase: string): void {
    const watched = this.jobs.get(job.id);
    if (!watched) return;
    watched.phase = phase;
    watched.grewAt = this.now();
    watched.phases.push({ phase, at: watched.grewAt });
  }

  log(job: Job, bytes: number): void {
    const watched = this.jobs.get(job.id);
    if (!watched || bytes === watched.bytes) return;
    watched.bytes = bytes;
    watched.grewAt = this.now();
  }

  alive(job: Job): void {
    const watched = this.jobs.get(job.id);
    if (watched) watched.grewAt = this.now();
  }

  ended(job: Job): void {
    this.jobs.delete(job.id);
    if (this.jobs.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** A stopped job's outcome: a `stuck` failure of its phase if this watch stopped it. */
  outcome(job: Job, outcome: JobOutcome): JobOutcome {
    const stopped = this.stuck.get(job.id);
    if (stopped === undefined) return outcome;
    this.stuck.delete(job.id);
    // A job killed under its executor reports no phases (build.log and history would say `()`): those the watch saw.
    const phases = outcome.kind === 'failed' && outcome.phases.length > 0 ? outcome.phases : stopped.phases;
    return outcome.kind === 'built' ? outcome : { kind: 'failed', phase: stopped.phase, error: 'stuck', phases };
  }

  private look(): void {
    const now = this.now();
    for (const [id, watched] of this.jobs) {
      const idle = now - watched.grewAt;
      if (idle < watched.limitS || this.stuck.has(id)) continue;
      const phases = watched.phases.map((p, i): PhaseTiming => ({ phase: p.phase, wallS: (watched.phases[i + 1]?.at ?? now) - p.at, cpuS: 0 }));
      this.stuck.set(id, { phase: watched.phase, phases });
      watched.stop(`stuck: its log has not grown for ${Math.round(idle)} s (limit ${Math.round(watched.limitS)} s)`);
    }
  }
}
