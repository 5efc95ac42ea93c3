// A job's final outcome, settled in one place once its result is in: a job
// the stuck watch stopped is a `stuck` failure of its phase; a failure takes
// the error class its log shows; and a build that ran (not one infrastructure
// stopped) goes into the history the estimates are made from.

import { statSync } from 'node:fs';

import type { Job } from '../core/engine/engine-events.js';
import type { JobOutcome } from '../core/model.js';
import { classifyLogFile } from './classify-log.js';
import type { BuildReport } from '../job/build-job.js';
import type { HistoryStore } from '../store/history-store.js';
import type { JobSetup } from './job-hooks.js';
import type { StuckWatch } from './stuck-watch.js';

/** The coordinator's `finish`: a job's outcome from its report, the job recorded in `history` as built for `arch`. */
export function jobOutcome(stuck: StuckWatch, history: HistoryStore, arch: string | undefined): (job: Job, report: BuildReport, setup: JobSetup, at: number) => JobOutcome {
  return (job, report, setup, at) => {
    let outcome = stuck.outcome(job, report.outcome);
    if (outcome.kind === 'failed') outcome = { ...outcome, error: classifyLogFile(outcome.phase, setup.buildJob.logFile, outcome.error) };
    if (outcome.kind !== 'infrastructure') {
      const phases = outcome.phases;
      history.add([{
        pkgpath: job.pkgpath, pkgname: job.pkgname, host: job.host, makeJobs: job.makeJobs,
        outcome: outcome.kind === 'built' ? 'built' : 'failed', wallS: at - job.startedAt,
        cpuS: phases.reduce((sum, p) => sum + p.cpuS, 0), phases, logBytes: logSize(setup.buildJob.logFile), at,
        ...(report.memoryMiB !== undefined && { memoryMiB: report.memoryMiB }), ...(report.diskMiB !== undefined && { diskMiB: report.diskMiB }),
        ...(arch !== undefined && { arch }),
      }]);
    }
    return outcome;
  };
}

/** A log's size in bytes when it can be read (job-ended's "Log size", the history's for the next run's "% of last log"). */
export function logSize(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}
