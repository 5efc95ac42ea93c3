// The process jobs run in on the host: leader of its own process group (the
// agent spawns it detached), it takes one job at a time as a JSON line on
// stdin (`{"dir": ..., "file": JobFile}`), calls the sandbox builder, and
// reports phases and the result as JSON lines on stdout; then it waits for
// the next job. Kept between jobs, it costs a job no node start (80 ms of
// CPU) and runs the builder's code warm. Its stdin is a pipe from the agent:
// when that closes (the agent died, however it died, or retired the runner),
// the runner kills its whole group, itself included, so nothing builds on
// unattended. SIGTERM (a cancel, or the agent ending) aborts the job's
// builder, which then ends the job, and the runner exits once it has reported.

import { join } from 'node:path';
import type { BuildReport } from '../../job/build-job.js';
import { buildPackage } from '../../sandbox/builder.js';
import { pkgsrcBuilder } from '../../sandbox/recipe-pkgsrc.js';
import type { JobFile } from './job-dir.js';

export type RunnerLine =
  | { readonly t: 'phase'; readonly phase: string }
  /** Output came that the log cap left out (at most once a second). */
  | { readonly t: 'alive' }
  | { readonly t: 'report'; readonly report: BuildReport };

/** What the agent writes to a runner: one line a job. */
export interface RunnerJob {
  readonly dir: string;
  readonly file: JobFile;
}

function say(line: RunnerLine): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}

export function runJobProcess(): void {
  let running: AbortController | undefined;
  let stopping = false;
  const end = (): void => {
    process.stdin.destroy();
    process.stdout.end();
  };
  const cancel = (): void => {
    stopping = true;
    if (running) running.abort(new Error('cancelled'));
    else end();
  };
  process.on('SIGTERM', cancel);
  process.on('SIGINT', cancel);
  // The watchdog: the agent's end of our stdin is gone.
  process.stdin.on('end', () => process.kill(-process.pid, 'SIGKILL'));
  process.stdin.on('error', () => process.kill(-process.pid, 'SIGKILL'));
  const start = ({ dir, file }: RunnerJob): void => {
    const controller = new AbortController();
    running = controller;
    void run(dir, file, controller.signal).then(
      (report) => {
        running = undefined;
        say({ t: 'report', report });
        if (stopping) end();
      },
      (err: unknown) => {
        process.stderr.write(`kiln job runner: ${(err as Error).stack ?? String(err)}\n`);
        process.exitCode = 70;
        end();
      },
    );
  };
  let pending = '';
  process.stdin.on('data', (b: Buffer) => {
    pending += b.toString('utf8');
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      const job = JSON.parse(line) as Partial<RunnerJob>;
      if (typeof job.dir !== 'string' || typeof job.file !== 'object' || running) throw new Error('a job runner takes {"dir": ..., "file": ...}, one job at a time');
      start(job as RunnerJob);
    }
  });
}

function run(dir: string, { job, pkgsrc }: JobFile, signal: AbortSignal): Promise<BuildReport> {
  const build = pkgsrc === undefined ? buildPackage : pkgsrcBuilder(pkgsrc);
  return build(job, { signal, onPhase: (phase) => say({ t: 'phase', phase }), onOutput: () => say({ t: 'alive' }), scratch: join(dir, 'scratch') });
}
