// Each slot gets an even share of its host's cores, fixed for the whole run
// (pbulk's and poudriere's MAKE_JOBS from one configuration value).

import type { MakeJobsPolicy } from './policy.js';

export const evenMakeJobs: MakeJobsPolicy = {
  name: 'even',
  makeJobs(job, host) {
    if (!job.makeJobsSafe) return 1;
    return Math.max(1, Math.floor(host.cores / host.slots));
  },
};
