import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { PlanEntry } from './engine.js';
import type { Estimate, HostSpec } from '../model.js';
import { kilnPlacement } from '../policies/placement-kiln.js';
import type { MakeJobsPolicy } from '../policies/policy.js';
import { kilnPriority } from '../policies/priority-kiln.js';
import { simulate } from '../simulation/simulator.js';
import { wallAt } from '../estimate/speedup.js';

const serial = (wallS: number): Estimate => ({ wallS, cpuS: wallS, buildWallS: wallS, buildCpuS: wallS, makeJobs: 1, source: 'history' });
// Recorded at 4 make jobs: 120 s, all of it a fully parallel build (480 CPU seconds).
const wide: Estimate = { wallS: 120, cpuS: 480, buildWallS: 120, buildCpuS: 480, makeJobs: 4, source: 'history' };

const entries: PlanEntry[] = ([
  ['dep', serial(10), []], ['wide', wide, ['dep']], ['f1', serial(100), []], ['f2', serial(100), []],
  ['f3', serial(100), []], ['short', serial(5), []],
] as const).map(([pkgname, estimate, deps]) => ({
  pkgname, pkgpath: `c/${pkgname}`, deps: [...deps], initial: { status: 'open' }, estimate, makeJobsSafe: estimate.makeJobs > 1,
}));

/** A plan that gives `wide` four make jobs and every other job one. */
const planned: MakeJobsPolicy = {
  name: 'test-plan',
  makeJobs: (job) => job.plannedMakeJobs,
  plan: (graph) => Int32Array.from(graph.pkgnames, (name) => (name === 'wide' ? 4 : 1)),
};

function run(makeJobs: MakeJobsPolicy): ReturnType<typeof simulate> {
  const hosts: HostSpec[] = [{ name: 'h', slots: 4, speed: 1, cores: 4 }];
  return simulate({
    plan: entries, hosts, trace: true,
    config: { priority: kilnPriority, placement: kilnPlacement, makeJobs, maxAttempts: 3 },
    actual: (id, m) => wallAt(entries[id]!.estimate, m),
  });
}

void test('a wide job keeps the cores it will need once its dependency ends; only a job that ends before may use them', () => {
  const result = run(planned);
  const at = (name: string) => result.jobs.find((j) => j.pkgname === name)!;
  assert.deepEqual(result.jobs.filter((j) => j.start === 0).map((j) => j.pkgname).sort(), ['dep', 'short']);
  assert.deepEqual([at('wide').start, at('wide').makeJobs], [10, 4]);
  assert.deepEqual(['f1', 'f2', 'f3'].map((name) => at(name).start), [130, 130, 130]);
  assert.equal(result.makespanS, 230);
});

void test('without the plan the fillers take the cores first and the wide job runs narrow', () => {
  const even: MakeJobsPolicy = { name: 'one', makeJobs: () => 1 };
  const result = run(even);
  const wideJob = result.jobs.find((j) => j.pkgname === 'wide')!;
  assert.equal(wideJob.makeJobs, 1);
  assert.ok(result.makespanS > 230, `${result.makespanS}`);
});

/** `a` then two jobs that need it, each on the critical path, and independent fillers of `fillerS` seconds. */
function twoSuccessors(fillers: number, fillerS: number): PlanEntry[] {
  const jobs: [string, number, string[]][] = [['a', 10, []], ['b1', 100, ['a']], ['b2', 100, ['a']]];
  for (let i = 1; i <= fillers; i++) jobs.push([`f${i}`, fillerS, []]);
  return jobs.map(([pkgname, wallS, deps]) => ({
    pkgname, pkgpath: `c/${pkgname}`, deps, initial: { status: 'open' }, estimate: serial(wallS), makeJobsSafe: false,
  }));
}

function runSlots(plan: PlanEntry[], slots: number): ReturnType<typeof simulate> {
  return simulate({
    plan, hosts: [{ name: 'h', slots, speed: 1, cores: slots }], trace: true,
    config: { priority: kilnPriority, placement: kilnPlacement, makeJobs: { name: 'one', makeJobs: () => 1 }, maxAttempts: 3 },
    actual: (id) => plan[id]!.estimate.wallS,
  });
}

void test('when the work fits, a slot is kept for each urgent job that a running job will free, so both start when it ends', () => {
  // 8 slots, 350 s of work and a 110 s critical path: a and six fillers start
  // at once; one slot stays empty for b2 (b1 gets a's own slot), and the last
  // filler waits for a slot the critical path does not need.
  const result = runSlots(twoSuccessors(7, 20), 8);
  const start = (name: string): number => result.jobs.find((j) => j.pkgname === name)!.start;
  assert.deepEqual([start('b1'), start('b2')], [10, 10]);
  assert.equal(result.jobs.filter((j) => j.start === 0).length, 7);
  assert.equal(start('f7'), 20);
  assert.equal(result.makespanS, 110);
});

void test('when the work does not fit in the slots left, no slot is kept idle: every slot takes a job at once', () => {
  // 1,020 s of work over 8 slots is longer than the 110 s critical path: the slots are the bound.
  const result = runSlots(twoSuccessors(9, 90), 8);
  assert.equal(result.jobs.filter((j) => j.start === 0).length, 8);
  assert.equal(result.jobs.find((j) => j.pkgname === 'b2')!.start, 90);
});
