// How long a job is expected to take: its own last build from the history,
// or, for a port never built here, the median of those that were. Never zero.

import type { Estimate, PkgName, PkgPath } from '../core/model.js';
import type { HistoryRecord } from '../store/history-store.js';

const FALLBACK_S = 60;

export class Estimator {
  private readonly history: ReadonlyMap<PkgPath, HistoryRecord>;
  private readonly medianS: number;

  constructor(history: ReadonlyMap<PkgPath, HistoryRecord>) {
    this.history = history;
    const walls = [...history.values()].filter((r) => r.outcome === 'built').map((r) => r.wallS).sort((a, b) => a - b);
    this.medianS = walls.length > 0 ? walls[Math.floor(walls.length / 2)]! : FALLBACK_S;
  }

  estimate(pkgpath: PkgPath, _pkgname: PkgName): Estimate {
    const record = this.history.get(pkgpath);
    if (!record) {
      const s = Math.max(this.medianS, 1);
      return { wallS: s, cpuS: s, buildWallS: s / 2, buildCpuS: s / 2, makeJobs: 1, source: 'estimate' };
    }
    const build = record.phases.find((p) => p.phase === 'build');
    return {
      wallS: Math.max(record.wallS, 0.1), cpuS: record.cpuS, buildWallS: build?.wallS ?? 0, buildCpuS: build?.cpuS ?? 0,
      makeJobs: record.makeJobs, source: 'history',
    };
  }

  lastLogBytes(pkgpath: PkgPath): number | undefined {
    return this.history.get(pkgpath)?.logBytes;
  }
}
