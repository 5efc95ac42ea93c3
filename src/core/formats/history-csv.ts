// The history CSV of a recorded bulk build (bob's format, as in
// ../shared/data/pkgsrc-smartos/history-*.gz): a header line, then one row
// per package build. Columns are found by name: `pkgpath`, `pkgname`,
// `outcome`, `make_jobs`, `duration` (wall ms), then one column per stage
// with its wall ms and `cpu:<stage>` with its CPU ms; `-` means not
// measured. A bad row is reported with its line number, never thrown.

import type { PhaseTiming, PkgName, PkgPath } from '../model.js';

/** One recorded job: the shape the run store keeps (src/store/history-store.ts). */
export interface HistoryRecord {
  readonly pkgpath: PkgPath;
  readonly pkgname: PkgName;
  readonly host: string;
  /** Make jobs the build had; 1 when the record says none. */
  readonly makeJobs: number;
  readonly outcome: 'built' | 'failed';
  readonly wallS: number;
  readonly cpuS: number;
  /** Every stage with a wall time, in the file's column order. */
  readonly phases: readonly PhaseTiming[];
  readonly logBytes: number | undefined;
  /** Peak memory of its processes and its work directory's size at its end, in MiB, where the builder measured them. */
  readonly memoryMiB?: number;
  readonly diskMiB?: number;
  /** The architecture it was built for (`uname -m`); absent when not known (a CSV, a store older than schema 3). */
  readonly arch?: string;
  /** Seconds since the epoch, 0 when the file has no timestamp. */
  readonly at: number;
}

export interface HistoryProblem {
  readonly line: number;
  readonly reason: string;
}

export interface ParsedHistory {
  readonly records: HistoryRecord[];
  readonly problems: HistoryProblem[];
}

const REQUIRED = ['pkgpath', 'pkgname', 'duration'] as const;
/** Columns that are neither a stage nor its CPU time. */
const NOT_STAGES = new Set(['timestamp', 'pkgpath', 'pkgname', 'outcome', 'stage', 'make_jobs', 'duration', 'disk_usage']);

export function parseHistoryCsv(text: string): ParsedHistory {
  const lines = text.split('\n');
  const header = (lines[0] ?? '').trim().split(',');
  const column = new Map(header.map((name, i) => [name, i]));
  const records: HistoryRecord[] = [];
  const problems: HistoryProblem[] = [];
  const missing = REQUIRED.filter((name) => !column.has(name));
  if (missing.length > 0) {
    problems.push({ line: 1, reason: `header lacks ${missing.join(', ')}` });
    return { records, problems };
  }
  const stages = header.filter((name) => !NOT_STAGES.has(name) && !name.startsWith('cpu:'));
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const fields = line.split(',');
    if (fields.length !== header.length) {
      problems.push({ line: i + 1, reason: `${fields.length} fields, the header has ${header.length}` });
      continue;
    }
    const get = (name: string): string | undefined => {
      const index = column.get(name);
      return index === undefined ? undefined : fields[index];
    };
    const wallMs = milliseconds(get('duration'));
    const pkgname = get('pkgname') ?? '';
    if (wallMs === undefined || pkgname === '') {
      problems.push({ line: i + 1, reason: 'no pkgname or duration' });
      continue;
    }
    const phases: PhaseTiming[] = [];
    let cpuMs = 0;
    for (const stage of stages) {
      const wall = milliseconds(get(stage));
      const cpu = milliseconds(get(`cpu:${stage}`));
      if (cpu !== undefined) cpuMs += cpu;
      if (wall !== undefined) phases.push({ phase: stage, wallS: wall / 1000, cpuS: (cpu ?? 0) / 1000 });
    }
    const makeJobs = Number(get('make_jobs'));
    records.push({
      pkgpath: get('pkgpath') ?? '', pkgname, host: '',
      makeJobs: Number.isInteger(makeJobs) && makeJobs >= 1 ? makeJobs : 1,
      outcome: get('outcome') === 'success' ? 'built' : 'failed',
      wallS: wallMs / 1000, cpuS: cpuMs / 1000, phases, logBytes: undefined,
      at: Number(get('timestamp')) || 0,
    });
  }
  return { records, problems };
}

/** A count of milliseconds, or undefined for `-`, empty or not a number. */
function milliseconds(field: string | undefined): number | undefined {
  if (field === undefined || field === '' || field === '-') return undefined;
  const value = Number(field);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}
