// One run's session with its run directory: the run lock and the store held
// while it lasts; the run resumed when the last one did not finish, begun
// otherwise; what a killed kiln left behind cleaned; every run event written
// to the store and the views; the repository's index; and the run's end,
// recorded so that an interrupted run stays open for the same command to resume.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { EngineCounts } from '../core/engine/engine.js';
import type { PkgName } from '../core/model.js';
import type { ResolvedPackage } from '../core/resolve/resolve.js';
import type { RunEvent, RunEventSink } from '../core/run-events.js';
import type { HistoryStore } from '../store/history-store.js';
import { type RunStore, StoreError, type StatusRecord } from '../store/run-store.js';
import type { BuildRunOptions, BuildRunResult } from './build-run.js';
import type { RunResult } from './coordinator.js';
import type { KillPoints } from './kill-points.js';
import { cleanRepository, cleanRunDir, cleanScratch } from './leftovers.js';
import { lockRunDir } from './run-lock.js';

type SessionOptions = Pick<BuildRunOptions, 'driver' | 'logdir' | 'repository' | 'lockdir' | 'args' | 'clock' | 'sink' | 'scratchBase' | 'killPoints' | 'openStores'>;

/** The run directory's stores: the run's, and the build history kept in it. */
export interface BuildStores {
  readonly run: RunStore;
  readonly history: HistoryStore;
}

/** Runs `body` with the run directory locked and its store open; both are let go however it ends. */
export async function withRunSession<T>(o: SessionOptions, body: (session: RunSession) => Promise<T>): Promise<T> {
  const allDir = join(o.repository, 'All');
  try {
    mkdirSync(allDir, { recursive: true });
    mkdirSync(o.logdir, { recursive: true });
  } catch (err) {
    throw new StoreError(`cannot make ${(err as NodeJS.ErrnoException).path ?? allDir}: ${(err as Error).message}`);
  }
  const runLock = lockRunDir(o.logdir, o.args, o.clock.now());
  let stores: BuildStores;
  try {
    stores = o.openStores(o.logdir);
  } catch (err) {
    runLock.release();
    throw err;
  }
  try {
    return await body(new RunSession(o, stores, allDir));
  } finally {
    stores.run.close();
    runLock.release();
  }
}

export class RunSession {
  readonly run: number;
  readonly resuming: boolean;
  readonly lockdir: string;
  readonly point: KillPoints;
  /** The packages' states as the run's earlier process left them; empty for a new run. */
  private readonly resumed: ReadonlyMap<PkgName, StatusRecord>;

  readonly store: RunStore;
  readonly history: HistoryStore;

  constructor(private readonly o: SessionOptions, stores: BuildStores, readonly allDir: string) {
    const store = stores.run;
    this.store = store;
    this.history = stores.history;
    this.lockdir = o.lockdir ?? join(o.logdir, 'locks');
    this.point = o.killPoints ?? ((): void => undefined);
    const latest = store.latestRun();
    const resuming = latest !== undefined && latest.finishedAt === undefined;
    const run = resuming ? latest : store.beginRun(o.clock.now(), JSON.stringify(o.args));
    this.resuming = resuming;
    this.run = run.id;
    // What the run's earlier processes did: the views show it, the records made from events are made again from it.
    if (resuming) o.sink.replay?.(run.id, () => store.allEvents());
    this.emit({ type: 'run-started', at: o.clock.now(), run: String(run.id), tree: o.driver.root, logdir: o.logdir, packages: o.repository, resumed: resuming });
    const cleaned = [...cleanRepository(allDir), ...cleanRunDir(o.logdir, this.lockdir), ...(o.scratchBase ? cleanScratch(o.scratchBase) : [])];
    if (cleaned.length > 0) this.say('info', `removed what a killed kiln left behind (${cleaned.length}): ${cleaned.slice(0, 5).join(', ')}${cleaned.length > 5 ? ', ...' : ''}`);
    this.resumed = resuming ? store.statuses(run.id) : new Map<PkgName, StatusRecord>();
  }

  emit(event: RunEvent): void {
    this.store.appendEvents(this.run, [event]);
    this.o.sink.emit(event);
  }

  say(level: 'info' | 'warning' | 'error', text: string): void {
    this.emit({ type: 'message', at: this.o.clock.now(), level, text });
  }

  /** Jobs that were running when the coordinator died go back to open, and the views are told. */
  reopenInterrupted(): void {
    const at = this.o.clock.now();
    const commands = [...this.resumed.values()]
      .filter((s) => s.status === 'building')
      .map((s) => ({
        type: 'status' as const, at, pkgname: s.pkgname, status: 'open' as const, reason: 'the coordinator stopped while it was building; it starts again',
        ...(s.job !== undefined && { job: s.job }),
      }));
    const events = commands.map((change): RunEvent => ({ type: 'status', change }));
    this.store.record(this.run, commands, events);
    for (const event of events) this.o.sink.emit(event);
  }

  /**
   * Writes pkg_summary and SHA512 when this run built something, or when an
   * earlier write did not finish; a repository that cannot take them (a full
   * disk) is named, and the next run writes them.
   */
  async writeIndex(write: BuildRunOptions['writeIndex'], packages: readonly ResolvedPackage[], built: boolean): Promise<string | undefined> {
    if (!built && this.store.get('index:stale') !== '1') return undefined;
    this.store.put('index:stale', '1');
    try {
      await write(this.allDir, packages);
    } catch (err) {
      return `the packages are in ${this.allDir}, but its index (pkg_summary.gz, SHA512) cannot be written: ${(err as Error).message}; the next kiln build writes it`;
    }
    this.store.put('index:stale', '0');
    return undefined;
  }

  /** The run's end, told and recorded. Interrupted, or no host could build: the run stays open, and the same command resumes it. */
  finish(result: RunResult, counts?: EngineCounts): BuildRunResult {
    this.point('reporting');
    this.emit({ type: 'run-finished', at: this.o.clock.now(), result });
    this.point('finishing');
    if (result !== 'interrupted' && result !== 'no-host') this.store.finishRun(this.run, this.o.clock.now(), result);
    return { result, run: this.run, counts: counts ?? { total: 0, ready: 0, byStatus: emptyCounts() } };
  }
}

/** Reporters that cannot write the run directory (a full disk) stop the run as the store does: named, and resumable. */
export function guarded(sink: RunEventSink, logdir: string): RunEventSink {
  const guard = (write: () => void): void => {
    try {
      write();
    } catch (err) {
      if (typeof (err as NodeJS.ErrnoException).code !== 'string') throw err;
      throw new StoreError(`cannot write the run directory ${logdir}: ${(err as Error).message}`);
    }
  };
  return {
    emit: (event) => guard(() => sink.emit(event)),
    replay: (run, stored) => guard(() => sink.replay?.(run, stored)),
  };
}

function emptyCounts(): EngineCounts['byStatus'] {
  return { open: 0, building: 0, done: 0, failed: 0, prefailed: 0, 'indirect-failed': 0, 'indirect-prefailed': 0, 'up-to-date': 0 };
}
