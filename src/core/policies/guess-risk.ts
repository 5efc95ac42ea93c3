// How much longer than its estimate a job may well run. A recorded time is
// taken as it is; a guess from the scan's facts (estimate-model.ts) carries
// the spread of such guesses on the history, and is counted at its long
// side: e^(k spread) of the guess. Ordering counts a guess at one spread
// (its 84th percentile, about twice the guess on the recorded build), so
// an unknown port that may be long starts early; a slower host judges it at
// two (placement-kiln.ts).

import type { Estimate } from '../model.js';

/** The factor by which `estimate` is counted, `spreads` standard deviations up when it is a guess. */
export function longSide(estimate: Estimate, spreads: number): number {
  return estimate.source === 'estimate' && estimate.spread !== undefined ? Math.exp(spreads * estimate.spread) : 1;
}
