// --random SEED: the engine builds in a seeded random order among ready
// packages: the same seed gives the same order, another seed another, and
// dependencies still come first.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { EngineCommand, Job } from '../engine/engine-events.js';
import { Engine, type PlanEntry } from '../engine/engine.js';
import type { Estimate } from '../model.js';
import { randomOrder, randomPriority } from './priority-random.js';
import { BuildGraph } from '../resolve/graph.js';

const estimate: Estimate = { wallS: 10, cpuS: 10, buildWallS: 8, buildCpuS: 8, makeJobs: 1, source: 'history' };
/** 30 ports: p0..p29, each p(i) for i >= 10 needing p(i - 10). */
const plan: PlanEntry[] = Array.from({ length: 30 }, (_, i) => ({
  pkgname: `p${i}-1`, pkgpath: `c/p${i}`, deps: i >= 10 ? [`p${i - 10}-1`] : [], initial: { status: 'open' }, estimate, makeJobsSafe: true,
}));
const starts = (cmds: EngineCommand[]): Job[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job] : []));

/** The order in which one slot builds the plan under `seed`. */
function order(seed: number, entries: readonly PlanEntry[] = plan): string[] {
  const e = new Engine(entries, { ...randomOrder(seed), maxAttempts: 3 });
  const names: string[] = [];
  let running = starts(e.begin(0, [{ name: 'h', slots: 1, speed: 1, cores: 1 }]));
  for (let at = 1; running.length > 0; at++) {
    const job = running[0]!;
    names.push(job.pkgname);
    running = starts(e.handle({ type: 'job-ended', at, job: job.id, outcome: { kind: 'built', phases: [] } }));
  }
  return names;
}

void test('the same seed builds in the same order, other seeds in others, dependencies first', () => {
  const a = order(42);
  assert.equal(a.length, 30);
  assert.deepEqual(order(42), a);
  const others = [1, 2, 3, 4].map((seed) => order(seed).join(' '));
  assert.equal(new Set([a.join(' '), ...others]).size, 5, 'five seeds, five orders');
  for (const seedOrder of [a, order(7)]) {
    for (let i = 10; i < 30; i++) assert.ok(seedOrder.indexOf(`p${i}-1`) > seedOrder.indexOf(`p${i - 10}-1`), `p${i - 10} before p${i}`);
  }
  // Not the chains' heads first, as an order by what depends on a package would have it.
  assert.ok(a.slice(0, 10).some((n) => Number(n.slice(1, -2)) >= 10), `the first ten are not all chain heads: ${a.slice(0, 10).join(' ')}`);
});

void test('a package\'s rank depends on the seed and its name, not on where the plan lists it', () => {
  const graph = BuildGraph.from(plan);
  const reversed = BuildGraph.from([...plan].reverse());
  const score = randomPriority(9).priorities(graph, []);
  const again = randomPriority(9).priorities(reversed, []);
  for (let id = 0; id < graph.size; id++) assert.equal(again[reversed.id(graph.pkgnames[id]!)!], score[id]);
  assert.deepEqual(order(9, [...plan].reverse()), order(9));
});
