import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { PlanEntry } from '../engine/engine.js';
import type { Estimate, HostSpec } from '../model.js';
import { evenMakeJobs } from '../policies/make-jobs-even.js';
import { policySet } from '../policies/policy-set.js';
import { simulate } from './simulator.js';
import { wallAt } from '../estimate/speedup.js';

/** A job whose build is all parallel: `cpuS` CPU seconds recorded over `wallS` at `makeJobs`. */
const parallel = (wallS: number, cpuS: number, makeJobs: number): Estimate => ({ wallS, cpuS, buildWallS: wallS, buildCpuS: cpuS, makeJobs, source: 'history' });

function entries(spec: Record<string, Estimate>): PlanEntry[] {
  return Object.entries(spec).map(([pkgname, estimate]) => ({ pkgname, pkgpath: `c/${pkgname}`, deps: [], initial: { status: 'open' }, estimate, makeJobsSafe: estimate.makeJobs > 1 }));
}

function run(plan: PlanEntry[], host: HostSpec, jobserver: boolean) {
  return simulate({
    plan, hosts: [host], config: { ...policySet('kiln', true), makeJobs: evenMakeJobs, maxAttempts: 3 }, trace: true, jobserver,
    actual: (id, m) => wallAt(plan[id]!.estimate, m), cpuSeconds: (id) => plan[id]!.estimate.cpuS,
  });
}

void test('jobserver: the cores a short job frees go to the long one still running; every job still costs its CPU seconds', () => {
  // 8 cores, 2 slots, every job at the even share of cores. long: 800 CPU seconds, all parallel; short: 80.
  const plan = entries({ long: parallel(200, 800, 4), short: parallel(20, 80, 4) });
  const host: HostSpec = { name: 'h', slots: 2, speed: 1, cores: 8 };
  const fixed = run(plan, host, false);
  const moving = run(plan, host, true);
  const long = moving.jobs.find((j) => j.pkgname === 'long')!;
  const short = moving.jobs.find((j) => j.pkgname === 'short')!;
  // Each starts with the even share, 4 make jobs: short ends at 20 s, long has done 80 of its 800 CPU seconds.
  assert.deepEqual([long.makeJobs, short.makeJobs, short.end], [4, 4, 20]);
  assert.equal(fixed.makespanS, 200, 'fixed make jobs: long keeps 4 to the end');
  // Then long has all 8 cores: 720 CPU seconds in 90 s, not less (its CPU seconds / cores).
  assert.equal(long.mostMakeJobs, 8, 'once short ended, long has every core');
  assert.equal(moving.makespanS, 110);
  assert.ok(Math.abs(moving.coreSeconds - 880) < 1e-6, `busy core-seconds ${moving.coreSeconds}: the recorded CPU seconds`);
});

void test('jobserver: MAKE_JOBS_SAFE=no stays at one make job whatever is free', () => {
  const plan = entries({ serial: parallel(100, 100, 1), other: parallel(10, 40, 4) });
  const result = run(plan, { name: 'h', slots: 2, speed: 1, cores: 8 }, true);
  const serial = result.jobs.find((j) => j.pkgname === 'serial')!;
  assert.equal(serial.mostMakeJobs, 1);
  assert.equal(serial.end - serial.start, 100);
});
