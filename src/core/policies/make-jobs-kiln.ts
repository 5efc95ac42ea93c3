// kiln's make jobs with a shared core budget: each job asks for what the
// core plan gives it (more for the long jobs on the critical path, one for
// the rest). When no other job is ready to start, a job takes every core
// that is free, as dpb swallows idle cores and bob gives a lone build the
// whole budget. MAKE_JOBS_SAFE=no keeps a job at one.

import { planMakeJobs } from './core-plan.js';
import type { MakeJobsPolicy } from './policy.js';

export const kilnMakeJobs: MakeJobsPolicy = {
  name: 'kiln',
  makeJobs(job, host) {
    if (!job.makeJobsSafe) return 1;
    const want = job.waiting === 0 ? Math.max(job.plannedMakeJobs, host.freeCores) : job.plannedMakeJobs;
    return Math.max(1, Math.min(want, host.cores));
  },
  plan: planMakeJobs,
};
