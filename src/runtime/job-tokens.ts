// Which jobs join the host's make jobserver (sandbox/jobserver.ts), with
// how many tokens and what priority: every job on a host with more than
// one core; one that may not run make in parallel (MAKE_JOBS_SAFE=no)
// counts its one core and gets no pipe. The jobserver runs in the process
// that builds: this one for the local host, the agent for a remote one
// (the job carries the host's cores and its priority there).

import type { Engine } from '../core/engine/engine.js';
import type { Job } from '../core/engine/engine-events.js';
import { indexValue } from '../core/formats/pbulk-index.js';
import type { ResolvedPackage } from '../core/resolve/resolve.js';
import type { BuildJob } from '../job/build-job.js';

export function jobTokens(engine: Engine, job: Job, pkg: ResolvedPackage): BuildJob['jobserver'] {
  const host = engine.hostStates().find((h) => h.name === job.host);
  if (host === undefined || host.spec.cores <= 1) return undefined;
  const parallel = indexValue(pkg.entry, 'MAKE_JOBS_SAFE')?.toLowerCase() !== 'no';
  return { cores: host.spec.cores, priority: engine.priorityOf(job.pkgname), parallel };
}
