import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Estimate } from '../model.js';
import { anyFreePlacement } from './placement-any.js';
import { binsForSpeed, dpbBin, dpbPlacement, UNKNOWN_BIN } from './placement-dpb.js';
import { fastestFreePlacement } from './placement-fastest.js';
import { kilnPlacement } from './placement-kiln.js';
import type { Candidate, DispatchRound, HostView } from './policy.js';

const host = (name: string, speed: number, freeSlots: number, extra: Partial<HostView> = {}): HostView => ({
  name, speed, slots: 4, freeSlots, cores: 4, coresInUse: 4 - freeSlots, freeCores: freeSlots, running: 4 - freeSlots,
  slotFreeAt: 0, memoryMiB: undefined, memoryInUseMiB: 0, load: undefined, ...extra,
});
const estimate = (wallS: number, source: Estimate['source'] = 'history'): Estimate =>
  ({ wallS, cpuS: wallS, buildWallS: wallS, buildCpuS: wallS, makeJobs: 1, source });
const job = (durationS: number, tailS = durationS, extra: Partial<Candidate> = {}): Candidate => ({
  id: 0, pkgname: 'p-1', priority: tailS, estimate: estimate(durationS), makeJobsSafe: true, waiting: 0, topPriority: tailS,
  durationS, tailS, plannedMakeJobs: 1, backlogS: 0, ...extra,
});
const round = (horizon: number, fastestSpeed: number, extra: Partial<DispatchRound> = {}): DispatchRound => ({
  now: 0, horizon: () => horizon, fastestSpeed, readyIds: () => [], estimates: [], slotSpeeds: () => [], ...extra,
});

void test('any free slot, in the order the hosts came up (pbulk, poudriere)', () => {
  assert.equal(anyFreePlacement.place(job(10), [host('slow', 1, 0), host('b', 1, 2), host('fast', 3, 1)], 0), 'b');
  assert.equal(anyFreePlacement.place(job(10), [host('a', 1, 0)], 0), undefined);
});

void test('fastest free host first', () => {
  assert.equal(fastestFreePlacement.place(job(10), [host('slow', 1, 2), host('fast', 3, 1), host('faster', 4, 0)], 0), 'fast');
});

void test('kiln: the fastest free host; a slower one only for a job whose path, at that speed, leaves eight times the time it adds there to spare', () => {
  const hosts = [host('fast', 2, 0, { slotFreeAt: 10 }), host('slow', 1, 1)];
  const table: [string, Candidate, number, string | undefined][] = [
    ['short job, much slack: takes the slow host', job(10), 100, 'slow'],
    ['slack under eight times the 12.5 s the slow host adds, a fast slot soon: waits', job(25), 100, undefined],
    ['critical long job: waits for the fast host (10 + 100/2 < 100)', job(100, 300), 300, undefined],
    ['the 90 s behind it count at the slow host\'s speed too: 120 s + 8 * 15 s fit 240 s', job(30, 120), 240, 'slow'],
    ['... but not 200 s (at the fast speed behind it they would): a fast slot soon, waits', job(30, 120), 200, undefined],
  ];
  for (const [what, candidate, horizon, expected] of table) {
    assert.equal(kilnPlacement.place(candidate, hosts, 0, round(horizon, 2)), expected, what);
  }
  const busyLong = [host('fast', 2, 0, { slotFreeAt: 500 }), host('slow', 1, 1)];
  assert.equal(kilnPlacement.place(job(100, 300), busyLong, 0, round(300, 2)), 'slow', 'the fast host frees too late: slow now ends sooner');
  assert.equal(kilnPlacement.place(job(100), [host('a', 1, 1), host('b', 1, 2)], 0, round(0, 1)), 'b', 'equal speeds: more free cores');
});

void test('kiln: a guessed time is judged at its long end on a slower host; a recorded one as it is', () => {
  const hosts = [host('fast', 2, 0, { slotFreeAt: 10 }), host('slow', 1, 1)];
  // Recorded 10 s: 10 s + 8 * 5 s fits 100 s on the slow host. Guessed 10 s with spread 0.5: judged as 27 s, which does not.
  const guessed = { ...estimate(10, 'estimate'), spread: 0.5 };
  assert.equal(kilnPlacement.place(job(10), hosts, 0, round(100, 2)), 'slow');
  assert.equal(kilnPlacement.place(job(10, 10, { estimate: guessed }), hosts, 0, round(100, 2)), undefined);
  assert.equal(kilnPlacement.place(job(10, 10, { estimate: guessed }), hosts, 0, round(400, 2)), 'slow', 'with room for its long end, it goes');
  assert.equal(kilnPlacement.place(job(10, 10, { estimate: estimate(10, 'estimate') }), hosts, 0, round(100, 2)), 'slow', 'the median: no spread known');
});

void test('dpb bins: log scale of seconds, unknown apart', () => {
  assert.deepEqual([1, 4, 5, 16, 17, 100, 5000, 70000, 2e6, undefined].map(dpbBin), [0, 0, 1, 1, 2, 3, 6, 8, 9, UNKNOWN_BIN]);
});

void test('dpb: a slow host takes bins up to its share of speed; hosts within 1 of the fastest take all', () => {
  // Ready weight: 10 s in bin 1, 200 s in bin 3, 5000 s in bin 7. Slots: one at speed 1, one at 4.
  const weights = new Float64Array(UNKNOWN_BIN + 1);
  weights[1] = 10;
  weights[3] = 200;
  weights[7] = 5000;
  // Speed 1: share 5210 * 1/5 = 1042: bins 0..3 hold 210, bin 4..6 nothing, bin 7 passes it: 8 bins.
  assert.equal(binsForSpeed(1, [1, 4], weights), 8);
  weights[3] = 2000;
  // Share 7010/5 = 1402: bin 3 passes it: 4 bins (0..3).
  assert.equal(binsForSpeed(1, [1, 4], weights), 4);
  assert.equal(binsForSpeed(3.5, [1, 4], weights), UNKNOWN_BIN + 1);
  const ready = [estimate(10), estimate(2000), estimate(5000)];
  const r = round(0, 4, { readyIds: () => [0, 1, 2], estimates: ready, slotSpeeds: () => [1, 4] });
  const slowOnly = [host('slow', 1, 1), host('fast', 4, 0)];
  assert.equal(dpbPlacement.place(job(2000, 2000, { estimate: ready[1]! }), slowOnly, 0, r), 'slow');
  assert.equal(dpbPlacement.place(job(5000, 5000, { estimate: ready[2]! }), slowOnly, 0, r), undefined);
});
