// Fetch jobs beside the builds, on the coordinator: a port with DISTFILES
// goes to the fetch queue as soon as the scan finds it, when it will surely
// be built (its package is not in the repository: fetching it cannot be
// wasted), else when the plan says it will be built; its result reaches
// the engine (and a failure its log) once it is planned, through the
// coordinator's queue (`distfiles-ready` / `fetch-failed`). Each finished
// distfile is one line of fetch.log; a port that fails has its fetch
// transcript as its log.

import { appendFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { EngineEvent } from '../core/engine/engine-events.js';
import type { PlanEntry } from '../core/engine/engine-plan.js';
import type { PkgName, PkgPath } from '../core/model.js';
import { type IndexEntry, indexValue } from '../core/formats/pbulk-index.js';
import type { RunEvent } from '../core/run-events.js';
import type { ResolvedPackage } from '../core/resolve/resolve.js';
import type { FetchLimits, FetchUrgency } from '../core/distfiles/fetch-order.js';
import { FetchQueue, type DistfileEnded, type PortFetchResult } from '../fetch/fetch-queue.js';
import type { EventSource, JobHooks } from './job-hooks.js';
import { lockDistfile } from './distfile-lock.js';
import type { DistfileLister } from './distfile-lister.js';
import type { PortDistfiles } from '../fetch/port-distfiles.js';
import { keepEarlierAttempt, linkPathLog, logPaths } from './job-setup.js';

export interface FetchSettings {
  /** DISTDIR on the coordinator. */
  readonly distdir: string;
  /** `--master-site-override`: tried before a port's own sites. */
  readonly override: readonly string[];
  readonly limits: FetchLimits;
  /** `scan`: fetch in the order the scan found the ports, not by build priority (bench/fetch-order.ts compares them). */
  readonly order?: 'priority' | 'scan';
}

export class FetchSource implements EventSource, JobHooks {
  private push: ((event: EngineEvent) => void) | undefined;
  private readonly results = new Map<PkgName, PortFetchResult>();
  private readonly queue: FetchQueue;
  /** Planned to be built, with distfiles. */
  private readonly wanted = new Set<PkgName>();
  /** Fetched for since the scan found them, not planned yet: how many dependencies each names. */
  private readonly early = new Map<PkgName, number>();
  private readonly paths = new Map<PkgName, PkgPath>();
  private readonly scanIndex = new Map<PkgName, number>();
  /** The distfiles coming now, with the file each is written to. */
  private readonly transfers = new Map<string, string>();
  private progressTimer: NodeJS.Timeout | undefined;

  private readonly urgency: (pkgname: PkgName) => FetchUrgency;

  constructor(
    private readonly settings: FetchSettings,
    /** What the tree's packages fetch (runtime/distfile-lister.ts). */
    private readonly lister: DistfileLister,
    private readonly logdir: string,
    private readonly now: () => number,
    priority: (pkgname: PkgName) => FetchUrgency,
    private readonly signal: AbortSignal,
    /** Tells the run (engine.log, the terminal) what a site answered when it did not give the file. */
    warn: (text: string) => void,
    /** The views: `record` keeps an event in the run's store and shows it, `show` only shows it (progress). */
    private readonly views?: { readonly record: (event: RunEvent) => void; readonly show: (event: RunEvent) => void },
  ) {
    signal.addEventListener('abort', () => clearInterval(this.progressTimer), { once: true });
    const scanOrder = (pkgname: PkgName): FetchUrgency => ({ ready: true, priority: -(this.scanIndex.get(pkgname) ?? 0) });
    // Not planned yet: a port that depends on nothing is ready as soon as it is; the fewer its dependencies, the sooner it may be.
    const urgency = (pkgname: PkgName): FetchUrgency => {
      if (this.wanted.has(pkgname)) return priority(pkgname);
      const deps = this.early.get(pkgname) ?? 0;
      return { ready: deps === 0, priority: 1 / (1 + deps) };
    };
    this.urgency = settings.order === 'scan' ? scanOrder : urgency;
    this.queue = new FetchQueue({
      distdir: settings.distdir, limits: settings.limits, lock: lockDistfile, signal, priority: this.urgency,
      ...(settings.order === 'scan' && { sizeBlind: true }),
      attempted: (name, attempt) => {
        if (attempt.ok) return;
        try {
          warn(`fetch ${name}: ${attempt.url}: ${attempt.answer}`);
        } catch {
          // A run directory that cannot be written: the store stops the run with the reason.
        }
      },
      portEnded: (port, result) => this.portFetched(port, result),
      distfileStarted: (started) => this.tell({ type: 'fetch-started', at: this.now(), ...started }),
      distfileEnded: (ended) => {
        this.logLine(ended);
        if (!ended.result.ok || ended.result.fetched) {
          this.tell({ type: 'fetch-ended', at: this.now(), name: ended.name, site: ended.site, bytes: ended.bytes, seconds: ended.seconds, ok: ended.result.ok, ports: ended.ports });
        }
      },
    });
  }

  /**
   * The plan of `batch` with the packages to build that have distfiles
   * marked to wait for them (PlanEntry.fetch), and their fetches begun.
   */
  static plan<P extends { readonly entries: readonly PlanEntry[] }>(fetcher: FetchSource | undefined, plan: P, batch: readonly ResolvedPackage[]): P {
    if (fetcher === undefined) return plan;
    const packages = new Map(batch.map((p) => [p.pkgname, p]));
    const entries = plan.entries.map((e) => (e.initial.status === 'open' && fetcher.lister.waits(packages.get(e.pkgname)!.entry) ? { ...e, fetch: true } : e));
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
      if (result !== undefined) this.report(entry.pkgname, result);
    }
    // The most urgent asked first: a pkgsrc port's distfiles are known only when bmake has said them. One asked for since the scan found it is not asked again.
    const ports = fresh.filter((entry) => !this.early.delete(entry.pkgname))
      .map((entry) => ({ pkgname: entry.pkgname, pkgpath: entry.pkgpath, entry: packages.get(entry.pkgname)!.entry }));
    void this.lister.list(ports, (pkgname, distfiles) => this.listed(pkgname, distfiles), this.urgency, this.signal);
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
      && buildable(entry) && this.lister.waits(entry));
    for (const entry of fresh) this.early.set(entry.pkgname, (indexValue(entry, 'ALL_DEPENDS') ?? '').split(/\s+/).filter((w) => w !== '').length);
    void this.lister.list(fresh.map((entry) => ({ pkgname: entry.pkgname, pkgpath, entry })), (pkgname, distfiles) => this.listed(pkgname, distfiles), this.urgency, this.signal);
  }

  /** A port's distfiles as its tree kind says them: fetched, or why it has none it can fetch. */
  private listed(pkgname: PkgName, distfiles: PortDistfiles): void {
    if (distfiles.ok) this.queue.want([{ port: pkgname, requests: distfiles.requests }]);
    else this.portFetched(pkgname, distfiles);
  }

  start(push: (event: EngineEvent) => void): void {
    this.push = push;
    // A new engine (a new plan) hears every result so far.
    for (const [pkgname, result] of this.results) if (this.wanted.has(pkgname)) push(this.event(pkgname, result));
  }

  stop(): void {
    this.push = undefined;
  }

  /** A build ended: once the engine has taken it in (the loop's step is synchronous), its dependents may be ready, their files more urgent. */
  ended(): void {
    queueMicrotask(() => this.queue.pump());
  }

  private portFetched(pkgname: PkgName, result: PortFetchResult): void {
    if (this.signal.aborted) return; // stopped with the run: not the port's failure; the next run fetches again
    this.results.set(pkgname, result);
    if (this.wanted.has(pkgname)) this.report(pkgname, result);
  }

  /** A planned port's result: to the engine, and a failure to its log. */
  private report(pkgname: PkgName, result: PortFetchResult): void {
    if (!result.ok) this.writePortLog(pkgname, result.reason);
    this.push?.(this.event(pkgname, result));
  }

  private event(pkgname: PkgName, result: PortFetchResult): EngineEvent {
    return result.ok ? { type: 'distfiles-ready', at: this.now(), pkgname } : { type: 'fetch-failed', at: this.now(), pkgname, reason: result.reason };
  }

  /** A fetch began or ended: kept and shown; while any runs, its bytes are shown each second. */
  private tell(event: Extract<RunEvent, { type: 'fetch-started' | 'fetch-ended' }>): void {
    if (this.views === undefined || this.signal.aborted) return;
    try {
      this.views.record(event);
    } catch {
      // As fetch.log: a full run directory stops the run through the store.
    }
    if (event.type === 'fetch-started') this.transfers.set(event.name, event.part);
    else this.transfers.delete(event.name);
    if (this.transfers.size > 0 && this.progressTimer === undefined) {
      this.progressTimer = setInterval(() => this.showProgress(), 1000);
      this.progressTimer.unref();
    } else if (this.transfers.size === 0) {
      clearInterval(this.progressTimer);
      this.progressTimer = undefined;
    }
  }

  private showProgress(): void {
    const at = this.now();
    for (const [name, part] of this.transfers) {
      try {
        // No part file: the transfer has not begun, or has just been renamed into place.
        const bytes = statSync(part, { throwIfNoEntry: false })?.size;
        if (bytes !== undefined) this.views?.show({ type: 'fetch-progress', at, name, bytes });
      } catch {
        // A part file that cannot be looked at, or a view that cannot be written (a full run directory): the store stops the run with the reason.
      }
    }
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
