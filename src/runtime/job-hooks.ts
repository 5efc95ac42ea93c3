// What the coordinator loop offers to the parts that work beside it: what
// it knows of a job beyond the engine's Job (JobSetup), the calls that watch
// jobs (locks, stuck detection), and the sources that feed it engine events
// (the lock directory, the plan while the scan goes on, fetches).

import type { EngineEvent, Job } from '../core/engine/engine-events.js';
import type { JobOutcome } from '../core/model.js';
import type { BuildJob } from '../job/build-job.js';

/** What the coordinator needs to know of a job beyond the engine's Job. */
export interface JobSetup {
  readonly buildJob: BuildJob;
  readonly expectedS: number;
  readonly lastLogBytes: number | undefined;
  /** Seconds its log may stay still before it is stopped as stuck. */
  readonly stuckAfterS?: number;
}

/** What watches jobs beside the engine (locks, stuck detection). Every call comes from the loop. */
export interface JobHooks {
  /** A recorded job is about to run. An event back (its pkgpath is locked elsewhere) means it must not; the engine gets the event. */
  starting?(job: Job, setup: JobSetup): EngineEvent | undefined;
  /** It runs; `stop` ends it early. */
  started?(job: Job, setup: JobSetup, stop: (reason: string) => void): void;
  phase?(job: Job, phase: string): void;
  /** Its log has grown to `bytes` (reported about once a second). */
  log?(job: Job, bytes: number): void;
  /** Output came that the log cap left out: it is alive, its log the same size. */
  alive?(job: Job): void;
  /** Its result is in, before the engine sees it; or it went back to the queue. */
  ended?(job: Job, outcome: JobOutcome | 'requeued'): void;
}

/** Something outside the loop that feeds it engine events (the lock directory, say). */
export interface EventSource {
  start(push: (event: EngineEvent) => void): void;
  stop(): void;
}
