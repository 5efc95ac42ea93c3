// The build's record of why packages wait: in the run's store for `kiln why`
// in another process, and one engine.log line per reason a slot stays idle.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { Engine, type PlanEntry } from '../core/engine/engine.js';
import { evenMakeJobs } from '../core/policies/make-jobs-even.js';
import { kilnPlacement } from '../core/policies/placement-kiln.js';
import { kilnPriority } from '../core/policies/priority-kiln.js';
import { RunStore } from '../store/run-store.js';
import { WAITING_KEY, type WaitingRecord } from '../store/waiting-record.js';
import { WaitRecord } from './wait-record.js';

const entry = (name: string, deps: string[] = []): PlanEntry => ({
  pkgname: `${name}-1`, pkgpath: `c/${name}`, deps: deps.map((d) => `${d}-1`), initial: { status: 'open' },
  estimate: { wallS: 10, cpuS: 10, buildWallS: 8, buildCpuS: 8, makeJobs: 1, source: 'history', memoryMiB: 9000 }, makeJobsSafe: false,
});

void test('the reasons of packages whose dependencies are built go to the store; an idle slot is said once per reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-wait-record-'));
  const store = RunStore.open(dir);
  try {
    const run = store.beginRun(0, '[]').id;
    const engine = new Engine([entry('big1'), entry('big2'), entry('app', ['big1'])], { priority: kilnPriority, placement: kilnPlacement, makeJobs: evenMakeJobs, maxAttempts: 3 });
    engine.begin(0, [{ name: 'h', slots: 2, speed: 1, cores: 2, memoryMiB: 16000 }]);
    const said: string[] = [];
    const record = new WaitRecord({ engine, store, run, now: () => 5, pkgpathOf: (name) => `c/${name.replace(/-1$/, '')}`, say: (t) => said.push(t) });
    record.start();
    const written = JSON.parse(store.get(WAITING_KEY) ?? '') as WaitingRecord;
    assert.equal(written.run, run);
    const waiting = Object.keys(written.open);
    assert.equal(waiting.length, 1, `one big package waits for memory, app for its dependency (told from the statuses): ${waiting.join(' ')}`);
    assert.match(written.open[waiting[0]!]!.reason, /^a slot is free on h but the host's memory or load does not admit it$/);
    record.stepped();
    record.stepped();
    assert.deepEqual(said, [`a slot is idle with 1 queued: ${waiting[0]!} a slot is free on h but the host's memory or load does not admit it`]);
    record.stop();
    assert.equal(store.get(WAITING_KEY), '', 'no build answers once it stops');
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('while an allocation is pending, what waits for a host says it waits for it; what waits for something else says that', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-wait-record-'));
  const store = RunStore.open(dir);
  try {
    const run = store.beginRun(0, '[]').id;
    const engine = new Engine([entry('lib'), entry('app', ['lib'])], { priority: kilnPriority, placement: kilnPlacement, makeJobs: evenMakeJobs, maxAttempts: 3 });
    engine.begin(0, []);
    const record = new WaitRecord({ engine, store, run, now: () => 5, pkgpathOf: (name) => `c/${name.replace(/-1$/, '')}`, say: () => undefined });
    const reasons = (): Record<string, string> => {
      record.write();
      const open = (JSON.parse(store.get(WAITING_KEY) ?? '') as WaitingRecord).open;
      return Object.fromEntries(Object.entries(open).map(([path, w]) => [path, w.reason]));
    };
    assert.deepEqual(reasons(), { 'c/lib': 'no host takes jobs: none is up yet' });
    record.awaiting('Slurm allocation (Resources)');
    assert.deepEqual(reasons(), { 'c/lib': 'waiting for a Slurm allocation (Resources)' });
    record.awaiting(undefined);
    assert.deepEqual(reasons(), { 'c/lib': 'no host takes jobs: none is up yet' });
    record.stop();
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
