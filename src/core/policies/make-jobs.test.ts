import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BuildGraph } from '../resolve/graph.js';
import type { Estimate } from '../model.js';
import { wallAt } from '../estimate/speedup.js';
import { planMakeJobs } from './core-plan.js';
import { evenMakeJobs } from './make-jobs-even.js';
import { kilnMakeJobs } from './make-jobs-kiln.js';
import type { Candidate, HostView } from './policy.js';

const estimate: Estimate = { wallS: 100, cpuS: 360, buildWallS: 100, buildCpuS: 360, makeJobs: 4, source: 'history' };
const host = (cores: number, freeCores: number, slots = 8): HostView => ({
  name: 'h', speed: 1, slots, freeSlots: 1, cores, coresInUse: cores - freeCores, freeCores, running: 1,
  slotFreeAt: 0, memoryMiB: undefined, memoryInUseMiB: 0, load: undefined,
});
const job = (extra: Partial<Candidate>): Candidate => ({
  id: 0, pkgname: 'p-1', priority: 1, estimate, makeJobsSafe: true, waiting: 3, topPriority: 1,
  durationS: 100, tailS: 100, plannedMakeJobs: 1, backlogS: 1000, ...extra,
});

void test('even: each slot its share of the cores; MAKE_JOBS_SAFE=no one', () => {
  assert.equal(evenMakeJobs.makeJobs(job({}), host(16, 16, 4)), 4);
  assert.equal(evenMakeJobs.makeJobs(job({}), host(4, 4, 8)), 1);
  assert.equal(evenMakeJobs.makeJobs(job({ makeJobsSafe: false }), host(16, 16, 4)), 1);
});

void test('kiln: the plan\'s make jobs; at the tail a share of the free cores; never more than the host has', () => {
  const table: [string, Candidate, HostView, number][] = [
    ['planned', job({ plannedMakeJobs: 6 }), host(16, 16), 6],
    ['not at the tail: the plan even with cores free', job({ plannedMakeJobs: 1, backlogS: 500 }), host(16, 12), 1],
    ['tail: free cores split with the 3 others ready', job({ plannedMakeJobs: 1, backlogS: 50 }), host(16, 12), 3],
    ['tail, alone: every free core', job({ plannedMakeJobs: 2, backlogS: 50, waiting: 0 }), host(16, 12), 12],
    ['unsafe', job({ plannedMakeJobs: 6, makeJobsSafe: false }), host(16, 16), 1],
    ['capped at the host', job({ plannedMakeJobs: 32 }), host(16, 16), 16],
  ];
  for (const [what, candidate, view, expected] of table) assert.equal(kilnMakeJobs.makeJobs(candidate, view), expected, what);
});

void test('core plan: the long job on the critical path gets make jobs, the others their even share', () => {
  // long (parallel build) -> tail; six small independent ports. 8 cores, 8 slots.
  const small: Estimate = { wallS: 50, cpuS: 50, buildWallS: 40, buildCpuS: 40, makeJobs: 1, source: 'history' };
  const nodes = [
    { pkgname: 'long', pkgpath: 'c/long', deps: [] }, { pkgname: 'tail', pkgpath: 'c/tail', deps: ['long'] },
    ...[1, 2, 3, 4, 5, 6].map((i) => ({ pkgname: `s${i}`, pkgpath: `c/s${i}`, deps: [] })),
  ];
  const graph = BuildGraph.from(nodes);
  const estimates = [{ ...estimate, wallS: 1000, buildWallS: 950, buildCpuS: 3700, cpuS: 3750 }, small, small, small, small, small, small, small];
  const safe = [true, true, false, false, false, false, false, false];
  const plan = planMakeJobs(graph, estimates, safe, { cores: 8, largestHostCores: 8, slots: 8, equivalentSlots: 8, equivalentCores: 8 }, wallAt);
  assert.ok(plan[0]! > 1, `long gets more than one: ${plan[0]}`);
  assert.deepEqual([...plan.slice(2)], [1, 1, 1, 1, 1, 1], 'unsafe ports stay at one');
  assert.ok(plan[0]! <= 8);
  const fewSlots = planMakeJobs(graph, estimates, safe, { cores: 8, largestHostCores: 8, slots: 2, equivalentSlots: 2, equivalentCores: 8 }, wallAt);
  assert.equal(fewSlots[1], 4, 'two slots on eight cores: an even share of four');
});
