// Why an open package waits, from the engine's own state: each reason the
// engine can have, named as `kiln why` and engine.log say it.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { EngineCommand, Job } from './engine-events.js';
import { formatWaitReason } from './engine-why.js';
import { Engine, type PlanEntry } from './engine.js';
import type { Estimate } from '../model.js';
import { evenMakeJobs } from '../policies/make-jobs-even.js';
import { kilnPlacement } from '../policies/placement-kiln.js';
import { kilnPriority } from '../policies/priority-kiln.js';

const estimate = (memoryMiB?: number): Estimate =>
  ({ wallS: 10, cpuS: 10, buildWallS: 8, buildCpuS: 8, makeJobs: 1, source: 'history', ...(memoryMiB !== undefined && { memoryMiB }) });
const entry = (name: string, deps: string[] = [], memoryMiB?: number): PlanEntry => ({
  pkgname: `${name}-1`, pkgpath: `c/${name}`, deps: deps.map((d) => `${d}-1`), initial: { status: 'open' }, estimate: estimate(memoryMiB), makeJobsSafe: false,
});
const engine = (plan: PlanEntry[]): Engine => new Engine(plan, { priority: kilnPriority, placement: kilnPlacement, makeJobs: evenMakeJobs, maxAttempts: 3 });
const starts = (cmds: EngineCommand[]): Job[] => cmds.flatMap((c) => (c.type === 'start' ? [c.job] : []));
const why = (e: Engine, at: number, pkgname: string): string => {
  const reason = e.waitReasons(at, pkgname).get(pkgname);
  return reason === undefined ? 'not waiting' : formatWaitReason(reason);
};

void test('dependencies named, every slot busy with those before it, a drained host, a running package not waiting', () => {
  const e = engine([entry('lib'), entry('app', ['lib']), entry('tool', ['lib', 'other']), entry('other'), entry('more')]);
  const first = starts(e.begin(0, [{ name: 'h', slots: 1, speed: 1, cores: 1 }]));
  assert.equal(first.length, 1);
  const running = first[0]!.pkgname;
  assert.equal(why(e, 1, running), 'not waiting');
  assert.equal(why(e, 1, 'app-1'), running === 'lib-1' ? 'waits for its dependencies (still building: lib-1)' : 'waits for its dependencies (not started yet: lib-1)');
  assert.match(why(e, 1, 'tool-1'), /^waits for its dependencies \(.*other-1/);
  const ready = ['lib-1', 'other-1', 'more-1'].filter((n) => n !== running);
  const said = ready.map((n) => why(e, 1, n)).sort();
  assert.deepEqual(said, ['every slot is busy; 0 ready packages come before it', 'every slot is busy; 1 ready package comes before it']);
  assert.equal(e.waitReasons(1).size, 4, 'every open package has its reason');
  assert.equal(e.idleSlot(1), undefined, 'no slot is idle');
  e.handle({ type: 'drain', at: 2, host: 'h' });
  assert.equal(why(e, 2, ready[0]!), 'no host takes jobs: h draining');
});

void test('a free slot the memory admission keeps empty is an idle slot with work queued, and says so', () => {
  const e = engine([entry('big1', [], 9000), entry('big2', [], 9000)]);
  const first = starts(e.begin(0, [{ name: 'h', slots: 2, speed: 1, cores: 2, memoryMiB: 16000 }]));
  assert.equal(first.length, 1, 'two big jobs do not fit side by side');
  const waiting = first[0]!.pkgname === 'big1-1' ? 'big2-1' : 'big1-1';
  assert.equal(why(e, 1, waiting), 'a slot is free on h but the host\'s memory or load does not admit it');
  const idle = e.idleSlot(1);
  assert.equal(idle?.pkgname, waiting);
  assert.equal(idle?.queued, 1);
});

void test('a pkgpath locked by another run, and a disk short of space', () => {
  const e = engine([entry('a'), entry('b')]);
  e.begin(0, []);
  assert.equal(why(e, 0, 'b-1'), 'no host takes jobs: none is up yet');
  e.handle({ type: 'path-locked', at: 0, pkgpath: 'c/a', by: 'kiln pid 7 on far' });
  e.handle({ type: 'space-short', at: 0, where: '/repo', reason: '/repo has 10 MiB free, 1 GiB needed' });
  assert.deepEqual(starts(e.handle({ type: 'host-up', at: 0, host: { name: 'h', slots: 2, speed: 1, cores: 2 } })), []);
  assert.equal(why(e, 1, 'a-1'), 'its pkgpath is locked by another run: kiln pid 7 on far');
  assert.equal(why(e, 1, 'b-1'), 'no job starts while the disk is short of space: /repo has 10 MiB free, 1 GiB needed');
});
