// Entry of the agent bundle (esbuild makes it one ESM file, shipped over ssh
// and cached on each host by its hash). Two uses:
//   imported by the bootstrap:  startAgent({ root, agentFile })
//   run as a job runner:        node <bundle> kiln-job-runner

import { runJobProcess } from './job-runner.js';
import { JOB_RUNNER_ARG } from './runner-pool.js';

export { startAgent } from './agent-session.js';

if (process.argv[2] === JOB_RUNNER_ARG) runJobProcess();
