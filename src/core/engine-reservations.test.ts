import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { PlanEntry } from './engine.js';
import type { Estimate, HostSpec } from './model.js';
import { kilnPlacement } from './policies/placement-kiln.js';
import type { MakeJobsPolicy } from './policies/policy.js';
import { kilnPriority } from './policies/priority-kiln.js';
import { simulate } from './simulator.js';
import { wallAt } from './speedup.js';

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
