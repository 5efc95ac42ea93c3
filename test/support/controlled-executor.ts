// An executor whose jobs end when the test says so, which reports the host
// facts and loads the test gives it, and records whether it was closed: for
// asserting what the coordinator does with hosts, without sleeps.

import type { HostLoad } from '../../src/core/engine/engine-events.js';
import type { ConnectResult, Executor, HostInfo, JobWatcher } from '../../src/exec/executor.js';
import type { BuildJob, BuildReport } from '../../src/job/build-job.js';

export class ControlledExecutor implements Executor {
  readonly started: BuildJob[] = [];
  closed = false;
  connects = 0;
  private readonly pending = new Map<string, (report: BuildReport) => void>();
  private readonly lost: Array<(reason: string) => void> = [];
  private readonly loads: Array<(load: HostLoad) => void> = [];
  private waiters: Array<() => void> = [];

  constructor(readonly host: string, private readonly info: HostInfo = { arch: 'x86_64', os: 'linux', node: '20.0.0', cores: 2, memoryMiB: 4096 }) {}

  connect(): Promise<ConnectResult> {
    this.connects++;
    this.closed = false;
    return Promise.resolve({ ok: true, info: this.info });
  }

  run(job: BuildJob, _watcher: JobWatcher, signal: AbortSignal): Promise<BuildReport> {
    this.started.push(job);
    for (const wake of this.waiters.splice(0)) wake();
    return new Promise((resolve) => {
      this.pending.set(job.pkgname, resolve);
      signal.addEventListener('abort', () => resolve({ outcome: { kind: 'infrastructure', reason: 'aborted' } }), { once: true });
    });
  }

  /** Ends the running job of `pkgname` as built. */
  finish(pkgname: string): void {
    const resolve = this.pending.get(pkgname);
    if (!resolve) throw new Error(`${pkgname} is not running on ${this.host}`);
    this.pending.delete(pkgname);
    resolve({ outcome: { kind: 'built', phases: [] } });
  }

  /** Ends whatever runs here, as built. */
  finishAll(): void {
    for (const pkgname of [...this.pending.keys()]) this.finish(pkgname);
  }

  get running(): number {
    return this.pending.size;
  }

  loseConnection(reason: string): void {
    for (const listener of this.lost) listener(reason);
  }

  reportLoad(load: HostLoad): void {
    for (const listener of this.loads) listener(load);
  }

  /** Resolves once `count` jobs have started here. */
  async startedCount(count: number): Promise<void> {
    while (this.started.length < count) await new Promise<void>((r) => this.waiters.push(r));
  }

  onLost(listener: (reason: string) => void): void {
    this.lost.push(listener);
  }

  onLoad(listener: (load: HostLoad) => void): void {
    this.loads.push(listener);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
