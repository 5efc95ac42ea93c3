// One job runner started ahead of need, so a job does not wait for node to
// start (100 ms and more on a busy host). A spare runner is already the
// leader of its own process group and already watches its stdin; it waits
// for one line naming its job directory.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { signalGroup } from './proc-identity.js';

export const JOB_RUNNER_ARG = 'kiln-job-runner';

export class RunnerPool {
  #spare: ChildProcessWithoutNullStreams | undefined;
  #closed = false;

  constructor(private readonly agentFile: string, private readonly cwd: string) {}

  /** Starts a spare runner unless there is one. */
  warm(): void {
    if (this.#closed || (this.#spare && alive(this.#spare))) return;
    this.#spare = this.#spawn();
  }

  /** A runner for the job in `dir`: the spare one when it is there, else a new one. */
  take(dir: string): ChildProcessWithoutNullStreams {
    const spare = this.#spare;
    this.#spare = undefined;
    const runner = spare && alive(spare) ? spare : this.#spawn();
    runner.stdin.write(JSON.stringify({ dir }) + '\n');
    setImmediate(() => this.warm());
    return runner;
  }

  close(): void {
    this.#closed = true;
    if (this.#spare?.pid) signalGroup(this.#spare.pid, 'SIGKILL');
    this.#spare = undefined;
  }

  #spawn(): ChildProcessWithoutNullStreams {
    const child = spawn(process.execPath, [this.agentFile, JOB_RUNNER_ARG], { cwd: this.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined);
    child.on('error', () => undefined);
    return child;
  }
}

const alive = (c: ChildProcessWithoutNullStreams): boolean => c.exitCode === null && c.signalCode === null && c.pid !== undefined;
