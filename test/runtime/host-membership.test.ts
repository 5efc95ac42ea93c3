// Hosts joining and leaving a running build, through the coordinator with
// executors the test controls and a roster the test drives by hand: a host
// that joins gets jobs with the slots its own report gives, a host that
// leaves finishes what it runs and is closed, one that comes back builds
// again, and a host's measured load holds back new jobs there.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';

import type { Job } from '../../src/core/engine/engine-events.js';
import { Engine, type PlanEntry } from '../../src/core/engine/engine.js';
import type { Estimate, HostSpec } from '../../src/core/model.js';
import { evenMakeJobs } from '../../src/core/policies/make-jobs-even.js';
import { fastestFreePlacement } from '../../src/core/policies/placement-fastest.js';
import { pbulkPriority } from '../../src/core/policies/priority-pbulk.js';
import type { RunEvent } from '../../src/core/run-events.js';
import { Coordinator, type HostBinding } from '../../src/runtime/coordinator.js';
import type { JobSetup } from '../../src/runtime/job-hooks.js';
import type { HostRoster, RosterChanges } from '../../src/runtime/host-roster.js';
import { RunStore } from '../../src/store/run-store.js';
import { ControlledExecutor } from '../support/controlled-executor.js';

const estimate: Estimate = { wallS: 1, cpuS: 1, buildWallS: 1, buildCpuS: 1, makeJobs: 1, source: 'estimate' };

function plan(count: number): PlanEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    pkgname: `p${i}-1.0`, pkgpath: `cat/p${i}`, deps: [], initial: { status: 'open' }, estimate, makeJobsSafe: true,
  }));
}

class HandRoster implements HostRoster {
  changes: RosterChanges | undefined;
  start(changes: RosterChanges): void {
    this.changes = changes;
  }
  stop(): void {
    this.changes = undefined;
  }
}

const spec = (name: string, slots = 1): HostSpec => ({ name, slots, speed: 1, cores: slots });

/** Lets the coordinator's loop take what is queued (each step is synchronous once its input is there). */
async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

describe('hosts joining and leaving', () => {
  let logdir: string;
  let store: RunStore;

  beforeEach(() => {
    logdir = mkdtempSync(join(tmpdir(), 'kiln-members-'));
    store = RunStore.open(logdir);
  });
  afterEach(() => {
    store.close();
    rmSync(logdir, { recursive: true, force: true });
  });

  function coordinator(entries: PlanEntry[], hosts: HostBinding[]) {
    const run = store.beginRun(0, '[]');
    const engine = new Engine(entries, { priority: pbulkPriority, placement: fastestFreePlacement, makeJobs: evenMakeJobs, maxAttempts: 3 });
    const events: RunEvent[] = [];
    const roster = new HandRoster();
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
      engine, store, run: run.id, logdir, signal: new AbortController().signal, pollS: 0.05, hosts, roster,
      sink: { emit: (e) => events.push(e) }, clock: { now: () => t++ }, setup, finish: (_job, report) => report.outcome,
    });
    return { c, events, engine, roster };
  }

  const messages = (events: readonly RunEvent[]): string[] => events.flatMap((e) => (e.type === 'message' ? [e.text] : []));

  test('a host that joins gets jobs, with the slots its report gives', async () => {
    const a = new ControlledExecutor('a');
    const b = new ControlledExecutor('b', { arch: 'x86_64', os: 'linux', node: '20.0.0', cores: 3, memoryMiB: 4096 });
    const { c, events, roster } = coordinator(plan(5), [{ executor: a, spec: spec('a') }]);
    const result = c.run();
    await a.startedCount(1);
    roster.changes?.add({ executor: b, spec: spec('b'), specFor: (info) => spec('b', info.cores) });
    await b.startedCount(3);
    assert.equal(b.running, 3, 'three slots, as the host reported three cores');
    assert.equal(a.started.length, 1);
    a.finishAll();
    b.finishAll();
    await a.startedCount(2);
    a.finishAll();
    assert.equal(await result, 'complete');
    assert.ok(messages(events).includes('host b joins the build'));
    assert.ok(events.some((e) => e.type === 'host' && e.host === 'b' && e.state === 'up' && e.slots === 3), 'the host event carries its slots');
  });

  test('a host that leaves finishes its job, takes no new one, and is closed once idle; back again, it builds', async () => {
    const a = new ControlledExecutor('a');
    const b = new ControlledExecutor('b');
    const { c, events, roster } = coordinator(plan(4), [{ executor: a, spec: spec('a') }, { executor: b, spec: spec('b') }]);
    const result = c.run();
    await a.startedCount(1);
    await b.startedCount(1);
    roster.changes?.remove('a');
    await settle();
    assert.equal(a.closed, false, 'not while its job runs');
    a.finishAll();
    await settle();
    assert.equal(a.started.length, 1, 'no new job on a host that left');
    assert.equal(a.closed, true, 'closed once it ran nothing');
    b.finishAll();
    await b.startedCount(2);
    const again = new ControlledExecutor('a');
    roster.changes?.add({ executor: again, spec: spec('a') });
    await again.startedCount(1);
    again.finishAll();
    b.finishAll();
    await settle();
    again.finishAll();
    b.finishAll();
    assert.equal(await result, 'complete');
    assert.ok(messages(events).some((m) => m.startsWith('host a leaves the build')));
    assert.ok(messages(events).includes('host a is back in the build'));
  });

  test('a host whose measured load is too high starts fewer jobs', async () => {
    const a = new ControlledExecutor('a');
    const { c } = coordinator(plan(8), [{ executor: a, spec: spec('a', 4) }]);
    const result = c.run();
    await a.startedCount(4);
    a.reportLoad({ loadPerCore: 6, swapUsed: 0, memoryFreeMiB: 8192 });
    await settle();
    a.finish(a.started[0]!.pkgname);
    await settle();
    assert.equal(a.running, 3, 'the finished job is not replaced: the load holds the host to three');
    assert.equal(a.started.length, 4);
    const allDone = (): boolean => a.running === 0 && a.started.length === 8;
    for (let i = 0; i < 20 && !allDone(); i++) {
      a.finishAll();
      await settle();
    }
    assert.equal(await result, 'complete');
  });
});
