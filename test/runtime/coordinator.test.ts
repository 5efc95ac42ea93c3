// The coordinator with executors the test controls (when a job ends, when a
// host is lost), so ordering is asserted without sleeps. The real executors
// are tested end to end in test/e2e.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';

import type { Job } from '../../src/core/engine/engine-events.js';
import { Engine, type PlanEntry } from '../../src/core/engine/engine.js';
import type { Estimate, JobOutcome } from '../../src/core/model.js';
import { evenMakeJobs } from '../../src/core/policies/make-jobs-even.js';
import { fastestFreePlacement } from '../../src/core/policies/placement-fastest.js';
import { pbulkPriority } from '../../src/core/policies/priority-pbulk.js';
import type { RunEvent } from '../../src/core/run-events.js';
import type { ConnectResult, Executor, JobWatcher } from '../../src/exec/executor.js';
import { Coordinator } from '../../src/runtime/coordinator.js';
import type { JobSetup } from '../../src/runtime/job-hooks.js';
import type { BuildJob, BuildReport } from '../../src/job/build-job.js';
import { RunStore } from '../../src/store/run-store.js';

const estimate: Estimate = { wallS: 1, cpuS: 1, buildWallS: 1, buildCpuS: 1, makeJobs: 1, source: 'estimate' };

function plan(spec: Record<string, string[]>): PlanEntry[] {
  return Object.entries(spec).map(([pkgname, deps]) => ({
    pkgname, pkgpath: `cat/${pkgname.replace(/-[0-9].*$/, '')}`, deps, initial: { status: 'open' }, estimate, makeJobsSafe: true,
  }));
}

/** An executor whose jobs end when the test says so. */
class ControlledExecutor implements Executor {
  readonly host: string;
  readonly started: BuildJob[] = [];
  private readonly pending = new Map<string, (report: BuildReport) => void>();
  private lost: ((reason: string) => void) | undefined;
  onStart: (job: BuildJob) => void = () => undefined;
  private waiters: (() => void)[] = [];

  constructor(host: string) {
    this.host = host;
  }

  connect(): Promise<ConnectResult> {
    return Promise.resolve({ ok: true, info: { arch: 'x86_64', os: 'linux', node: 'v20', cores: 2, memoryMiB: 1024 } });
  }

  run(job: BuildJob, _watcher: JobWatcher, signal: AbortSignal): Promise<BuildReport> {
    this.started.push(job);
    this.onStart(job);
    for (const w of this.waiters.splice(0)) w();
    return new Promise((resolve) => {
      this.pending.set(job.pkgname, resolve);
      signal.addEventListener('abort', () => resolve({ outcome: { kind: 'infrastructure', reason: 'aborted' } }), { once: true });
    });
  }

  finish(pkgname: string, outcome: JobOutcome = { kind: 'built', phases: [] }): void {
    const resolve = this.pending.get(pkgname);
    assert.ok(resolve, `${pkgname} is not running on ${this.host}`);
    this.pending.delete(pkgname);
    resolve({ outcome });
  }

  loseConnection(reason: string): void {
    this.lost?.(reason);
  }

  /** Resolves once `count` jobs have started here. */
  async startedCount(count: number): Promise<void> {
    while (this.started.length < count) await new Promise<void>((r) => this.waiters.push(r));
  }

  onLost(listener: (reason: string) => void): void {
    this.lost = listener;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('coordinator', () => {
  let logdir: string;
  let store: RunStore;

  beforeEach(() => {
    logdir = mkdtempSync(join(tmpdir(), 'kiln-coord-'));
    store = RunStore.open(logdir);
  });
  afterEach(() => {
    store.close();
    rmSync(logdir, { recursive: true, force: true });
  });

  function coordinator(entries: PlanEntry[], executors: ControlledExecutor[], signal = new AbortController().signal) {
    const run = store.beginRun(0, '[]');
    const engine = new Engine(entries, { priority: pbulkPriority, placement: fastestFreePlacement, makeJobs: evenMakeJobs, maxAttempts: 3 });
    const events: RunEvent[] = [];
    let t = 100;
    const setup = (job: Job): JobSetup => ({
      expectedS: 1, lastLogBytes: undefined,
      buildJob: {
        pkgname: job.pkgname, pkgpath: job.pkgpath, tree: '/nonexistent', dependencies: [], makeJobs: job.makeJobs, timeoutS: 60,
        logDir: join(logdir, job.pkgname), logFile: join(logdir, `${job.pkgname}.log`), packageDir: logdir,
        metadata: { comment: '', categories: '', maintainer: '', homepage: '', license: '', runDepends: [], buildDepends: [] },
      },
    });
    const c = new Coordinator({
      engine, store, run: run.id, logdir, signal, pollS: 0.05,
      hosts: executors.map((executor, i) => ({ executor, spec: { name: executor.host, slots: 1, speed: 2 - i, cores: 1 } })),
      sink: { emit: (e) => events.push(e) }, clock: { now: () => t++ },
      setup, finish: (_job, report) => report.outcome,
    });
    return { c, run: run.id, events, engine };
  }

  test('a job is in the store before its executor is asked to run it', async () => {
    const host = new ControlledExecutor('localhost');
    const { c, run } = coordinator(plan({ 'a-1': [], 'b-1': ['a-1'] }), [host]);
    const seen: string[] = [];
    host.onStart = (job) => {
      const rows = store.jobs(run).filter((j) => j.pkgname === job.pkgname && j.endedAt === undefined);
      seen.push(`${job.pkgname}:${rows.length}:${store.statuses(run).get(job.pkgname)?.status}`);
    };
    const result = c.run();
    await host.startedCount(1);
    host.finish('a-1');
    await host.startedCount(2);
    host.finish('b-1');
    assert.equal(await result, 'complete');
    assert.deepEqual(seen, ['a-1:1:building', 'b-1:1:building']);
    assert.deepEqual([...store.statuses(run).values()].map((s) => s.status), ['done', 'done']);
  });

  test('a lost host: its job goes back to the queue and another host builds it', async () => {
    const far = new ControlledExecutor('far');
    const near = new ControlledExecutor('near');
    const { c, run, events } = coordinator(plan({ 'a-1': [], 'b-1': [] }), [far, near]);
    const result = c.run();
    await far.startedCount(1);
    await near.startedCount(1);
    const onFar = far.started[0]!.pkgname;
    far.loseConnection('Timeout, server not responding');
    await near.startedCount(1);
    near.finish(near.started[0]!.pkgname);
    await near.startedCount(2);
    assert.equal(near.started[1]!.pkgname, onFar);
    near.finish(onFar);
    assert.equal(await result, 'complete');
    assert.ok(events.some((e) => e.type === 'host' && e.host === 'far' && e.state === 'down'));
    const jobs = store.jobs(run);
    assert.deepEqual(jobs.map((j) => [j.pkgname, j.host, j.outcome]).filter(([p]) => p === onFar), [[onFar, 'far', 'requeued'], [onFar, 'near', 'built']]);
  });

  test('a stop file drains: running jobs finish, nothing new starts', async () => {
    const host = new ControlledExecutor('localhost');
    const { c, run } = coordinator(plan({ 'a-1': [], 'b-1': ['a-1'] }), [host]);
    const result = c.run();
    await host.startedCount(1);
    writeFileSync(join(logdir, 'stop'), '');
    await new Promise((r) => setTimeout(r, 200));
    host.finish('a-1');
    assert.equal(await result, 'stopped');
    assert.equal(host.started.length, 1);
    assert.equal(store.statuses(run).get('b-1'), undefined, 'b-1 never left open');
  });

  test('Ctrl-C aborts running jobs and leaves the run to resume', async () => {
    const host = new ControlledExecutor('localhost');
    const controller = new AbortController();
    const { c, run } = coordinator(plan({ 'a-1': [] }), [host], controller.signal);
    const result = c.run();
    await host.startedCount(1);
    controller.abort();
    assert.equal(await result, 'interrupted');
    assert.equal(store.statuses(run).get('a-1')?.status, 'building', 'a resumed run restarts it');
  });
});
