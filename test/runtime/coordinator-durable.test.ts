// The coordinator's parts for never losing work, with an executor the test
// controls: a job a hook refuses (its pkgpath locked by another run) never
// reaches the executor and runs once the lock goes; a package found current
// by `check` is never built; a job infrastructure failed waits, its slot
// kept, before it is tried again, and says so.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';

import type { EngineEvent, Job } from '../../src/core/engine/engine-events.js';
import { Engine, type InitialState, type PlanEntry } from '../../src/core/engine/engine.js';
import type { Estimate } from '../../src/core/model.js';
import { evenMakeJobs } from '../../src/core/policies/make-jobs-even.js';
import { fastestFreePlacement } from '../../src/core/policies/placement-fastest.js';
import { pbulkPriority } from '../../src/core/policies/priority-pbulk.js';
import type { RunEvent } from '../../src/core/run-events.js';
import type { ConnectResult, Executor } from '../../src/exec/executor.js';
import { Coordinator, type CoordinatorOptions } from '../../src/runtime/coordinator.js';
import type { JobSetup } from '../../src/runtime/job-hooks.js';
import type { BuildJob, BuildReport } from '../../src/job/build-job.js';
import { RunStore } from '../../src/store/run-store.js';

const estimate: Estimate = { wallS: 1, cpuS: 1, buildWallS: 1, buildCpuS: 1, makeJobs: 1, source: 'estimate' };

/** Every job ends at once with the outcome `outcomeOf` gives it. */
class InstantExecutor implements Executor {
  readonly host = 'localhost';
  readonly ran: { pkgname: string; at: number }[] = [];
  constructor(private readonly outcomeOf: (job: BuildJob, attempt: number) => BuildReport) {}
  connect(): Promise<ConnectResult> {
    return Promise.resolve({ ok: true, info: { arch: 'x86_64', os: 'linux', node: 'v20', cores: 2, memoryMiB: 1024 } });
  }
  run(job: BuildJob): Promise<BuildReport> {
    this.ran.push({ pkgname: job.pkgname, at: Date.now() });
    return Promise.resolve(this.outcomeOf(job, this.ran.filter((r) => r.pkgname === job.pkgname).length));
  }
  onLost(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('coordinator: locks, checks, retries', () => {
  let logdir: string;
  let store: RunStore;
  beforeEach(() => {
    logdir = mkdtempSync(join(tmpdir(), 'kiln-coord-durable-'));
    store = RunStore.open(logdir);
  });
  afterEach(() => {
    store.close();
    rmSync(logdir, { recursive: true, force: true });
  });

  function coordinator(spec: Record<string, string[]>, executor: Executor, extra: Partial<CoordinatorOptions>, initial: Record<string, InitialState> = {}) {
    const plan: PlanEntry[] = Object.entries(spec).map(([pkgname, deps]) => ({
      pkgname, pkgpath: `cat/${pkgname.replace(/-[0-9].*$/, '')}`, deps, initial: initial[pkgname] ?? { status: 'open' }, estimate, makeJobsSafe: true,
    }));
    const run = store.beginRun(0, '[]');
    const engine = new Engine(plan, { priority: pbulkPriority, placement: fastestFreePlacement, makeJobs: evenMakeJobs, maxAttempts: 3 });
    const events: RunEvent[] = [];
    const setup = (job: Job): JobSetup => ({
      expectedS: 1, lastLogBytes: undefined,
      buildJob: {
        pkgname: job.pkgname, pkgpath: job.pkgpath, tree: '/nonexistent', dependencies: [], makeJobs: 1, timeoutS: 60,
        logDir: join(logdir, job.pkgname), logFile: join(logdir, `${job.pkgname}.log`), packageDir: logdir,
        metadata: { comment: '', categories: '', maintainer: '', homepage: '', license: '', runDepends: [], buildDepends: [] },
      },
    });
    const c = new Coordinator({
      engine, store, run: run.id, logdir, signal: new AbortController().signal, pollS: 0.05,
      hosts: [{ executor, spec: { name: 'localhost', slots: 1, speed: 1, cores: 1 } }],
      sink: { emit: (e) => events.push(e) }, clock: { now: () => Date.now() / 1000 },
      setup, finish: (_job, report) => report.outcome, ...extra,
    });
    return { c, run: run.id, events, engine };
  }

  const built: BuildReport = { outcome: { kind: 'built', phases: [] } };

  test('a job refused by a hook never reaches its executor; it runs once the lock goes', async () => {
    const executor = new InstantExecutor(() => built);
    let locked = true;
    let push: ((e: EngineEvent) => void) | undefined;
    const { c, run } = coordinator({ 'a-1': [] }, executor, {
      hooks: [{ starting: (job) => (locked ? { type: 'path-locked', at: job.startedAt, pkgpath: job.pkgpath, by: 'another run', job: job.id } : undefined) }],
      sources: [{ start: (p) => { push = p; }, stop: () => undefined }],
      check: () => Promise.resolve({ status: 'open' }),
    });
    const result = c.run();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(executor.ran.length, 0, 'not run while locked');
    locked = false;
    push!({ type: 'path-unlocked', at: Date.now() / 1000, pkgpath: 'cat/a' });
    assert.equal(await result, 'complete');
    assert.deepEqual(executor.ran.map((r) => r.pkgname), ['a-1']);
    assert.deepEqual(store.jobs(run).map((j) => [j.outcome, j.attempt]), [['requeued', 1], ['built', 1]]);
  });

  test('a package `check` finds current is up to date, and what needs it is built', async () => {
    const executor = new InstantExecutor(() => built);
    const asked: string[] = [];
    const { c, run } = coordinator({ 'lib-1': [], 'app-1': ['lib-1'], 'tool-1': ['app-1'] }, executor, {
      check: (pkgname) => { asked.push(pkgname); return Promise.resolve(pkgname === 'app-1' ? { status: 'up-to-date' } : { status: 'open' }); },
    }, { 'app-1': { status: 'open', recheck: true }, 'tool-1': { status: 'open', recheck: true } });
    assert.equal(await c.run(), 'complete');
    assert.deepEqual(asked, ['app-1', 'tool-1']);
    assert.deepEqual(executor.ran.map((r) => r.pkgname), ['lib-1', 'tool-1']);
    assert.equal(store.statuses(run).get('app-1')?.status, 'up-to-date');
  });

  test('an infrastructure failure waits before its retry, saying why and for how long', async () => {
    const executor = new InstantExecutor((_job, attempt) => (attempt === 1 ? { outcome: { kind: 'infrastructure', reason: 'disk full' } } : built));
    const { c, events } = coordinator({ 'a-1': [] }, executor, { retryPauseS: () => 0.4 });
    assert.equal(await c.run(), 'complete');
    assert.equal(executor.ran.length, 2);
    assert.ok(executor.ran[1]!.at - executor.ran[0]!.at >= 380, `retried after ${executor.ran[1]!.at - executor.ran[0]!.at} ms`);
    assert.ok(events.some((e) => e.type === 'message' && e.text === 'a-1 on localhost: disk full; it is tried again in 0.4 s'));
  });
});
