// One `kiln build`: scan, resolve, plan, build, report. Resumes the run
// directory's last run when it did not finish; otherwise starts a new run.

import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { EngineConfig } from '../core/engine.js';
import { Estimator } from '../core/estimator.js';
import { Engine, type EngineCounts } from '../core/engine.js';
import type { Job } from '../core/engine-events.js';
import type { JobOutcome, PkgName, PkgPath } from '../core/model.js';
import type { IndexEntry } from '../core/pbulk-index.js';
import { type ResolvedPackage, resolveIndex } from '../core/resolve.js';
import type { RunEvent, RunEventSink } from '../core/run-events.js';
import type { TreeDriver } from '../ports/driver.js';
import type { ScanInputs } from '../ports/scan-cache.js';
import { scanPorts } from '../ports/scanner.js';
import { classifyLogFile } from '../report/classify-log.js';
import type { BuildReport } from '../sandbox/build-job.js';
import { type HistoryRecord, HistoryStore } from '../store/history-store.js';
import { RunStore, type StatusRecord } from '../store/run-store.js';
import type { Clock } from './clock.js';
import { Coordinator, type HostBinding, type JobSetup, type RunResult } from './coordinator.js';
import type { HostRoster } from './host-roster.js';
import { setupJob } from './job-setup.js';
import { makePlan } from './plan.js';
import { StoreScanCache } from './scan-cache-store.js';

export interface BuildRunOptions {
  readonly driver: TreeDriver & ScanInputs;
  readonly logdir: string;
  /** The repository: packages go to `<repository>/All`. */
  readonly repository: string;
  /** Build these and what they need; empty: the whole tree. */
  readonly pkgpaths: readonly PkgPath[];
  readonly scanJobs: number;
  readonly hosts: readonly HostBinding[];
  /** Hosts that join and leave while the build runs. */
  readonly roster?: HostRoster;
  readonly sink: RunEventSink;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** The command line, kept with the run. */
  readonly args: readonly string[];
  readonly engine: EngineConfig;
  /** Seconds before a job is killed; undefined: from its expected time. */
  readonly timeoutS: number | undefined;
  /** Recorded builds (`--history FILE`) that prime an empty history. */
  readonly primeHistory: readonly HistoryRecord[];
  /** Writes the repository's pkg_summary and SHA512; `packages`: this run's resolved index. */
  readonly writeIndex: (allDir: string, packages: readonly ResolvedPackage[]) => Promise<void>;
}

export interface BuildRunResult {
  readonly result: RunResult;
  readonly counts: EngineCounts;
  readonly run: number;
}

export async function buildRun(o: BuildRunOptions): Promise<BuildRunResult> {
  const allDir = join(o.repository, 'All');
  mkdirSync(allDir, { recursive: true });
  const store = RunStore.open(o.logdir);
  try {
    const latest = store.latestRun();
    const resuming = latest !== undefined && latest.finishedAt === undefined;
    const run = resuming ? latest : store.beginRun(o.clock.now(), JSON.stringify(o.args));
    const emit = (event: RunEvent): void => {
      store.appendEvents(run.id, [event]);
      o.sink.emit(event);
    };
    emit({ type: 'run-started', at: o.clock.now(), run: String(run.id), tree: o.driver.root, logdir: o.logdir, packages: o.repository, resumed: resuming });

    const entries = await scan(o, store, emit);
    if (o.signal.aborted) return await finish('interrupted');
    const resolution = resolveIndex(entries, { strict: false });
    const packages = new Map(resolution.packages.map((p) => [p.pkgname, p]));
    const history = new HistoryStore(store);
    if (o.primeHistory.length > 0 && history.count() === 0) history.add(o.primeHistory);
    const records = history.records();
    const estimator = new Estimator(records);
    const logBytes = new Map(records.flatMap((r) => (r.logBytes === undefined ? [] : [[r.pkgpath, r.logBytes] as const])));
    const built = (pkgname: PkgName): boolean => existsSync(join(allDir, `${pkgname}.tgz`));
    const resumed = resuming ? store.statuses(run.id) : new Map<PkgName, StatusRecord>();
    const plan = makePlan({
      packages: resolution.packages, resumed, built, upToDate: new Set(), estimate: (p) => estimator.estimate(p.pkgname, p.pkgpath),
    });
    const counts = { prefailed: 0, upToDate: 0 };
    for (const e of plan.entries) {
      if (e.initial.status === 'prefailed') counts.prefailed++;
      if (e.initial.status === 'up-to-date') counts.upToDate++;
    }
    emit({ type: 'resolved', at: o.clock.now(), packages: plan.entries.length, prefailed: counts.prefailed, upToDate: counts.upToDate, entries: plan.info });
    reopenInterrupted(store, run.id, resumed, o.clock.now(), o.sink);

    const engine = new Engine(plan.entries, o.engine, store.maxJobId(run.id) + 1);
    const coordinator = new Coordinator({
      engine, store, run: run.id, hosts: o.hosts, sink: o.sink, clock: o.clock, signal: o.signal, logdir: o.logdir,
      ...(o.roster !== undefined && { roster: o.roster }),
      setup: (job) => setupJob(job, {
        tree: o.driver.root, logdir: o.logdir, allDir, packages,
        estimate: (name) => estimator.estimate(name, packages.get(name)!.pkgpath),
        lastLogBytes: (name) => logBytes.get(packages.get(name)!.pkgpath),
        timeoutS: (estimate) => o.timeoutS ?? Math.max(3600, 10 * estimate.wallS),
      }),
      finish: (job, report, setup, at) => finishJob(job, report, setup, at, history),
    });
    const result = await coordinator.run();
    if (engine.snapshot().byStatus.done > 0) await o.writeIndex(allDir, resolution.packages);
    return await finish(result, engine.snapshot());

    async function finish(result: RunResult, snapshot?: EngineCounts): Promise<BuildRunResult> {
      emit({ type: 'run-finished', at: o.clock.now(), result });
      if (result !== 'interrupted') store.finishRun(run.id, o.clock.now(), result);
      return Promise.resolve({ result, run: run.id, counts: snapshot ?? { total: 0, ready: 0, byStatus: emptyCounts() } });
    }
  } finally {
    store.close();
  }
}

async function scan(o: BuildRunOptions, store: RunStore, emit: (e: RunEvent) => void): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  let lastProgress = 0;
  let last: RunEvent | undefined;
  const ports = scanPorts(o.driver, {
    jobs: o.scanJobs, signal: o.signal, cache: { store: new StoreScanCache(store), scanner: o.driver },
    ...(o.pkgpaths.length > 0 && { pkgpaths: o.pkgpaths }),
  });
  for await (const port of ports) {
    entries.push(...port.entries);
    if (port.error !== undefined) {
      emit({ type: 'message', at: o.clock.now(), level: 'warning', text: `${port.pkgpath}: cannot be scanned: ${port.error}` });
    }
    last = { type: 'scan-progress', at: o.clock.now(), ...port.progress };
    if (last.at - lastProgress >= 0.5) {
      lastProgress = last.at;
      o.sink.emit(last);
    }
    if (o.signal.aborted) break;
  }
  if (last) emit(last);
  return entries;
}

/** Jobs that were running when the coordinator died go back to open, and the views are told. */
function reopenInterrupted(store: RunStore, run: number, resumed: ReadonlyMap<PkgName, StatusRecord>, at: number, sink: RunEventSink): void {
  const commands = [...resumed.values()]
    .filter((s) => s.status === 'building')
    .map((s) => ({ type: 'status' as const, at, pkgname: s.pkgname, status: 'open' as const, reason: 'the coordinator stopped while it was building; it starts again' }));
  const events = commands.map((change): RunEvent => ({ type: 'status', change }));
  store.record(run, commands, events);
  for (const event of events) sink.emit(event);
}

function finishJob(job: Job, report: BuildReport, setup: JobSetup, at: number, history: HistoryStore): JobOutcome {
  let outcome = report.outcome;
  if (outcome.kind === 'failed') {
    const phaseLog = join(setup.buildJob.logDir, `${outcome.phase}.log`);
    outcome = { ...outcome, error: classifyLogFile(outcome.phase, existsSync(phaseLog) ? phaseLog : setup.buildJob.logFile, outcome.error) };
  }
  if (outcome.kind !== 'infrastructure') {
    const phases = outcome.phases;
    history.add([{
      pkgpath: job.pkgpath, pkgname: job.pkgname, host: job.host, makeJobs: job.makeJobs,
      outcome: outcome.kind === 'built' ? 'built' : 'failed', wallS: at - job.startedAt,
      cpuS: phases.reduce((sum, p) => sum + p.cpuS, 0), phases, logBytes: sizeOf(setup.buildJob.logFile), at,
    }]);
  }
  return outcome;
}

function sizeOf(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

function emptyCounts(): EngineCounts['byStatus'] {
  return { open: 0, building: 0, done: 0, failed: 0, prefailed: 0, 'indirect-failed': 0, 'indirect-prefailed': 0, 'up-to-date': 0 };
}
