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

const view = (name: string, freeSlots: number, speed = 1, cores = 4): HostView => ({
  name, speed, slots: 1, freeSlots, cores, coresInUse: 0, freeCores: freeSlots > 0 ? cores : 0, running: 0, slotFreeAt: 0,
  memoryMiB: undefined, memoryInUseMiB: 0, load: undefined,
});
const free = (views: readonly HostView[]): string[] => views.filter((v) => v.freeSlots > 0).map((v) => v.name);

void test('placement sees the free big-parallel hosts only for a big port, and the ordinary ones for others while they serve as well', () => {
  const isBig = (name: string): boolean => name.startsWith('big');
  const big = { estimate: recorded(1800, 3.9), plannedMakeJobs: 1 };
  const small = { estimate: recorded(1800, 1), plannedMakeJobs: 1 };
  const said = 'big-parallel by history (3.9 cores over 117 min of build CPU)';
  const table: [string, typeof big, HostView[], string[], string | undefined][] = [
    ['big port, a big host free', big, [view('plain', 1), view('big', 1)], ['big'], said],
    ['big port, big hosts busy: never waits', big, [view('plain', 1), view('big', 0)], ['plain'], `${said}, no big-parallel host free`],
    ['big port, no big host up: nothing to say', big, [view('plain', 1)], ['plain'], undefined],
    ['ordinary port, an ordinary host free: the big one stays for big ports', small, [view('plain', 1), view('big', 1)], ['plain'], undefined],
    ['ordinary port, ordinary hosts busy: takes the big one', small, [view('plain', 0), view('big', 1)], ['big'], undefined],
    ['ordinary port, the free ordinary host slower', small, [view('plain', 1, 0.5), view('big', 1)], ['plain', 'big'], undefined],
    ['ordinary port planned wider than the ordinary host', { ...small, plannedMakeJobs: 8 }, [view('plain', 1), view('big', 1, 1, 16)], ['plain', 'big'], undefined],
  ];
  for (const [what, job, views, expected, why] of table) {
    const placed = placeByClass(job, views, isBig);
    assert.deepEqual(free(placed.views), expected, what);
    assert.equal(placed.why, why, what);
  }
});

const entry = (name: string, estimate: Estimate): PlanEntry => ({
  pkgname: `${name}-1`, pkgpath: `c/${name}`, deps: [], initial: { status: 'open' }, estimate, makeJobsSafe: true,
});
const starts = (cmds: EngineCommand[]): Job[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job] : []));
const host = (name: string, more: Partial<HostSpec> = {}): HostSpec => ({ name, slots: 1, speed: 1, cores: 4, ...more });

void test('the engine starts a big port on the big-parallel host even behind a more urgent ordinary one, and never holds it back', () => {
  // The ordinary port is longer, so more urgent: it would take the first free host, the big host among them.
  const plan = [entry('small', recorded(5000, 1)), entry('llvm', recorded(1800, 3.9)), entry('cmake', recorded(1500, 3.8))];
  const e = new Engine(plan, { ...policySet('kiln', true), maxAttempts: 3 });
  const first = starts(e.begin(0, [host('big', { features: ['big-parallel'] }), host('plain')]));
  assert.deepEqual(first.map((j) => `${j.pkgname}@${j.host}`).sort(), ['llvm-1@big', 'small-1@plain']);
  assert.match(first.find((j) => j.host === 'big')!.placed ?? '', /^big-parallel by history \(3\.9 cores/);
  assert.equal(first.find((j) => j.host === 'plain')!.placed, undefined);
  // The plain host frees first, the big one is busy: cmake takes the plain host at once.
  const next = starts(e.handle({ type: 'job-ended', at: 10, job: first.find((j) => j.host === 'plain')!.id, outcome: { kind: 'built', phases: [] } }));
  assert.deepEqual(next.map((j) => `${j.pkgname}@${j.host}`), ['cmake-1@plain']);
  assert.match(next[0]!.placed ?? '', /no big-parallel host free$/);
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
