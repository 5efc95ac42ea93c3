import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { FreeLater, Reservation } from './policy.js';
import { backfillReservation, KEEP_WHILE_WORK_FITS_IN, MAX_SET_ASIDE } from './reservation-backfill.js';

/** A host of 8 cores and 4 slots, all free now, whose running job frees 2 more cores and a slot at t=50. */
const free = { at: (_host: string, t: number): FreeLater => (t >= 50 ? { cores: 10, slots: 5 } : { cores: 8, slots: 4 }) };

void test('backfill: a job may hold only what no reservation starting before it ends needs', () => {
  const table: [string, Reservation[], number, number, FreeLater][] = [
    ['nothing kept', [], 0, 100, { cores: 8, slots: 4 }],
    ['kept from now: counted at once', [{ at: 0, cores: 6 }], 0, 100, { cores: 2, slots: 3 }],
    ['kept from 20, the job ends by then: backfills the whole host', [{ at: 20, cores: 6 }], 0, 20, { cores: 8, slots: 4 }],
    ['kept from 20, the job runs past it: only what is left then', [{ at: 20, cores: 6 }], 0, 30, { cores: 2, slots: 3 }],
    ['kept from 60, the running job has freed 2 cores by then', [{ at: 60, cores: 6 }], 0, 100, { cores: 4, slots: 4 }],
    ['two kept: both count once each has begun', [{ at: 10, cores: 3 }, { at: 30, cores: 3 }], 0, 100, { cores: 2, slots: 2 }],
    ['two kept, the job ends between them', [{ at: 10, cores: 3 }, { at: 30, cores: 3 }], 0, 25, { cores: 5, slots: 3 }],
    ['asked from later: reservations begun by then count from the start', [{ at: 10, cores: 3 }], 50, 100, { cores: 7, slots: 4 }],
    ['more kept than free: below zero, the caller clamps', [{ at: 0, cores: 12 }], 0, 10, { cores: -4, slots: 3 }],
  ];
  for (const [name, kept, from, to, want] of table) {
    assert.deepEqual(backfillReservation.spareUntil(free, 'h', kept, from, to), want, name);
  }
});

void test('a slot is kept for a job no core plan widens only while the open work fits in the slots left, with room to spare', () => {
  // 0.6 of the time left on the critical path, measured by bench/schedule.ts.
  assert.equal(KEEP_WHILE_WORK_FITS_IN, 0.6);
  const table: [string, number, number, number, boolean][] = [
    ['little work, long path: keep', 100, 4, 100, true],
    ['work takes 0.5 of the path: keep', 200, 4, 100, true],
    ['work takes exactly 0.6: not kept', 240, 4, 100, false],
    ['work takes 0.7 of the path: do not keep', 280, 4, 100, false],
    ['no slot left: never', 1, 0, 1000, false],
    ['path already over: never', 1, 4, 0, false],
  ];
  for (const [name, work, capacityLeft, pathLeft, want] of table) {
    assert.equal(backfillReservation.keepsSlot(work, capacityLeft, pathLeft), want, name);
  }
  assert.equal(backfillReservation.maxSetAside, MAX_SET_ASIDE);
});
