// One `kiln build`: scan, resolve, plan, build, report. Resumes the run
// directory's last run when it did not finish; otherwise starts a new run.
// Either way only what is not current is built (currency.ts), one build of
// a pkgpath at a time across runs sharing the lock directory (lock-keeper.ts).

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
import { RunStore, StoreError, type StatusRecord } from '../store/run-store.js';
import type { Clock } from './clock.js';
import { Coordinator, type HostBinding, type JobSetup, type RunResult } from './coordinator.js';
import { prepareDurability } from './durability.js';
import type { HostRoster } from './host-roster.js';
import { stuckAfterFor, timeoutFor } from './job-limits.js';
import { setupJob } from './job-setup.js';
import type { KillPoints } from './kill-points.js';
import { cleanRepository, cleanRunDir, cleanScratch } from './leftovers.js';
import { makePlan } from './plan.js';
import { lockRunDir } from './run-lock.js';
import { StoreScanCache } from './scan-cache-store.js';
import { StuckWatch } from './stuck-watch.js';

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
  /** Seconds a job's log may stay still before it is killed as stuck; undefined: from its history. */
  readonly stuckAfterS?: number | undefined;
  /** The lock directory, maybe shared with other runs; default `<logdir>/locks`. */
  readonly lockdir?: string;
  /** Build these pkgpaths even when they are up to date (`--force`). */
  readonly force?: readonly PkgPath[];
  /** Build everything, current or not (`--rebuild-all`). */
  readonly rebuildAll?: boolean;
  /** Seconds before the first retry of a job infrastructure failed, doubled for each next one (default 5). */
  readonly retryPauseS?: number;
  /** Where this machine's jobs make their scratch directories, to clean what a killed run left there. */
  readonly scratchBase?: string;
  /** Fault injection (kill-points.ts). */
  readonly killPoints?: KillPoints | undefined;
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

export async function buildRun(options: BuildRunOptions): Promise<BuildRunResult> {
  const o = { ...options, sink: guarded(options.sink, options.logdir) };
  const allDir = join(o.repository, 'All');
  const lockdir = o.lockdir ?? join(o.logdir, 'locks');
  try {
    mkdirSync(allDir, { recursive: true });
    mkdirSync(o.logdir, { recursive: true });
  } catch (err) {
    throw new StoreError(`cannot make ${(err as NodeJS.ErrnoException).path ?? allDir}: ${(err as Error).message}`);
  }
  const runLock = lockRunDir(o.logdir, o.args, o.clock.now());
  const point = o.killPoints ?? ((): void => undefined);
  let store: RunStore;
  try {
    store = RunStore.open(o.logdir);
  } catch (err) {
    runLock.release();
    throw err;
  }
  try {
    const latest = store.latestRun();
    const resuming = latest !== undefined && latest.finishedAt === undefined;
    const run = resuming ? latest : store.beginRun(o.clock.now(), JSON.stringify(o.args));
    // What the run's earlier processes did, for this one's views and reports (already in the store).
    const earlier = resuming ? earlierJobs(store, run.id) : [];
    const emit = (event: RunEvent): void => {
      store.appendEvents(run.id, [event]);
      o.sink.emit(event);
    };
    emit({ type: 'run-started', at: o.clock.now(), run: String(run.id), tree: o.driver.root, logdir: o.logdir, packages: o.repository, resumed: resuming });
    const say = (level: 'info' | 'warning' | 'error', text: string): void => emit({ type: 'message', at: o.clock.now(), level, text });
    const cleaned = [...cleanRepository(allDir), ...cleanRunDir(o.logdir, lockdir), ...(o.scratchBase ? cleanScratch(o.scratchBase) : [])];
    if (cleaned.length > 0) say('info', `removed what a killed kiln left behind (${cleaned.length}): ${cleaned.slice(0, 5).join(', ')}${cleaned.length > 5 ? ', ...' : ''}`);

    const entries = await scan(o, store, emit, point);
    if (o.signal.aborted) return await finish('interrupted');
    const resolution = resolveIndex(entries, { strict: false });
    const packages = new Map(resolution.packages.map((p) => [p.pkgname, p]));
    point('resolved');
    const history = new HistoryStore(store);
    if (o.primeHistory.length > 0 && history.count() === 0) history.add(o.primeHistory);
    const records = history.records();
    const estimator = new Estimator(records);
    const logBytes = new Map(records.flatMap((r) => (r.logBytes === undefined ? [] : [[r.pkgpath, r.logBytes] as const])));
    const resumed = resuming ? store.statuses(run.id) : new Map<PkgName, StatusRecord>();
    const durable = prepareDurability({
      store, run: run.id, root: o.driver.root, allDir, lockdir, logdir: o.logdir, packages, clock: o.clock, say,
      force: o.force ?? [], rebuildAll: o.rebuildAll ?? false, maxAttempts: o.engine.maxAttempts,
    });
    const plan = makePlan({
      packages: resolution.packages, verdicts: durable.verdicts, estimate: (p) => estimator.estimate(p.pkgname, p.pkgpath),
    });
    const counts = { prefailed: 0, upToDate: 0 };
    for (const e of plan.entries) {
      if (e.initial.status === 'prefailed') counts.prefailed++;
      if (e.initial.status === 'up-to-date') counts.upToDate++;
    }
    emit({ type: 'resolved', at: o.clock.now(), packages: plan.entries.length, prefailed: counts.prefailed, upToDate: counts.upToDate, entries: plan.info });
    say('info', durable.summary(plan.entries));
    for (const event of earlier) o.sink.emit(event);
    reopenInterrupted(store, run.id, resumed, o.clock.now(), o.sink);
    point('planned');

    const engine = new Engine(plan.entries, o.engine, store.maxJobId(run.id) + 1);
    const limits = { timeoutS: o.timeoutS, stuckAfterS: o.stuckAfterS };
    const stuck = new StuckWatch((setup) => stuckAfterFor(estimator.estimate(setup.buildJob.pkgname, setup.buildJob.pkgpath), limits), () => o.clock.now());
    const coordinator = new Coordinator({
      engine, store, run: run.id, hosts: o.hosts, sink: o.sink, clock: o.clock, signal: o.signal, logdir: o.logdir,
      ...(o.roster !== undefined && { roster: o.roster }),
      setup: (job) => durable.stamp(job, setupJob(job, {
        tree: o.driver.root, logdir: o.logdir, allDir, packages,
        estimate: (name) => estimator.estimate(name, packages.get(name)!.pkgpath),
        lastLogBytes: (name) => logBytes.get(packages.get(name)!.pkgpath),
        timeoutS: (estimate) => timeoutFor(estimate, limits),
      })),
      finish: (job, report, setup, at) => finishJob(job, { ...report, outcome: stuck.outcome(job, report.outcome) }, setup, at, history),
      hooks: [durable.locks, stuck], sources: [durable.locks], check: (pkgname) => Promise.resolve(durable.currency.check(pkgname)),
      retryPauseS: (job) => (job.attempt < o.engine.maxAttempts ? (o.retryPauseS ?? 5) * 2 ** (job.attempt - 1) : 0),
      at: point,
    });
    const result = await coordinator.run();
    const indexProblem = await writeIndex(o, store, allDir, resolution.packages, engine.snapshot().byStatus.done > 0);
    point('indexed');
    const finished = await finish(result, engine.snapshot());
    if (indexProblem !== undefined) throw new StoreError(indexProblem);
    return finished;

    async function finish(result: RunResult, snapshot?: EngineCounts): Promise<BuildRunResult> {
      point('reporting');
      emit({ type: 'run-finished', at: o.clock.now(), result });
      point('finishing');
      if (result !== 'interrupted') store.finishRun(run.id, o.clock.now(), result);
      return Promise.resolve({ result, run: run.id, counts: snapshot ?? { total: 0, ready: 0, byStatus: emptyCounts() } });
    }
  } finally {
    store.close();
    runLock.release();
  }
}

/**
 * Writes pkg_summary and SHA512 when this run built something, or when an
 * earlier write did not finish; a repository that cannot take them (a full
 * disk) is named, and the next run writes them.
 */
async function writeIndex(o: BuildRunOptions, store: RunStore, allDir: string, packages: readonly ResolvedPackage[], built: boolean): Promise<string | undefined> {
  if (!built && store.get('index:stale') !== '1') return undefined;
  store.put('index:stale', '1');
  try {
    await o.writeIndex(allDir, packages);
  } catch (err) {
    return `the packages are in ${allDir}, but its index (pkg_summary.gz, SHA512) cannot be written: ${(err as Error).message}; the next kiln build writes it`;
  }
  store.put('index:stale', '0');
  return undefined;
}

/** Reporters that cannot write the run directory (a full disk) stop the run as the store does: named, and resumable. */
function guarded(sink: RunEventSink, logdir: string): RunEventSink {
  return {
    emit(event) {
      try {
        sink.emit(event);
      } catch (err) {
        if (typeof (err as NodeJS.ErrnoException).code !== 'string') throw err;
        throw new StoreError(`cannot write the run directory ${logdir}: ${(err as Error).message}`);
      }
    },
  };
}

async function scan(o: BuildRunOptions, store: RunStore, emit: (e: RunEvent) => void, point: KillPoints): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  let lastProgress = 0;
  let last: RunEvent | undefined;
  const ports = scanPorts(o.driver, {
    jobs: o.scanJobs, signal: o.signal, cache: { store: new StoreScanCache(store), scanner: o.driver },
    ...(o.pkgpaths.length > 0 && { pkgpaths: o.pkgpaths }),
  });
  for await (const port of ports) {
    point('scanned-port');
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

/** The jobs of a run so far, as their events were stored: shown again by a resumed run. */
function earlierJobs(store: RunStore, run: number): RunEvent[] {
  const found: RunEvent[] = [];
  for (let after = 0; ;) {
    const page = store.readEvents(after, run);
    if (page.length === 0) return found;
    for (const { event } of page) if (event.type === 'job-started' || event.type === 'job-ended') found.push(event);
    after = page.at(-1)!.seq;
  }
}

/** Jobs that were running when the coordinator died go back to open, and the views are told. */
function reopenInterrupted(store: RunStore, run: number, resumed: ReadonlyMap<PkgName, StatusRecord>, at: number, sink: RunEventSink): void {
  const commands = [...resumed.values()]
    .filter((s) => s.status === 'building')
    .map((s) => ({
      type: 'status' as const, at, pkgname: s.pkgname, status: 'open' as const, reason: 'the coordinator stopped while it was building; it starts again',
      ...(s.job !== undefined && { job: s.job }),
    }));
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
