// One `kiln build`: scan, resolve, plan, build, report. Resumes the run
// directory's last run when it did not finish; otherwise starts a new run
// (run-session.ts). Either way only what is not current is built
// (currency.ts), one build of a pkgpath at a time across runs sharing the
// lock directory (lock-keeper.ts). Builds start while the scan goes on
// (scan-feed.ts); when the whole tree resolves otherwise than the scan so far
// did, what runs ends and the whole tree is planned again. A job's outcome is
// settled in job-outcome.ts.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { EngineConfig } from '../core/engine/engine.js';
import { Estimator, recordsForArch } from '../core/estimate/estimator.js';
import { Engine, type EngineCounts } from '../core/engine/engine.js';
import type { PkgName, PkgPath } from '../core/model.js';
import type { IndexEntry } from '../core/formats/pbulk-index.js';
import { type ResolvedPackage, resolveIndex } from '../core/resolve/resolve.js';
import type { PackageInfo, RunEvent, RunEventSink } from '../core/run-events.js';
import { sameResolution, settledPackages } from '../core/resolve/settled.js';
import type { TreeDriver } from '../ports/driver.js';
import type { ScanInputs } from '../ports/scan-cache.js';
import type { HistoryRecord } from '../store/history-store.js';
import { StoreError } from '../store/run-store.js';
import type { Clock } from './clock.js';
import { Coordinator, type HostBinding, type RunResult } from './coordinator.js';
import { DiskSpace } from './disk-space.js';
import { type Durability, prepareDurability } from './durability.js';
import { type DistfileLister, distfileLister } from './distfile-lister.js';
import { FetchSource, type FetchSettings } from './fetch-source.js';
import type { HostRoster } from './host-roster.js';
import { stuckAfterFor, timeoutFor } from './job-limits.js';
import { jobOutcome } from './job-outcome.js';
import { setupJob } from './job-setup.js';
import { jobTokens } from './job-tokens.js';
import type { KillPoints } from './kill-points.js';
import { inPkgpathOrder, leftOutPorts } from './left-out.js';
import { makePlan, type Plan } from './plan.js';
import { PlanFeed } from './plan-feed.js';
import { ScannedFacts } from './port-facts.js';
import { type BuildStores, guarded, type RunSession, withRunSession } from './run-session.js';
import { scanFeed } from './scan-feed.js';
import { StuckWatch } from './stuck-watch.js';
import { WaitRecord, type WaitRecordOptions } from './wait-record.js';

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
  /** Told what the engine says of its queued packages, as it goes to the store (wait-record.ts). */
  readonly showWaiting?: WaitRecordOptions['show'];
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** The command line, kept with the run. */
  readonly args: readonly string[];
  /** The architecture the run builds for (every host was checked to be it): for the reports, and the history it records and reads. */
  readonly arch?: string;
  /** Said (engine.log, the terminal) as the run starts: how it orders its jobs, when that is not kiln's way. */
  readonly notes?: readonly string[];
  readonly engine: EngineConfig;
  /** Seconds before a job is killed; undefined: from its expected time. */
  readonly timeoutS: number | undefined;
  /** Bytes of output a job's log keeps (`--log-cap`); undefined: 256 MiB. */
  readonly logCapBytes?: number | undefined;
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
  /** Opens the run directory's stores once the run lock is held (cli/build-stores.ts). */
  readonly openStores: (logdir: string) => BuildStores;
  /** Fetch jobs for the ports' distfiles; undefined: none. */
  readonly fetch?: FetchSettings;
  /** What the ports fetch; default: asked of `driver` (give the tree's own when `driver` is a scan pool). */
  readonly fetchLister?: DistfileLister;
}

export interface BuildRunResult {
  readonly result: RunResult;
  readonly counts: EngineCounts;
  readonly run: number;
}

export async function buildRun(options: BuildRunOptions): Promise<BuildRunResult> {
  const o = { ...options, sink: guarded(options.sink, options.logdir) };
  return withRunSession(o, (session) => runIn(session, o));
}

async function runIn(session: RunSession, o: BuildRunOptions): Promise<BuildRunResult> {
  const { store, history, run, allDir, lockdir, point } = session;
  const emit = (event: RunEvent): void => session.emit(event);
  const say = (level: 'info' | 'warning' | 'error', text: string): void => session.say(level, text);
  for (const note of o.notes ?? []) say('info', note);
  if (o.primeHistory.length > 0 && history.count() === 0) history.add(o.primeHistory);
  const records = recordsForArch(history.records(), o.arch);
  const scanned = new ScannedFacts();
  const estimator = new Estimator(records, scanned.facts);
  const logBytes = new Map(records.flatMap((r) => (r.logBytes === undefined ? [] : [[r.pkgpath, r.logBytes] as const])));
  const stopAll = new AbortController();
  const fetcher = o.fetch && new FetchSource(o.fetch, o.fetchLister ?? distfileLister(o.driver, o.fetch.override), o.logdir, () => o.clock.now(), (name) => current.fetchUrgency(name), stopAll.signal, (text) => say('warning', text),
    { record: emit, show: (event) => o.sink.emit(event) });
  const durableFor = (packages: Map<PkgName, ResolvedPackage>): Durability => prepareDurability({
    store, run, root: o.driver.root, allDir, lockdir, logdir: o.logdir, packages, clock: o.clock, say,
    force: o.force ?? [], rebuildAll: o.rebuildAll ?? false, maxAttempts: o.engine.maxAttempts,
  });
  const limits = { timeoutS: o.timeoutS, stuckAfterS: o.stuckAfterS };
  const space = new DiskSpace({ repository: o.repository, logdir: o.logdir, largestLog: [...logBytes.values()].reduce((a, b) => Math.max(a, b), 0), now: () => o.clock.now() });
  /** An engine and the loop that drives it, over `packages` (which grows while the scan goes on). */
  const build = (engine: Engine, packages: Map<PkgName, ResolvedPackage>, durable: Durability, signal: AbortSignal, feed?: PlanFeed): Promise<RunResult> => {
    const stuck = new StuckWatch((setup) => setup.stuckAfterS ?? stuckAfterFor(estimator.estimate(setup.buildJob.pkgname, setup.buildJob.pkgpath), limits), () => o.clock.now());
    return new Coordinator({
      engine, store, run, hosts: o.hosts, sink: o.sink, clock: o.clock, signal, logdir: o.logdir,
      ...(o.roster !== undefined && { roster: o.roster }),
      space,
      setup: (job) => durable.stamp(job, setupJob(job, {
        tree: o.driver.root, ...(o.fetch !== undefined && { distdir: o.fetch.distdir }), logdir: o.logdir, allDir, packages,
        estimate: (name) => estimator.estimate(name, packages.get(name)!.pkgpath),
        lastLogBytes: (name) => logBytes.get(packages.get(name)!.pkgpath),
        timeoutS: (estimate) => timeoutFor(estimate, limits),
        stuckAfterS: (estimate) => stuckAfterFor(estimate, limits),
        ...(o.logCapBytes !== undefined && { logCapBytes: o.logCapBytes }),
        jobserver: (job) => jobTokens(engine, job, packages.get(job.pkgname)!),
      })),
      finish: jobOutcome(stuck, history, o.arch),
      hooks: [durable.locks, stuck, ...(fetcher ? [fetcher] : [])], sources: [durable.locks, ...(feed ? [feed] : []), ...(fetcher ? [fetcher] : [])],
      check: (pkgname) => Promise.resolve(durable.currency.check(pkgname)),
      retryPauseS: (job) => (job.attempt < o.engine.maxAttempts ? (o.retryPauseS ?? 5) * 2 ** (job.attempt - 1) : 0),
      at: point,
      waits: new WaitRecord({
        engine, store, run, now: () => o.clock.now(), pkgpathOf: (name) => packages.get(name)?.pkgpath, say: (text) => say('info', text), show: o.showWaiting,
      }),
    }).run();
  };
  const planOf = (batch: readonly ResolvedPackage[], packages: ReadonlyMap<PkgName, ResolvedPackage>, durable: Durability): Plan => {
    if (scanned.add(batch)) estimator.refit();
    return FetchSource.plan(fetcher, makePlan({
      packages: batch, verdicts: durable.verdicts, estimate: (p) => estimator.estimate(p.pkgname, p.pkgpath), known: (name) => packages.has(name),
    }), batch);
  };
  const countsOf = (plan: Plan): { prefailed: number; upToDate: number } => ({
    prefailed: plan.entries.filter((e) => e.initial.status === 'prefailed').length,
    upToDate: plan.entries.filter((e) => e.initial.status === 'up-to-date').length,
  });

  // Builds start while the scan goes on: the engine takes the packages
  // that are settled (core/settled.ts) as they are found.
  const early = new Map<PkgName, ResolvedPackage>();
  let durable = durableFor(early);
  const earlyInfo: PackageInfo[] = [];
  const feed = new PlanFeed();
  const engine = new Engine([], o.engine, store.maxJobId(run) + 1, { more: true });
  let current = engine;
  const onAbort = (): void => stopAll.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  const scanStop = new AbortController();
  const running = build(engine, early, durable, stopAll.signal, feed);
  // The loop may end first (every host stopped, or none could be used): the scan stops then.
  running.then(() => scanStop.abort(), () => scanStop.abort());
  session.reopenInterrupted();
  const settle = (entries: readonly IndexEntry[], scanned: ReadonlySet<PkgPath>): void => {
    const fresh = settledPackages(resolveIndex(inPkgpathOrder(entries), { strict: false }).packages, scanned, new Set(early.keys()));
    if (fresh.length === 0) return;
    durable.add(fresh);
    const plan = planOf(fresh, early, durable);
    earlyInfo.push(...plan.info);
    emit({ type: 'resolved', at: o.clock.now(), packages: plan.entries.length, ...countsOf(plan), entries: plan.info, more: true });
    feed.send({ type: 'packages-added', at: o.clock.now(), entries: plan.entries });
  };
  let entries: IndexEntry[];
  try {
    const packaged = (pkgname: PkgName): boolean => existsSync(join(allDir, `${pkgname}.tgz`));
    entries = await scanFeed(o, store, emit, point, AbortSignal.any([o.signal, scanStop.signal]), settle, fetcher && ((pkgpath, found) => fetcher.scanned(pkgpath, found, packaged)));
  } catch (err) {
    stopAll.abort();
    await running.catch(() => undefined);
    throw err;
  }
  if (o.signal.aborted || scanStop.signal.aborted) return finish(await running);

  const resolution = resolveIndex(inPkgpathOrder(entries), { strict: false });
  const final = new Map(resolution.packages.map((p) => [p.pkgname, p]));
  const leftOut = leftOutPorts(resolution);
  for (const port of leftOut) say('warning', `${port.pkgpath}: not built: ${port.reason}`);
  point('resolved');
  const changed = [...early.values()].filter((p) => !sameResolution(p, final.get(p.pkgname))).map((p) => p.pkgname);
  let result: RunResult;
  let counts: EngineCounts;
  if (changed.length === 0) {
    const rest = resolution.packages.filter((p) => !early.has(p.pkgname));
    durable.add(rest);
    const plan = planOf(rest, early, durable);
    const all = [...earlyInfo, ...plan.info];
    emit({ type: 'resolved', at: o.clock.now(), packages: all.length, ...countsOf(plan), upToDate: [...durable.verdicts.values()].filter((v) => v.status === 'up-to-date').length, entries: all, leftOut });
    say('info', durable.summary(resolution.packages));
    point('planned');
    feed.send({ type: 'packages-added', at: o.clock.now(), entries: plan.entries });
    feed.send({ type: 'plan-complete', at: o.clock.now() });
    result = await running;
    counts = engine.snapshot();
  } else {
    // Ports scanned late gave a better match (or took a PKGNAME): what was
    // started from the scan so far ends, and the whole tree is planned
    // again; what was built right is current by its inputs, the rest is built again.
    say('warning', `once the whole tree was scanned, ${changed.length} package(s) resolve otherwise than they did during the scan (${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', ...' : ''}): kiln lets what runs end, and plans the whole tree again`);
    feed.send({ type: 'plan-complete', at: o.clock.now(), replan: true });
    result = await running;
    if (result === 'stopped' && !o.signal.aborted) {
      durable = durableFor(final);
      const plan = planOf(resolution.packages, final, durable);
      emit({ type: 'resolved', at: o.clock.now(), packages: plan.entries.length, ...countsOf(plan), entries: plan.info, leftOut });
      say('info', durable.summary(resolution.packages));
      point('planned');
      const again = new Engine(plan.entries, o.engine, store.maxJobId(run) + 1);
      current = again;
      result = await build(again, final, durable, stopAll.signal);
      counts = again.snapshot();
    } else {
      counts = engine.snapshot();
    }
  }
  o.signal.removeEventListener('abort', onAbort);
  const indexProblem = await session.writeIndex(o.writeIndex, resolution.packages, counts.byStatus.done > 0);
  point('indexed');
  const finished = finish(result, counts);
  if (indexProblem !== undefined) throw new StoreError(indexProblem);
  return finished;

  function finish(result: RunResult, snapshot?: EngineCounts): BuildRunResult {
    stopAll.abort(); // fetches for ports that will not be built now
    return session.finish(result, snapshot);
  }
}
