// On a remote host the agent owns the host's make jobserver
// (sandbox/jobserver.ts): jobs build in separate runner processes, and a
// jobserver in each would give each job all the host's cores. The agent
// joins each job with its share and priority, makes the job's token pipe
// as a fifo in the job's directory (the agent's own, mode 0711: the build
// user can neither list it nor make or replace a name in it; the fifo is
// mode 600) and names it in the BuildJob the runner gets; the runner's
// builder opens it, unlinks it and gives the sandbox only the descriptor.
// The agent leaves when the job ends, however it ends, and its tokens go
// to the jobs still running.

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { LEFT_OUT_AT_END } from '../../core/job/log-cap.js';
import type { BuildJob } from '../../job/build-job.js';
import { hostJobserver, jobserverNote, type Jobserver, makeFifo } from '../../sandbox/jobserver.js';

/** A job's place in the agent's jobserver. */
export interface JobPlace {
  /** The job as its runner builds it: with the pipe's path, or without a jobserver when it has no pipe. */
  readonly job: BuildJob;
  /** Gives its tokens back (once; later calls do nothing); the log line for a job that had a pipe. */
  leave(): string | undefined;
}

/** Joins `job` to the host's jobserver (`server`, else the agent's own), its pipe made in `dir`. */
export async function joinHostJobserver(job: BuildJob, dir: string, server?: Jobserver): Promise<JobPlace> {
  const { jobserver, ...rest } = job;
  if (jobserver === undefined) return { job, leave: () => undefined };
  const pipe = join(dir, 'tokens');
  if (jobserver.parallel && !await makeFifo(pipe)) return { job: rest, leave: () => undefined };
  const tokens = (server ?? hostJobserver(jobserver.cores)).join(job.makeJobs, jobserver.priority, jobserver.parallel, jobserver.parallel ? pipe : undefined);
  // No pipe (MAKE_JOBS_SAFE=no, or none could be made): the runner builds with fixed make jobs and joins nothing.
  if (tokens === undefined) return { job: rest, leave: () => undefined };
  let left = false;
  const leave = (): number | undefined => {
    if (left) return undefined;
    left = true;
    return tokens.leave();
  };
  if (!jobserver.parallel) return { job: rest, leave: () => void leave() };
  return {
    job: { ...rest, jobserver: { cores: jobserver.cores, priority: jobserver.priority, parallel: true, pipe } },
    leave: () => {
      const most = leave();
      return most === undefined ? undefined : jobserverNote(job.makeJobs, jobserver.cores, most);
    },
  };
}

/**
 * Adds kiln's line to the end of the job's whole log (the agent's file;
 * never through a link), where the builder puts it on a local host: before
 * the line that counts what --log-cap left out, which stays the last,
 * unless that line has already gone to the coordinator (`sent`: the bytes
 * streamed so far), which only ever takes what follows.
 */
export async function appendNote(logFile: string, note: string, sent: number): Promise<void> {
  const file = await open(logFile, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const { size } = await file.stat();
    const tail = Buffer.alloc(Math.min(size, 256));
    await file.read(tail, 0, tail.length, size - tail.length);
    const found = LEFT_OUT_AT_END.exec(tail.toString('latin1'));
    const last = found !== null && size - Buffer.byteLength(found[0], 'latin1') >= sent ? found : null;
    const at = last === null ? size : size - Buffer.byteLength(last[0], 'latin1');
    const text = `kiln: ${note}\n${last === null ? '' : last[0]}`;
    await file.write(text, at);
  } finally {
    await file.close();
  }
}
