// History to estimates: what the engine knows beforehand of each job.
// A package built before takes its last recorded time. One that was not
// gets the time of the nearest thing that was: the same pkgpath (another
// version), else ports of the same name for another language version
// (py312-six from py313-six), else, when the scan's facts of the port are
// given, a guess from them (estimate-model.ts), else the median of the
// whole history. An estimate is never zero. A build for one architecture
// reads a port's records of that architecture when it has any
// (recordsForArch).

import { type EstimateModel, fitEstimateModel, type PortFacts } from './estimate-model.js';
import type { Estimate, PhaseTiming, PkgName, PkgPath } from '../model.js';

/** What the estimator reads of one recorded job (history-csv and the run store give this). */
export interface RecordedJob {
  readonly pkgpath: PkgPath;
  readonly pkgname: PkgName;
  readonly makeJobs: number;
  readonly outcome: 'built' | 'failed';
  readonly wallS: number;
  readonly cpuS: number;
  readonly phases: readonly PhaseTiming[];
  /** Peak resident memory, when the store measured it. */
  readonly memoryMiB?: number;
  /** The work directory's size when the build ended, when measured. */
  readonly diskMiB?: number;
  /** The architecture it was built for; absent when not known. */
  readonly arch?: string;
}

/** Used when there is no history at all: the order of a small port's build. */
export const DEFAULT_ESTIMATE: Estimate = {
  wallS: 60, cpuS: 60, buildWallS: 30, buildCpuS: 30, makeJobs: 1, source: 'estimate',
};

export class Estimator {
  private readonly byPkgname = new Map<PkgName, RecordedJob>();
  private readonly byPkgpath = new Map<PkgPath, RecordedJob>();
  private readonly byStem = new Map<string, RecordedJob[]>();
  private readonly median: Estimate;
  private readonly facts: ((pkgpath: PkgPath) => PortFacts | undefined) | undefined;
  /** Fitted on first use; null when the history is too small for one. */
  private model: EstimateModel | null | undefined;

  /** `facts`: what the scan knows of the port at a pkgpath, for ports without history. */
  constructor(records: readonly RecordedJob[], facts?: (pkgpath: PkgPath) => PortFacts | undefined) {
    this.facts = facts;
    for (const record of records) {
      keep(this.byPkgname, record.pkgname, record);
      if (record.pkgpath !== '') keep(this.byPkgpath, record.pkgpath, record);
    }
    for (const record of this.byPkgname.values()) {
      const stem = nameStem(record.pkgname);
      const list = this.byStem.get(stem) ?? [];
      list.push(record);
      this.byStem.set(stem, list);
    }
    const all = [...this.byPkgname.values()];
    this.median = all.length === 0 ? DEFAULT_ESTIMATE : guess(medianOf(all));
  }

  /** How well the estimator knows `pkgname`, and its estimate. */
  estimate(pkgname: PkgName, pkgpath?: PkgPath): Estimate {
    const exact = this.byPkgname.get(pkgname);
    if (exact) return withDisk(fromRecord(exact, 'history'), exact);
    const samePath = pkgpath === undefined ? undefined : this.byPkgpath.get(pkgpath);
    if (samePath) return withDisk(guess(samePath), samePath);
    const similar = this.byStem.get(nameStem(pkgname));
    if (similar) return guess(medianOf(similar));
    const facts = pkgpath === undefined ? undefined : this.facts?.(pkgpath);
    const model = facts && this.fitted();
    if (!facts || !model) return this.median;
    const seconds = Math.exp(model.logSeconds(facts));
    return { ...scaledTo(this.template(facts.makeJobsSafe), seconds), spread: model.spread };
  }

  /** Fits the guess model again at the next guess (the scan's facts have grown). */
  refit(): void {
    this.model = undefined;
  }

  private fitted(): EstimateModel | null {
    if (this.model === undefined) {
      const samples = [];
      for (const record of this.byPkgname.values()) {
        const facts = record.outcome === 'built' ? this.facts?.(record.pkgpath) : undefined;
        if (facts) samples.push({ facts, seconds: record.wallS });
      }
      this.model = fitEstimateModel(samples) ?? null;
    }
    return this.model;
  }

  /** The median record of the ports built with several make jobs, or of the others. */
  private template(parallel: boolean): RecordedJob {
    const key = parallel ? 1 : 0;
    let found = this.templates[key];
    if (found === undefined) {
      const kind = [...this.byPkgname.values()].filter((r) => r.wallS > 0 && r.makeJobs > 1 === parallel);
      found = kind.length > 0 ? medianOf(kind) : medianOf([...this.byPkgname.values()]);
      this.templates[key] = found;
    }
    return found;
  }

  private readonly templates: (RecordedJob | undefined)[] = [undefined, undefined];

  /** The recorded job of `pkgname`, if there is one. */
  recorded(pkgname: PkgName): RecordedJob | undefined {
    return this.byPkgname.get(pkgname);
  }
}

/**
 * The records that estimate a build for `arch`: a port (its pkgpath, else its
 * pkgname) with records of `arch` keeps only those; a port with none keeps
 * its records of other or unknown architectures, unscaled, as a time measured
 * elsewhere still orders the ports better than a guess from nothing does.
 */
export function recordsForArch<R extends RecordedJob>(records: readonly R[], arch: string | undefined): R[] {
  if (arch === undefined) return [...records];
  const portsOfArch = new Set(records.filter((r) => r.arch === arch).map(portOf));
  return records.filter((r) => r.arch === arch || !portsOfArch.has(portOf(r)));
}

/** pkgpaths have a slash, pkgnames none: one key space for both. */
function portOf(record: RecordedJob): string {
  return record.pkgpath !== '' ? record.pkgpath : record.pkgname;
}

/** The name without its version and without a language-version prefix: py312-six-1.17 -> six. */
export function nameStem(pkgname: PkgName): string {
  const dash = pkgname.lastIndexOf('-');
  const base = dash > 0 ? pkgname.slice(0, dash) : pkgname;
  return base.replace(/^(py|ruby|php|lua|perl|tcl|pgsql|mysql)[0-9]+-/, '');
}

/** A built record beats a failed one; a later one beats an earlier one of the same kind. */
function keep<K>(map: Map<K, RecordedJob>, key: K, record: RecordedJob): void {
  const previous = map.get(key);
  if (previous && previous.outcome === 'built' && record.outcome !== 'built') return;
  map.set(key, record);
}

function medianOf(records: readonly RecordedJob[]): RecordedJob {
  const sorted = [...records].sort((a, b) => a.wallS - b.wallS || (a.pkgname < b.pkgname ? -1 : 1));
  return sorted[(sorted.length - 1) >> 1]!;
}

function fromRecord(record: RecordedJob, source: Estimate['source']): Estimate {
  const build = record.phases.find((p) => p.phase === 'build');
  return {
    wallS: record.wallS, cpuS: record.cpuS,
    buildWallS: Math.min(build?.wallS ?? 0, record.wallS), buildCpuS: build?.cpuS ?? 0,
    makeJobs: Math.max(1, record.makeJobs), source,
    ...(record.memoryMiB !== undefined && { memoryMiB: record.memoryMiB }),
  };
}

/** The disk the port's own last build needed, never another port's: placement refuses hosts by it. */
function withDisk(estimate: Estimate, own: RecordedJob): Estimate {
  return own.diskMiB === undefined ? estimate : { ...estimate, diskMiB: own.diskMiB };
}

/** `record` as a guess of `seconds` of wall time: every time scaled alike. */
function scaledTo(record: RecordedJob, seconds: number): Estimate {
  const e = fromRecord(record, 'estimate');
  const k = e.wallS > 0 ? seconds / e.wallS : 0;
  if (!(k > 0)) return { ...DEFAULT_ESTIMATE };
  return { ...e, wallS: seconds, cpuS: e.cpuS * k, buildWallS: e.buildWallS * k, buildCpuS: e.buildCpuS * k };
}

/** Another job's record as a guess: never zero. */
function guess(record: RecordedJob): Estimate {
  const estimate = fromRecord(record, 'estimate');
  return estimate.wallS > 0 ? estimate : { ...DEFAULT_ESTIMATE };
}
