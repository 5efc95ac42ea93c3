// The runtime side of port locks. Before a job runs, its port's lock is
// taken (or the job waits: another run builds that port); as it runs, the
// lock shows its phase; when it ends, the lock goes (built) or stays with
// the failure (failed). Every second the lock directory is looked at: a
// failed port's lock that a person deleted sends `path-unlocked` (build it
// again), another run's lock `path-locked` (wait), and a lock whose kiln
// process is gone is taken away.

import type { EngineEvent, Job } from '../core/engine/engine-events.js';
import type { FailedRecord } from '../core/job/build-stamp.js';
import type { JobOutcome, PkgPath } from '../core/model.js';
import { StoreError } from '../store/run-store.js';
import type { EventSource, JobHooks, JobSetup } from './job-hooks.js';
import { type LockState, PortLocks, type PortLock } from './port-locks.js';

export interface LockKeeperOptions {
  /** Attempts a job gets: the last one that infrastructure fails leaves a failed lock. */
  readonly maxAttempts: number;
  readonly say: (level: 'info' | 'warning' | 'error', text: string) => void;
  readonly now: () => number;
  readonly pollS?: number;
  /** Whether a job's package was just built from the same inputs by another run: checked once its lock is taken. */
  readonly builtElsewhere?: (job: Job, inputs: string) => boolean;
}

export class LockKeeper implements JobHooks, EventSource {
  /** Text of each lock as last seen or written by this process; null: none. */
  private readonly known = new Map<PkgPath, string | null>();
  /** Locks this process holds for a running job. */
  private readonly mine = new Set<PkgPath>();
  /** Other runs' locks the engine was told of (`path-locked`). */
  private readonly waitingOn = new Map<PkgPath, PortLock | undefined>();
  /** A failed lock of another pkgname of the same pkgpath, to put back once a job of the pkgpath ends. */
  private readonly earlierFailure = new Map<PkgPath, LockState>();
  private timer: NodeJS.Timeout | undefined;
  private push: ((event: EngineEvent) => void) | undefined;

  constructor(private readonly locks: PortLocks, private readonly pkgpaths: ReadonlySet<PkgPath>, private readonly o: LockKeeperOptions) {}

  /**
   * At the start of a run: this run directory's locks of builds that did
   * not finish, and of infrastructure failures, go (this process is the
   * only one on the run directory); stale locks of other runs go too.
   */
  adopt(): void {
    for (const pkgpath of this.locks.pkgpaths()) {
      const look = this.locks.look(pkgpath);
      if (look.kind !== 'lock') continue;
      const lock = look.lock;
      const own = this.locks.isOwn(lock);
      if (own && (lock.status === 'building' || lock.phase === 'infrastructure')) this.locks.remove(pkgpath);
      else if (!own && lock.status === 'building' && this.locks.isStale(lock) && this.locks.breakStale(lock)) {
        this.o.say('info', `${pkgpath}: took away the lock of ${PortLocks.describe(lock)}, which is gone`);
      }
    }
    for (const pkgpath of this.locks.pkgpaths()) if (this.pkgpaths.has(pkgpath)) this.known.set(pkgpath, this.text(pkgpath));
  }

  /** The failure a port's lock records, when it says failed. */
  failure(pkgpath: PkgPath): FailedRecord | undefined {
    const look = this.locks.look(pkgpath);
    if (look.kind !== 'lock' || look.lock.status !== 'failed') return undefined;
    const lock = look.lock;
    const where = this.locks.isOwn(lock) ? `run ${lock.run ?? '?'}` : PortLocks.describe(lock);
    return {
      inputs: lock.inputs, phase: lock.phase ?? 'build', error: lock.error ?? 'unknown',
      reason: `failed in ${where} with the same inputs; kiln retry ${pkgpath} (or deleting ${this.locks.path(pkgpath)}) builds it again`,
      ...(lock.log !== undefined && { log: lock.log }), ...(lock.host !== undefined && { host: lock.host }),
    };
  }

  // ---- the event source: the lock directory, looked at every second ----

  start(push: (event: EngineEvent) => void): void {
    this.push = push;
    for (const pkgpath of this.known.keys()) this.notice(pkgpath, true);
    // Not unref'd: while every ready port waits for another run's lock, this timer is what keeps the run alive.
    this.timer = setInterval(() => this.poll(), (this.o.pollS ?? 1) * 1000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.push = undefined;
  }

  private poll(): void {
    const seen = new Set(this.locks.pkgpaths().filter((p) => this.pkgpaths.has(p)));
    for (const pkgpath of new Set([...seen, ...this.known.keys(), ...this.waitingOn.keys()])) {
      const text = this.text(pkgpath);
      const held = this.waitingOn.get(pkgpath);
      if (text === (this.known.get(pkgpath) ?? null) && !(held && this.locks.isStale(held))) continue;
      this.notice(pkgpath, false);
    }
  }

  /** Tells the engine what a lock that changed (or is there at the start) means. */
  private notice(pkgpath: PkgPath, initial: boolean): void {
    const look = this.locks.look(pkgpath);
    const at = this.o.now();
    if (look.kind === 'lock' && look.lock.status === 'building' && !this.locks.isOwn(look.lock)) {
      if (this.locks.isStale(look.lock) && this.locks.breakStale(look.lock)) {
        this.o.say('info', `${pkgpath}: took away the lock of ${PortLocks.describe(look.lock)}, which is gone`);
        this.forget(pkgpath, at);
        return;
      }
      this.known.set(pkgpath, look.lock.text);
      if (!this.waitingOn.has(pkgpath)) {
        this.waitingOn.set(pkgpath, look.lock);
        this.push?.({ type: 'path-locked', at, pkgpath, by: PortLocks.describe(look.lock) });
      }
      return;
    }
    if (look.kind === 'bad') {
      this.known.set(pkgpath, this.text(pkgpath));
      this.o.say('warning', `${this.locks.path(pkgpath)} is not a lock kiln can read (${look.reason}); ${pkgpath} waits until it is deleted`);
      if (!this.waitingOn.has(pkgpath)) {
        this.waitingOn.set(pkgpath, undefined);
        this.push?.({ type: 'path-locked', at, pkgpath, by: `an unreadable lock ${this.locks.path(pkgpath)}` });
      }
      return;
    }
    if (initial) return; // a failed lock at the start: its verdict came from the plan
    // Gone, or a failed lock now: a failed port is built again, or a wait is over.
    this.known.set(pkgpath, look.kind === 'lock' ? look.lock.text : null);
    if (look.kind === 'none') this.forget(pkgpath, at);
    else if (this.waitingOn.delete(pkgpath)) this.push?.({ type: 'path-unlocked', at, pkgpath });
  }

  private forget(pkgpath: PkgPath, at: number): void {
    this.known.set(pkgpath, null);
    this.waitingOn.delete(pkgpath);
    this.push?.({ type: 'path-unlocked', at, pkgpath });
  }

  // ---- job hooks -------------------------------------------------------

  starting(job: Job, setup: JobSetup): EngineEvent | undefined {
    const inputs = setup.buildJob.metadata.inputs;
    const state: LockState = {
      pkgname: job.pkgname, status: 'building', host: job.host, log: setup.buildJob.logFile, ...(inputs !== undefined && { inputs }),
    };
    const at = job.startedAt;
    try {
      for (let tries = 0; tries < 3; tries++) {
        const created = this.locks.create(job.pkgpath, state);
        if (created !== undefined) return this.took(job.pkgpath, created) ?? this.notAgain(job, inputs);
        const look = this.locks.look(job.pkgpath);
        if (look.kind === 'none') continue;
        if (look.kind === 'bad') {
          return this.waitOn(job.pkgpath, undefined, { type: 'path-locked', at, pkgpath: job.pkgpath, by: `an unreadable lock ${this.locks.path(job.pkgpath)} (${look.reason})`, job: job.id });
        }
        const lock = look.lock;
        const by = PortLocks.describe(lock);
        if (this.locks.isOwn(lock)) {
          if (lock.status === 'failed' && lock.pkgname !== job.pkgname) {
            this.earlierFailure.set(job.pkgpath, { pkgname: lock.pkgname, status: 'failed', ...defined({ phase: lock.phase, error: lock.error, inputs: lock.inputs, host: lock.host, log: lock.log }) });
          }
          return this.took(job.pkgpath, this.locks.write(job.pkgpath, state));
        }
        if (lock.status === 'building') {
          if (this.locks.isStale(lock) && this.locks.breakStale(lock)) continue;
          return this.waitOn(job.pkgpath, lock, { type: 'path-locked', at, pkgpath: job.pkgpath, by, job: job.id });
        }
        if (lock.inputs === inputs && inputs !== undefined && lock.phase !== 'infrastructure') {
          return { type: 'path-locked', at, pkgpath: job.pkgpath, by, job: job.id, failed: { phase: lock.phase ?? 'build', error: lock.error ?? 'unknown', ...defined({ host: lock.host, log: lock.log }) } };
        }
        this.o.say('info', `${job.pkgpath}: failed in ${by} with other inputs; this run builds it`);
        return this.took(job.pkgpath, this.locks.write(job.pkgpath, state));
      }
      return { type: 'path-locked', at, pkgpath: job.pkgpath, by: 'other kiln runs racing for it', job: job.id };
    } catch (err) {
      throw new StoreError(`cannot write the lock ${this.locks.path(job.pkgpath)}: ${(err as Error).message}`);
    }
  }

  phase(job: Job, phase: string): void {
    if (!this.mine.has(job.pkgpath)) return;
    this.keep(job.pkgpath, () => this.locks.write(job.pkgpath, { ...this.buildingState(job), phase }));
  }

  ended(job: Job, outcome: JobOutcome | 'requeued'): void {
    if (!this.mine.delete(job.pkgpath)) return;
    const state = this.states.get(job.id);
    this.states.delete(job.id);
    const failed = outcome === 'requeued' ? undefined
      : outcome.kind === 'failed' ? { phase: outcome.phase, error: outcome.error }
        : outcome.kind === 'infrastructure' && outcome.full === undefined && job.attempt >= this.o.maxAttempts ? { phase: 'infrastructure', error: 'infrastructure' }
          : undefined;
    const earlier = this.earlierFailure.get(job.pkgpath);
    this.earlierFailure.delete(job.pkgpath);
    if (failed && state) this.keep(job.pkgpath, () => this.locks.write(job.pkgpath, { ...state, status: 'failed', ...failed }));
    else if (earlier) this.keep(job.pkgpath, () => this.locks.write(job.pkgpath, earlier));
    else this.keep(job.pkgpath, () => { this.locks.remove(job.pkgpath); return null; });
  }

  /** The building state of each running job, to write phases and failures into. */
  private readonly states = new Map<number, LockState>();

  private buildingState(job: Job): LockState {
    return this.states.get(job.id) ?? { pkgname: job.pkgname, status: 'building', host: job.host };
  }

  /**
   * The lock is ours, so no other run builds the port now; if one built it a
   * moment ago from the same inputs, it is not built again: the job goes
   * back to the queue and the port is checked (and found current).
   */
  private notAgain(job: Job, inputs: string | undefined): EngineEvent | undefined {
    if (inputs === undefined || this.o.builtElsewhere?.(job, inputs) !== true) return undefined;
    this.mine.delete(job.pkgpath);
    this.keep(job.pkgpath, () => { this.locks.remove(job.pkgpath); return null; });
    setImmediate(() => this.push?.({ type: 'path-unlocked', at: this.o.now(), pkgpath: job.pkgpath }));
    return { type: 'path-locked', at: job.startedAt, pkgpath: job.pkgpath, by: 'a run that has just built it', job: job.id };
  }

  /** The engine is told to wait for another run's lock: the watcher follows it from here. */
  private waitOn(pkgpath: PkgPath, lock: PortLock | undefined, event: EngineEvent): EngineEvent {
    this.waitingOn.set(pkgpath, lock);
    this.known.set(pkgpath, this.text(pkgpath));
    return event;
  }

  private took(pkgpath: PkgPath, text: string): undefined {
    this.mine.add(pkgpath);
    this.known.set(pkgpath, text);
    return undefined;
  }

  started(job: Job, setup: JobSetup): void {
    const inputs = setup.buildJob.metadata.inputs;
    this.states.set(job.id, { pkgname: job.pkgname, status: 'building', host: job.host, log: setup.buildJob.logFile, ...(inputs !== undefined && { inputs }) });
  }

  /** Writes a lock while a job runs or ends; a lock that cannot be written is named, and the build goes on. */
  private keep(pkgpath: PkgPath, write: () => string | null): void {
    try {
      this.known.set(pkgpath, write());
    } catch (err) {
      this.o.say('warning', `cannot write the lock ${this.locks.path(pkgpath)}: ${(err as Error).message}`);
    }
  }

  private text(pkgpath: PkgPath): string | null {
    const look = this.locks.look(pkgpath);
    return look.kind === 'lock' ? look.lock.text : look.kind === 'bad' ? `bad:${look.reason}` : null;
  }
}

function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
