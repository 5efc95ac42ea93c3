// Fetch jobs beside the builds, on the coordinator: the ports the plan
// will build and that have DISTFILES go to the fetch queue as soon as the
// scan settles them; each port's result reaches the engine through the
// coordinator's queue (`distfiles-ready` / `fetch-failed`). Each finished
// distfile is one line of fetch.log; a port that fails has its fetch
// transcript as its log.

import { appendFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { EngineEvent } from '../core/engine/engine-events.js';
import type { PlanEntry } from '../core/engine/engine-plan.js';
import type { PkgName, PkgPath } from '../core/model.js';
import type { RunEvent } from '../core/run-events.js';
import { indexValue } from '../core/formats/pbulk-index.js';
import type { ResolvedPackage } from '../core/resolve/resolve.js';
import type { FetchLimits } from '../core/distfiles/fetch-order.js';
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
  private readonly wanted = new Set<PkgName>();
  private readonly paths = new Map<PkgName, PkgPath>();
  private readonly scanIndex = new Map<PkgName, number>();
  /** The distfiles coming now, with the file each is written to. */
  private readonly transfers = new Map<string, string>();
  private progressTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: FetchSettings,
    private readonly tree: string,
    private readonly logdir: string,
    private readonly now: () => number,
    priority: (pkgname: PkgName) => number,
    private readonly signal: AbortSignal,
    /** Tells the run (engine.log, the terminal) what a site answered when it did not give the file. */
    warn: (text: string) => void,
    /** The views: `record` keeps an event in the run's store and shows it, `show` only shows it (progress). */
    private readonly views?: { readonly record: (event: RunEvent) => void; readonly show: (event: RunEvent) => void },
  ) {
    signal.addEventListener('abort', () => clearInterval(this.progressTimer), { once: true });
    const scanOrder = (pkgname: PkgName): number => -(this.scanIndex.get(pkgname) ?? 0);
    this.queue = new FetchQueue({
      distdir: settings.distdir, limits: settings.limits, lock: lockDistfile, priority: settings.order === 'scan' ? scanOrder : priority, signal,
      attempted: (name, attempt) => {
        if (attempt.ok) return;
        try {
          warn(`fetch ${name}: ${attempt.url}: ${attempt.answer}`);
        } catch {
          // A run directory that cannot be written: the store stops the run with the reason.
        }
      },
      portEnded: (port, result) => this.ended(port, result),
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
    }
    void this.queue.wantPorts(fresh.map((entry) => {
      const pkg = packages.get(entry.pkgname)!;
      return { port: entry.pkgname, dir: join(this.tree, entry.pkgpath), distfiles: distfilesOf(pkg), sites: words(indexValue(pkg.entry, 'MASTER_SITES')) };
    }), this.settings.override);
  }

  start(push: (event: EngineEvent) => void): void {
    this.push = push;
    // A new engine (a new plan) hears every result so far.
    for (const [pkgname, result] of this.results) push(this.event(pkgname, result));
  }

  stop(): void {
    this.push = undefined;
  }

  private ended(pkgname: PkgName, result: PortFetchResult): void {
    if (this.signal.aborted) return; // stopped with the run: not the port's failure; the next run fetches again
    this.results.set(pkgname, result);
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
