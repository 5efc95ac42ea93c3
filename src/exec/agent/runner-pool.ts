// The agent's job runners (job-runner.ts). One is started ahead of need, so
// a job does not wait for node to start (100 ms and more on a busy host),
// and a runner whose job reported goes back to the pool for the next job:
// a host of thousands of small jobs starts node a handful of times, not
// once a job. A runner that was signalled (a cancel) or that misbehaved is
// retired: its group is killed. An idle runner is the leader of its own
// process group and watches its stdin, as a busy one does.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { signalGroup } from './proc-identity.js';
import type { RunnerJob } from './job-runner.js';

export const JOB_RUNNER_ARG = 'kiln-job-runner';

/** Idle runners kept beyond this many are retired. */
const MAX_IDLE = 4;

/** What a job hears from its runner while it has it. */
export interface RunnerEvents {
  line(line: string): void;
  stderr(text: string): void;
  exit(code: number | null, signal: NodeJS.Signals | null): void;
  error(err: Error): void;
}

/** One runner process; its output goes to the job that has it. */
export class Runner {
  readonly child: ChildProcessWithoutNullStreams;
  #events: RunnerEvents | undefined;
  #pending = '';

  constructor(child: ChildProcessWithoutNullStreams) {
    this.child = child;
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (b: Buffer) => {
      this.#pending += b.toString('utf8');
      for (let nl = this.#pending.indexOf('\n'); nl >= 0; nl = this.#pending.indexOf('\n')) {
        const line = this.#pending.slice(0, nl);
        this.#pending = this.#pending.slice(nl + 1);
        this.#events?.line(line);
      }
    });
    child.stderr.on('data', (b: Buffer) => this.#events?.stderr(b.toString('utf8')));
    child.on('exit', (code, signal) => this.#events?.exit(code, signal));
    child.on('error', (err) => this.#events?.error(err));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined;
  }

  /** Hands the runner a job; its output goes to `events` until it is released. */
  run(job: RunnerJob, events: RunnerEvents): void {
    this.#events = events;
    this.#pending = '';
    this.child.stdin.write(JSON.stringify(job) + '\n');
  }

  detach(): void {
    this.#events = undefined;
  }

  kill(): void {
    if (this.child.pid) signalGroup(this.child.pid, 'SIGKILL');
  }
}

export class RunnerPool {
  readonly #idle: Runner[] = [];
  #closed = false;

  constructor(private readonly agentFile: string, private readonly cwd: string) {}

  /** Starts a spare runner unless one is idle. */
  warm(): void {
    this.#prune();
    if (this.#closed || this.#idle.length > 0) return;
    this.#idle.push(new Runner(this.#spawn()));
  }

  /** A runner for a job: the last one to come back (its code is warm), else a new one. */
  take(): Runner {
    this.#prune();
    const runner = this.#idle.pop() ?? new Runner(this.#spawn());
    setImmediate(() => this.warm());
    return runner;
  }

  /** A job is done with `runner`: back to the pool when `reusable` (its job reported, it was never signalled), else retired. */
  release(runner: Runner, reusable: boolean): void {
    runner.detach();
    if (reusable && !this.#closed && runner.alive && this.#idle.length < MAX_IDLE) this.#idle.push(runner);
    else runner.kill();
  }

  close(): void {
    this.#closed = true;
    for (const runner of this.#idle.splice(0)) runner.kill();
  }

  #prune(): void {
    for (let i = this.#idle.length - 1; i >= 0; i--) if (!this.#idle[i]!.alive) this.#idle.splice(i, 1);
  }

  #spawn(): ChildProcessWithoutNullStreams {
    return spawn(process.execPath, [this.agentFile, JOB_RUNNER_ARG], { cwd: this.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  }
}
