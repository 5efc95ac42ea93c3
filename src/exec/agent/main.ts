// Entry of the agent bundle (esbuild makes it one ESM file, shipped over ssh
// and cached on each host by its hash). Two uses:
//   imported by the bootstrap:  startAgent({ root, agentFile })
//   run as a job runner:        node <bundle> kiln-job-runner <job dir>

import { runJobProcess } from './job-runner.js';

export { startAgent } from './agent-session.js';

export const JOB_RUNNER_ARG = 'kiln-job-runner';

if (process.argv[2] === JOB_RUNNER_ARG && typeof process.argv[3] === 'string') runJobProcess(process.argv[3]);
