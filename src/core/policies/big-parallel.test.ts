// Big-parallel ports by history: which ports are, where the engine places
// them among hosts of both classes, that they never wait for their class,
// and that a host kept for the class takes them.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { manyCoresByHistory, placeByClass } from './big-parallel.js';
import type { HostView } from './policy.js';
import { policySet } from './policy-set.js';
import type { EngineCommand, Job } from '../engine/engine-events.js';
import { Engine, type PlanEntry } from '../engine/engine.js';
import type { Estimate, HostSpec } from '../model.js';

/** A recorded build: `wallS` in all, its build phase `buildWallS` long keeping `cores` busy on average. */
const recorded = (buildWallS: number, cores: number, source: Estimate['source'] = 'history'): Estimate => ({
  wallS: buildWallS + 30, cpuS: buildWallS * cores + 30, buildWallS, buildCpuS: buildWallS * cores, makeJobs: 4, source,
});

void test('a port is big-parallel by history when its build phase kept 3 cores busy and took 10 minutes of CPU', () => {
  const table: [string, Estimate, number | undefined][] = [
    ['llvm-like: 3.9 cores, 2 h of build CPU', recorded(1800, 3.9), 3.9],
    ['just at both thresholds', recorded(200, 3), 3],
    ['many cores, too little CPU to matter', recorded(100, 3.9), undefined],
    ['much CPU, mostly serial', recorded(3000, 2.5), undefined],
    ['a guess from another port says nothing of this one', recorded(1800, 3.9, 'estimate'), undefined],
    ['no build phase recorded', { ...recorded(0, 4), buildCpuS: 900 }, undefined],
  ];
  for (const [what, estimate, cores] of table) assert.equal(manyCoresByHistory(estimate), cores, what);
});

const view = (name: string, freeSlots: number): HostView => ({
  name, speed: 1, slots: 1, freeSlots, cores: 4, coresInUse: 0, freeCores: freeSlots > 0 ? 4 : 0, running: 0, slotFreeAt: 0,
  memoryMiB: undefined, memoryInUseMiB: 0, load: undefined,
});
const free = (views: readonly HostView[]): string[] => views.filter((v) => v.freeSlots > 0).map((v) => v.name);

void test('placement sees the free big-parallel hosts only for a big port, as if the others would never free, and every host otherwise', () => {
  const isBig = (name: string): boolean => name.startsWith('big');
  const big = recorded(1800, 3.9);
  const said = 'big-parallel by history (3.9 cores over 117 min of build CPU)';
  const table: [string, Estimate, HostView[], string[], string | undefined][] = [
    ['big port, a big host free', big, [view('plain', 1), view('big', 1)], ['big'], said],
    ['big port, big hosts busy: never waits', big, [view('plain', 1), view('big', 0)], ['plain'], `${said}, no big-parallel host free`],
    ['big port, no big host up: nothing to say', big, [view('plain', 1)], ['plain'], undefined],
    ['ordinary port: every host', recorded(1800, 1), [view('plain', 1), view('big', 1)], ['plain', 'big'], undefined],
  ];
  for (const [what, estimate, views, expected, why] of table) {
    const placed = placeByClass(estimate, views, isBig);
    assert.deepEqual(free(placed.views), expected, what);
    assert.equal(placed.why, why, what);
  }
  const hidden = placeByClass(big, [view('plain', 1), view('big', 1)], isBig).views[0]!;
  assert.equal(hidden.slotFreeAt, Infinity, 'a placement that waits for a faster host does not wait for a hidden one');
});

const entry = (name: string, estimate: Estimate): PlanEntry => ({
  pkgname: `${name}-1`, pkgpath: `c/${name}`, deps: [], initial: { status: 'open' }, estimate, makeJobsSafe: true,
});
const starts = (cmds: EngineCommand[]): Job[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job] : []));
const host = (name: string, more: Partial<HostSpec> = {}): HostSpec => ({ name, slots: 1, speed: 1, cores: 4, ...more });

void test('the engine starts a big port on the big-parallel host though a faster one is free, and the next big port on the faster one at once', () => {
  // Without the class, kiln's placement gives the most urgent job (llvm) the fastest free host (plain), cmake the other.
  const plan = [entry('llvm', recorded(1800, 3.9)), entry('cmake', recorded(1500, 3.8))];
  const e = new Engine(plan, { ...policySet('kiln', true), maxAttempts: 3 });
  const commands = e.begin(0, [host('plain', { speed: 2 }), host('big', { features: ['big-parallel'] })]);
  const first = starts(commands);
  assert.deepEqual(first.map((j) => `${j.pkgname}@${j.host}: ${j.placed ?? ''}`), [
    'llvm-1@big: big-parallel by history (3.9 cores over 117 min of build CPU)',
    'cmake-1@plain: big-parallel by history (3.8 cores over 95 min of build CPU), no big-parallel host free',
  ]);
  const building = commands.flatMap((c) => (c.type === 'status' && c.status === 'building' ? [`${c.pkgname}: ${c.reason ?? ''}`] : []));
  assert.deepEqual(building, first.map((j) => `${j.pkgname}: ${j.placed ?? ''}`), 'kiln why says it of a building package');
});

void test('a host kept for big-parallel ports takes those known by history, and no other', () => {
  const plan = [entry('small', recorded(5000, 1)), entry('llvm', recorded(1800, 3.9))];
  const e = new Engine(plan, { ...policySet('kiln', true), maxAttempts: 3 });
  const kept = host('big', { features: ['big-parallel'], mandatory: ['big-parallel'] });
  const first = starts(e.begin(0, [kept]));
  assert.deepEqual(first.map((j) => `${j.pkgname}@${j.host}`), ['llvm-1@big']);
  assert.deepEqual(e.unservedOnly(), undefined, 'a job runs');
  const none = starts(e.handle({ type: 'job-ended', at: 10, job: first[0]!.id, outcome: { kind: 'built', phases: [] } }));
  assert.deepEqual(none, [], 'the ordinary port waits for an ordinary host');
  assert.deepEqual(e.unservedOnly(), [{ pkgname: 'small-1', why: 'the hosts up keep themselves for jobs needing other features (mandatory= on big)' }]);
});
