// Build history, kept in the run directory across runs: per job, wall and
// CPU seconds per phase, make jobs, host, outcome, the architecture it was
// built for, and where measured its peak memory and work-directory size
// (dpb's size.log). The scheduler orders
// the next run by it; `kiln build --history FILE` primes it from a CSV.

import type { HistoryRecord } from '../core/formats/history-csv.js';
import type { PhaseTiming } from '../core/model.js';
import type { RunStore } from './run-store.js';

export type { HistoryRecord };

interface Row {
  pkgpath: string; pkgname: string; host: string; make_jobs: number; outcome: 'built' | 'failed';
  wall_s: number; cpu_s: number; phases: string; log_bytes: number | null; at: number;
  memory_mib: number | null; disk_mib: number | null; arch: string | null;
}

export class HistoryStore {
  private readonly store: RunStore;

  constructor(store: RunStore) {
    this.store = store;
  }

  add(records: readonly HistoryRecord[]): void {
    const insert = this.store.database.prepare(
      'INSERT INTO history (pkgpath, pkgname, host, make_jobs, outcome, wall_s, cpu_s, phases, log_bytes, at, memory_mib, disk_mib, arch)'
      + ' VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.store.transaction(() => {
      for (const r of records) {
        insert.run(r.pkgpath, r.pkgname, r.host, r.makeJobs, r.outcome, r.wallS, r.cpuS, JSON.stringify(r.phases), r.logBytes ?? null, r.at,
          r.memoryMiB ?? null, r.diskMiB ?? null, r.arch ?? null);
      }
    });
  }

  /** Every record, oldest first. */
  records(): HistoryRecord[] {
    const rows = this.store.database.prepare('SELECT * FROM history ORDER BY at, rowid').all() as Row[];
    return rows.map((row) => ({
      pkgpath: row.pkgpath, pkgname: row.pkgname, host: row.host, makeJobs: row.make_jobs, outcome: row.outcome,
      wallS: row.wall_s, cpuS: row.cpu_s, phases: JSON.parse(row.phases) as PhaseTiming[], logBytes: row.log_bytes ?? undefined, at: row.at,
      ...(row.memory_mib !== null && { memoryMiB: row.memory_mib }), ...(row.disk_mib !== null && { diskMiB: row.disk_mib }),
      ...(row.arch !== null && { arch: row.arch }),
    }));
  }

  /** How many records there are. */
  count(): number {
    return (this.store.database.prepare('SELECT count(*) AS n FROM history').get() as { n: number }).n;
  }
}
