// Fetch jobs beside the builds, on the coordinator: a port with DISTFILES
// goes to the fetch queue as soon as the scan finds it, when it will surely
// be built (its package is not in the repository: fetching it cannot be
// wasted), else when the plan says it will be built; its result reaches
// the engine (and a failure its log) once it is planned, through the
// coordinator's queue (`distfiles-ready` / `fetch-failed`). Each finished
// distfile is one line of fetch.log; a port that fails has its fetch
// transcript as its log.

import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { EngineEvent } from '../core/engine-events.js';
import type { PlanEntry } from '../core/engine-plan.js';
import type { PkgName, PkgPath } from '../core/model.js';
import { type IndexEntry, indexValue } from '../core/pbulk-index.js';
import type { ResolvedPackage } from '../core/resolve.js';
import type { FetchLimits, FetchUrgency } from '../core/distfiles/fetch-order.js';
import { FetchQueue, type DistfileEnded, type PortFetchResult } from '../fetch/fetch-queue.js';
import { words } from '../fetch/port-distfiles.js';
import type { EventSource } from './job-hooks.js';
import { lockDistfile } from './distfile-lock.js';
import { distfilesOf, keepEarlierAttempt, linkPathLog, logPaths } from './job-setup.js';

export interface FetchSettings {
  /** DISTDIR on the coordinator. */
  readonly distdir: string;
  /** `--master-site-override`: tried before a port's own sites. */
  readonly override: readonly string[];
  readonly limits: FetchLimits;
  /** `scan`: fetch in the order the scan found the ports, not by build priority (bench/fetch-order.ts compares them). */
  readonly order?: 'priority' | 'scan';
}

export class FetchSource implements EventSource {
  private push: ((event: EngineEvent) => void) | undefined;
  private readonly results = new Map<PkgName, PortFetchResult>();
  private readonly queue: FetchQueue;
  /** Planned to be built, with distfiles. */
  private readonly wanted = new Set<PkgName>();
  /** Fetched for since the scan found them, not planned yet: how many dependencies each names. */
  private readonly early = new Map<PkgName, number>();
  private readonly paths = new Map<PkgName, PkgPath>();
  private readonly scanIndex = new Map<PkgName, number>();

  constructor(
    private readonly settings: FetchSettings,
    private readonly tree: string,
    private readonly logdir: string,
    private readonly now: () => number,
    priority: (pkgname: PkgName) => FetchUrgency,
    private readonly signal: AbortSignal,
    /** Tells the run (engine.log, the terminal) what a site answered when it did not give the file. */
    warn: (text: string) => void,
  ) {
    const scanOrder = (pkgname: PkgName): FetchUrgency => ({ ready: true, priority: -(this.scanIndex.get(pkgname) ?? 0) });
    // Not planned yet: a port that depends on nothing is ready as soon as it is; the fewer its dependencies, the sooner it may be.
    const urgency = (pkgname: PkgName): FetchUrgency => {
      if (this.wanted.has(pkgname)) return priority(pkgname);
      const deps = this.early.get(pkgname) ?? 0;
      return { ready: deps === 0, priority: 1 / (1 + deps) };
    };
    this.queue = new FetchQueue({
      distdir: settings.distdir, limits: settings.limits, lock: lockDistfile, signal,
      ...(settings.order === 'scan' ? { priority: scanOrder, sizeBlind: true } : { priority: urgency }),
      attempted: (name, attempt) => {
        if (attempt.ok) return;
        try {
          warn(`fetch ${name}: ${attempt.url}: ${attempt.answer}`);
        } catch {
          // A run directory that cannot be written: the store stops the run with the reason.
        }
      },
      portEnded: (port, result) => this.ended(port, result),
      distfileEnded: (ended) => this.logLine(ended),
    });
  }

  /**
   * The plan of `batch` with the packages to build that have distfiles
   * marked to wait for them (PlanEntry.fetch), and their fetches begun.
   */
  static plan<P extends { readonly entries: readonly PlanEntry[] }>(fetcher: FetchSource | undefined, plan: P, batch: readonly ResolvedPackage[]): P {
    if (fetcher === undefined) return plan;
    const packages = new Map(batch.map((p) => [p.pkgname, p]));
    const entries = plan.entries.map((e) => (e.initial.status === 'open' && distfilesOf(packages.get(e.pkgname)!).length > 0 ? { ...e, fetch: true } : e));
    fetcher.want(entries, packages);
    return { ...plan, entries };
  }

  /** The packages of `entries` that wait for distfiles are fetched for (once each). */
  want(entries: readonly PlanEntry[], packages: ReadonlyMap<PkgName, ResolvedPackage>): void {
    const fresh = entries.filter((entry) => entry.fetch === true && !this.wanted.has(entry.pkgname));
    for (const entry of fresh) {
      this.wanted.add(entry.pkgname);
      this.paths.set(entry.pkgname, entry.pkgpath);
      this.scanIndex.set(entry.pkgname, this.scanIndex.size);
      const result = this.results.get(entry.pkgname);
      if (result !== undefined) this.tell(entry.pkgname, result);
    }
    void this.queue.wantPorts(fresh.filter((entry) => !this.early.delete(entry.pkgname)).map((entry) => {
      const pkg = packages.get(entry.pkgname)!;
      return { port: entry.pkgname, dir: join(this.tree, entry.pkgpath), distfiles: distfilesOf(pkg), sites: words(indexValue(pkg.entry, 'MASTER_SITES')) };
    }), this.settings.override);
  }

  /**
   * A port the scan found: its distfiles are fetched now when it will surely
   * be built (`packaged` says its package is not in the repository, and its
   * block neither fails nor skips it). Not in scan order (the plain order
   * bench/fetch-order.ts compares with fetches only what is planned).
   */
  scanned(pkgpath: PkgPath, entries: readonly IndexEntry[], packaged: (pkgname: PkgName) => boolean): void {
    if (this.settings.order === 'scan') return;
    const buildable = (entry: IndexEntry): boolean => ['PKG_FAIL_REASON', 'PKG_SKIP_REASON', 'KILN_SCAN_ERROR'].every((key) => (indexValue(entry, key) ?? '') === '');
    const fresh = entries.filter((entry) => !this.wanted.has(entry.pkgname) && !this.early.has(entry.pkgname) && !packaged(entry.pkgname)
      && buildable(entry) && words(indexValue(entry, 'DISTFILES')).length > 0);
    for (const entry of fresh) this.early.set(entry.pkgname, words(indexValue(entry, 'ALL_DEPENDS')).length);
    void this.queue.wantPorts(fresh.map((entry) => ({
      port: entry.pkgname, dir: join(this.tree, pkgpath), distfiles: words(indexValue(entry, 'DISTFILES')), sites: words(indexValue(entry, 'MASTER_SITES')),
    })), this.settings.override);
  }

  start(push: (event: EngineEvent) => void): void {
    this.push = push;
    // A new engine (a new plan) hears every result so far.
    for (const [pkgname, result] of this.results) if (this.wanted.has(pkgname)) push(this.event(pkgname, result));
  }

  stop(): void {
    this.push = undefined;
  }

  private ended(pkgname: PkgName, result: PortFetchResult): void {
    if (this.signal.aborted) return; // stopped with the run: not the port's failure; the next run fetches again
    this.results.set(pkgname, result);
    if (this.wanted.has(pkgname)) this.tell(pkgname, result);
  }

  private tell(pkgname: PkgName, result: PortFetchResult): void {
    if (!result.ok) this.writePortLog(pkgname, result.reason);
    this.push?.(this.event(pkgname, result));
  }

  private event(pkgname: PkgName, result: PortFetchResult): EngineEvent {
    return result.ok ? { type: 'distfiles-ready', at: this.now(), pkgname } : { type: 'fetch-failed', at: this.now(), pkgname, reason: result.reason };
  }

  /** `fetch.log`: distfile, site, bytes, seconds, `!` if it failed; only for what was asked of a server. */
  private logLine(ended: DistfileEnded): void {
    if (ended.result.ok && !ended.result.fetched) return;
    const line = `${ended.name} ${ended.site} ${ended.bytes} ${ended.seconds.toFixed(2)}${ended.result.ok ? '' : ' !'}\n`;
    try {
      appendFileSync(join(this.logdir, 'fetch.log'), line);
    } catch {
      // The run directory is full: the store stops the run with the reason.
    }
  }

  /** The port's log (`packages/<pkgname>.log`, `paths/<pkgpath>.log`) says what the fetch tried; an earlier attempt's is kept, as a build's. */
  private writePortLog(pkgname: PkgName, reason: string): void {
    try {
      const { logFile, logDir } = logPaths(this.logdir, pkgname);
      keepEarlierAttempt(logFile, logDir);
      mkdirSync(logDir, { recursive: true });
      writeFileSync(logFile, `===> fetch\nkiln: ${reason.split('; ').join('\nkiln: ')}\n`);
      const pkgpath = this.paths.get(pkgname);
      if (pkgpath !== undefined) linkPathLog(this.logdir, pkgpath, logFile);
    } catch {
      // As above: the store names a full run directory.
    }
  }
}
