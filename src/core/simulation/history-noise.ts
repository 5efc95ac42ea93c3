// Actual times that differ from the history, for benchmarks: each job's
// recorded times (wall and CPU, every phase) scaled by one factor drawn
// from a log-normal distribution of median 1 and spread `sigma`.

import type { HistoryRecord } from '../formats/history-csv.js';
import type { Random } from './random.js';

export function noisyHistory(records: readonly HistoryRecord[], sigma: number, random: Random): HistoryRecord[] {
  return records.map((r) => {
    const f = Math.exp(sigma * random.normal());
    return {
      ...r, wallS: r.wallS * f, cpuS: r.cpuS * f,
      phases: r.phases.map((p) => ({ phase: p.phase, wallS: p.wallS * f, cpuS: p.cpuS * f })),
    };
  });
}
