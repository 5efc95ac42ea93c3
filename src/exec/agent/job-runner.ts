// The process one job runs in on the host: leader of its own process group
// (the agent spawns it detached), it calls the sandbox builder and reports
// phases and the result as JSON lines on stdout. Its stdin is a pipe from
// the agent: when that closes (the agent died, however it died), the runner
// kills its whole group, itself included, so nothing builds on unattended.
// SIGTERM (a cancel) aborts the builder, which then ends the job.

import { readFile } from 'node:fs/promises';
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

function say(line: RunnerLine): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}

/** Runs one job: the directory is given, or comes as the first line `{"dir": ...}` on stdin (a spare runner). */
export function runJobProcess(dir?: string): void {
  const controller = new AbortController();
  process.on('SIGTERM', () => controller.abort(new Error('cancelled')));
  process.on('SIGINT', () => controller.abort(new Error('cancelled')));
  // The watchdog: the agent's end of our stdin is gone.
  process.stdin.on('end', () => process.kill(-process.pid, 'SIGKILL'));
  process.stdin.on('error', () => process.kill(-process.pid, 'SIGKILL'));
  let first = '';
  let started = false;
  const start = (jobDir: string): void => {
    started = true;
    void run(jobDir, controller.signal).then(
      (report) => {
        say({ t: 'report', report });
        process.exitCode = 0;
      },
      (err: unknown) => {
        process.stderr.write(`kiln job runner: ${(err as Error).stack ?? String(err)}\n`);
        process.exitCode = 70;
      },
    ).finally(() => {
      process.stdin.destroy();
      process.stdout.end();
    });
  };
  process.stdin.on('data', (b: Buffer) => {
    if (started) return;
    first += b.toString('utf8');
    const nl = first.indexOf('\n');
    if (nl < 0) return;
    const named = (JSON.parse(first.slice(0, nl)) as { dir?: unknown }).dir;
    if (typeof named !== 'string') throw new Error('a job runner needs {"dir": ...}');
    start(named);
  });
  if (dir !== undefined) start(dir);
}

async function run(dir: string, signal: AbortSignal): Promise<BuildReport> {
  const { job, pkgsrc } = JSON.parse(await readFile(join(dir, 'job.json'), 'utf8')) as JobFile;
  const build = pkgsrc === undefined ? buildPackage : pkgsrcBuilder(pkgsrc);
  return build(job, { signal, onPhase: (phase) => say({ t: 'phase', phase }), onOutput: () => say({ t: 'alive' }), scratch: join(dir, 'scratch') });
}
