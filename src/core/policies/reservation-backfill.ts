// kiln's reservations, as batch schedulers keep them: a job that must wait
// gets a slot and its cores kept from when it should start, and a later job
// may use them only if it holds them no longer than that (backfilling).
// Every reservation of a host counts, the oldest first; a slot for a job
// no core plan makes wide is kept only while the open work would still
// fit in the slots not kept before the critical path ends.

import type { FreeLater, ReservationPolicy } from './policy.js';

/**
 * The share of the time left on the critical path the open work must fit
 * in, in the slots not kept, for another slot to be kept: measured on 48
 * noisy seeds at four spreads (bench/schedule.ts), 0.6 lost least to the anchors.
 */
export const KEEP_WHILE_WORK_FITS_IN = 0.6;

/** Jobs set aside in one round before it gives up looking further down the queue. */
export const MAX_SET_ASIDE = 64;

export const backfillReservation: ReservationPolicy = {
  name: 'backfill',
  maxSetAside: MAX_SET_ASIDE,
  keepsSlot(openWorkS, capacityLeft, pathLeftS) {
    return openWorkS / Math.max(capacityLeft, 1e-9) < KEEP_WHILE_WORK_FITS_IN * pathLeftS;
  },
  spareUntil(free, host, kept, from, to) {
    // Free at `t` less what the reservations starting by then keep.
    const at = (t: number): FreeLater => {
      let { cores, slots } = free.at(host, t);
      for (const r of kept) {
        if (r.at > t) continue;
        cores -= r.cores;
        slots -= 1;
      }
      return { cores, slots };
    };
    // The least of that at `from` and at each reservation's start before `to`.
    let spare = at(from);
    for (const r of kept) {
      if (r.at <= from || r.at >= to) continue;
      const then = at(r.at);
      spare = { cores: Math.min(spare.cores, then.cores), slots: Math.min(spare.slots, then.slots) };
    }
    return spare;
  },
};
