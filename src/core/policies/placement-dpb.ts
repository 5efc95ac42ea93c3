// dpb's placement with speed factors (DPB::Heuristics::SpeedFactor): the
// ready jobs fall into bins by their own past build time (a log scale of
// seconds; unknown times in a bin of their own), and a host slower than the
// fastest takes only the lighter bins: walking the slots from the slowest
// up to its own speed (plus one), it gets bins, lightest first, until their
// share of the ready weight passes the share of speed those slots have.
// Hosts within 1 of the fastest speed take any job. Among hosts that may
// take a job, the first with a free slot gets it.

import type { DispatchRound, HostView, PlacementPolicy } from './policy.js';

/** Upper bounds (seconds) of the weighted bins 0..8; heavier is bin 9; unknown is bin 10. */
const BIN_BOUNDS = [4, 16, 64, 256, 1024, 4096, 16384, 65536, 1048576] as const;
export const UNKNOWN_BIN = 10;

export function dpbBin(weightS: number | undefined): number {
  if (weightS === undefined) return UNKNOWN_BIN;
  const bin = BIN_BOUNDS.findIndex((bound) => weightS <= bound);
  return bin === -1 ? BIN_BOUNDS.length : bin;
}

/** How many bins, lightest first, a host of `speed` may take from. */
export function binsForSpeed(speed: number, slotSpeeds: readonly number[], binWeights: ArrayLike<number>): number {
  const fastest = slotSpeeds.length === 0 ? speed : slotSpeeds[slotSpeeds.length - 1]!;
  if (speed > fastest - 1) return UNKNOWN_BIN + 1;
  let totalSpeed = 0;
  for (const s of slotSpeeds) totalSpeed += s;
  let totalWeight = 0;
  for (let b = 0; b < binWeights.length; b++) totalWeight += binWeights[b]!;
  let speedSoFar = 0;
  let weightSoFar = 0;
  let bins = 0;
  for (const s of slotSpeeds) {
    if (s > speed + 1) break;
    speedSoFar += s;
    const share = (totalWeight * speedSoFar) / totalSpeed;
    while (bins <= UNKNOWN_BIN) {
      weightSoFar += binWeights[bins] ?? 0;
      bins++;
      if (weightSoFar > share) break;
    }
  }
  return bins;
}

const binWeightsOfRound = new WeakMap<DispatchRound, Float64Array>();

function readyBinWeights(round: DispatchRound): Float64Array {
  let weights = binWeightsOfRound.get(round);
  if (!weights) {
    weights = new Float64Array(UNKNOWN_BIN + 1);
    for (const id of round.readyIds()) {
      const e = round.estimates[id]!;
      if (e.source === 'history') weights[dpbBin(e.wallS)]! += e.wallS;
    }
    binWeightsOfRound.set(round, weights);
  }
  return weights;
}

export const dpbPlacement: PlacementPolicy = {
  name: 'dpb',
  place(job, hosts, _now, round) {
    const free = hosts.filter((h) => h.freeSlots > 0);
    if (!round || free.every((h) => h.speed === free[0]!.speed && h.speed >= round.fastestSpeed - 1)) return free[0]?.name;
    const bin = dpbBin(job.estimate.source === 'history' ? job.estimate.wallS : undefined);
    const weights = readyBinWeights(round);
    const speeds = round.slotSpeeds();
    const fits = (h: HostView): boolean => bin < binsForSpeed(h.speed, speeds, weights);
    return free.find(fits)?.name;
  },
};
