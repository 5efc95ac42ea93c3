// dpb's way of seeing a stuck job: its log stops growing. Every running job
// has a limit of silence (job-limits.ts); a job past it is stopped, and its
// outcome becomes a failure of the phase it was in, classed `stuck`.

import type { Job } from '../core/engine/engine-events.js';
import type { JobOutcome } from '../core/model.js';
import type { JobHooks, JobSetup } from './job-hooks.js';

interface Watched {
  readonly limitS: number;
  readonly stop: (reason: string) => void;
  bytes: number;
  grewAt: number;
  phase: string;
}

export class StuckWatch implements JobHooks {
  private readonly jobs = new Map<number, Watched>();
  /** Jobs stopped as stuck, with the phase they were in. */
  private readonly stuck = new Map<number, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly limitS: (setup: JobSetup) => number, private readonly now: () => number, private readonly everyS = 1) {}

  started(job: Job, setup: JobSetup, stop: (reason: string) => void): void {
    this.jobs.set(job.id, { limitS: this.limitS(setup), stop, bytes: -1, grewAt: this.now(), phase: 'depends' });
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
    const phase = this.stuck.get(job.id);
    if (phase === undefined) return outcome;
    this.stuck.delete(job.id);
    return outcome.kind === 'built' ? outcome : { kind: 'failed', phase, error: 'stuck', phases: outcome.kind === 'failed' ? outcome.phases : [] };
  }

  private look(): void {
    const now = this.now();
    for (const [id, watched] of this.jobs) {
      const idle = now - watched.grewAt;
      if (idle < watched.limitS || this.stuck.has(id)) continue;
      this.stuck.set(id, watched.phase);
      watched.stop(`stuck: its log has not grown for ${Math.round(idle)} s (limit ${Math.round(watched.limitS)} s)`);
    }
  }
}
