// kiln's make jobs with a shared core budget: each job asks for what the
// core plan gives it (more for the long jobs on the critical path, the even
// share of cores per slot for the rest). At the tail of a build, when the
// work not yet started would not keep the cores busy while this job runs,
// it also takes its share of the free cores (split among the ready jobs),
// as dpb swallows idle cores and bob gives a lone build the whole budget.
// MAKE_JOBS_SAFE=no keeps a job at one.

import { planMakeJobs } from './core-plan.js';
import type { MakeJobsPolicy } from './policy.js';

export const kilnMakeJobs: MakeJobsPolicy = {
  name: 'kiln',
  makeJobs(job, host) {
    if (!job.makeJobsSafe) return 1;
    const tail = job.backlogS < job.durationS / host.speed;
    const want = tail ? Math.max(job.plannedMakeJobs, Math.floor(host.freeCores / (1 + job.waiting))) : job.plannedMakeJobs;
    return Math.max(1, Math.min(want, host.cores));
  },
  plan: planMakeJobs,
};
