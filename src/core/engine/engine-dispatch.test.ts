import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dispatchRound, type DispatchSnapshot } from './engine-dispatch.js';
import { HostPool } from './engine-hosts.js';
import { IdHeap } from './heap.js';
import type { Estimate } from '../model.js';
import { memoryAdmission } from '../policies/admission-memory.js';
import { evenMakeJobs } from '../policies/make-jobs-even.js';
import { fastestFreePlacement } from '../policies/placement-fastest.js';
import { backfillReservation } from '../policies/reservation-backfill.js';
import { wallAt } from '../estimate/speedup.js';

const estimate: Estimate = { wallS: 100, cpuS: 100, buildWallS: 80, buildCpuS: 80, makeJobs: 1, source: 'history' };

void test('a round decides from a snapshot it leaves as it was: starts by priority, parks a second job of a busy pkgpath', () => {
  const hosts = new HostPool();
  hosts.up({ name: 'fast', slots: 2, speed: 2, cores: 2 }, 'up');
  hosts.up({ name: 'slow', slots: 1, speed: 1, cores: 1 }, 'up');
  // Ids 0..4, highest priority first; 1 and 2 share a pkgpath; 4 is held by another run.
  const priority = Float64Array.from([50, 40, 30, 20, 45]);
  const ready = new IdHeap(priority);
  for (const id of [3, 2, 4, 1, 0]) ready.push(id);
  const pkgpaths = ['cat/a', 'cat/b', 'cat/b', 'cat/d', 'cat/e'];
  const n = pkgpaths.length;
  const snapshot: DispatchSnapshot = {
    hosts, ready, priority, tail: () => new Float64Array(n).fill(100), duration: () => new Float64Array(n).fill(100),
    plannedMakeJobs: () => undefined, estimates: new Array<Estimate>(n).fill(estimate), pkgnames: pkgpaths.map((p) => `${p.slice(4)}-1`),
    pkgpaths, makeJobsSafe: new Array<boolean>(n).fill(true), placement: fastestFreePlacement, makeJobs: evenMakeJobs,
    admission: memoryAdmission(), reservation: backfillReservation, expect: wallAt, remainingWork: () => 500, remainingCoreWork: () => 500,
    isOpen: () => true, upcoming: () => [], pathBusy: (pkgpath) => pkgpath === 'cat/e',
  };
  const decision = dispatchRound(snapshot, 0);
  assert.deepEqual(decision.starts.map((s) => [s.id, s.host]), [[0, 'fast'], [1, 'fast'], [3, 'slow']]);
  assert.deepEqual(decision.parked, [4, 2], 'held by another run, then busy with a job this round starts');
  assert.equal(decision.taken, 5);
  assert.deepEqual(decision.setAside, []);
  assert.equal(ready.size, 5, 'the ready queue is the engine\'s to change');
  assert.deepEqual([...hosts.all()].map((h) => hosts.freeSlots(h)), [2, 1], 'so are the hosts');
  assert.equal(hosts.running.size, 0);
});
