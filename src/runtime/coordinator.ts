// The coordinator loop: feeds events into the engine one at a time, writes
// the commands that come out to the store, and only then carries them out
// (start jobs on executors). Job results, lost hosts, stop files and Ctrl-C
// all arrive through one queue, so the engine sees one event at a time.

import type { CheckVerdict, EngineCommand, EngineEvent, Job } from '../core/engine/engine-events.js';

import type { Engine } from '../core/engine/engine.js';
import type { HostSpec, JobOutcome, PkgName } from '../core/model.js';
import type { RunEvent, RunEventSink } from '../core/run-events.js';
import type { WaitRecord } from './wait-record.js';
import { unreachable } from '../core/unreachable.js';
import { classText } from '../core/engine/host-features.js';
import type { Placement } from '../exec/agent-channel.js';
import type { Executor, HostInfo } from '../exec/executor.js';
import type { BuildReport } from '../job/build-job.js';
import type { RunStore } from '../store/run-store.js';
import type { Clock } from './clock.js';
import type { DiskSpace } from './disk-space.js';
import { EventQueue } from './event-queue.js';
import { tooLongForAny } from '../core/engine/host-deadline.js';
import { HostConnector } from './host-connector.js';
import { HostMembership } from './host-membership.js';
import { LoadRecord } from './load-record.js';
import type { HostRoster } from './host-roster.js';
import type { EventSource, JobHooks, JobSetup } from './job-hooks.js';
import { logSize } from './job-outcome.js';
import { RunningJobs } from './running-jobs.js';
import { StopFiles } from './stop-files.js';

export interface HostBinding {
  readonly executor: Executor;
  readonly spec: HostSpec;
  /** The spec from what the host reported when it was checked; `spec` until then. */
  readonly specFor?: (info: HostInfo) => HostSpec;
}

export interface CoordinatorOptions {
  readonly engine: Engine;
  readonly store: RunStore;
  readonly run: number;
  readonly hosts: readonly HostBinding[];
  readonly sink: RunEventSink;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly logdir: string;
  /** Makes the BuildJob of an engine job (paths, sandbox contents, metadata). */
  readonly setup: (job: Job) => JobSetup;
  /** Called in the loop for every job result the engine accepts (history, error classes). */
  readonly finish: (job: Job, report: BuildReport, setup: JobSetup, endedAt: number) => JobOutcome;
  /** Seconds between checks of stop files. */
  readonly pollS?: number;
  readonly hooks?: readonly JobHooks[];
  readonly sources?: readonly EventSource[];
  /** Answers the engine's `check` command; without it every checked package is built. */
  readonly check?: (pkgname: PkgName) => Promise<CheckVerdict>;
  /** Seconds a job that infrastructure failed waits, its slot kept, before the engine requeues it (a full disk may clear). */
  readonly retryPauseS?: (job: Job) => number;
  /** Called at named points of the loop (fault-injection tests kill the process there). */
  readonly at?: (point: string) => void;
  /** Hosts that join and leave while the build runs (the hosts files). */
  readonly roster?: HostRoster;
  /** Why queued packages wait: for kiln why, and engine.log when a slot stays idle. */
  readonly waits?: WaitRecord;
  /** Free space in the repository and the run directory: no job starts while one is short. */
  readonly space?: DiskSpace;
}

/** `no-host`: every host was refused or given up; nothing more could run (the run stays open, to resume). */
export type RunResult = 'complete' | 'stopped' | 'interrupted' | 'no-host';

type Input =
  | { readonly kind: 'engine'; readonly event: EngineEvent }
  | { readonly kind: 'result'; readonly job: Job; readonly report: BuildReport; readonly setup: JobSetup }
  | { readonly kind: 'no-hosts'; readonly reasons: ReadonlyArray<{ readonly host: string; readonly reason: string }> }
  /** Something failed outside the loop (a full store): the loop stops with it. */
  | { readonly kind: 'fault'; readonly error: unknown }
  | { readonly kind: 'interrupt' };

export class Coordinator {
  private readonly o: CoordinatorOptions;
  private readonly queue = new EventQueue<Input>();
  private readonly jobs: RunningJobs;
  private readonly connector: HostConnector;
  private readonly stopFiles: StopFiles;
  private readonly membership: HostMembership;
  private readonly loads: LoadRecord;
  /** Where a cluster manager placed each host, and the hosts whose allocation is pending, with its manager's reason. */
  private readonly placed = new Map<string, string>();
  private readonly pending = new Map<string, string>();

  constructor(options: CoordinatorOptions) {
    this.o = options;
    this.loads = new LoadRecord(options.store, options.run, options.sink);
    const executors = new Map(options.hosts.map((h) => [h.spec.name, h.executor]));
    this.jobs = new RunningJobs(options, executors, {
      outside: (fn) => this.outside(fn),
      emit: (event) => this.emit(event),
      result: (job, report, setup) => this.queue.push({ kind: 'result', job, report, setup }),
    });
    this.connector = new HostConnector(options.hosts, options.signal, {
      up: (spec, again, load) => {
        this.queue.push({ kind: 'engine', event: { type: 'host-up', at: this.now(), host: spec, ...(load !== undefined && { load }) } });
        if (again) this.outside(() => this.emit({ type: 'message', at: this.now(), level: 'info', text: `host ${spec.name} came up` }));
      },
      down: (host, reason, retryS) => {
        this.queue.push({ kind: 'engine', event: { type: 'host-down', at: this.now(), host, reason } });
        const next = retryS === undefined ? 'it left the build' : retryS === 'on-demand' ? 'kiln asks for it again when work waits' : `kiln tries it again in ${retryS} s`;
        this.outside(() => this.emit({ type: 'message', at: this.now(), level: 'warning', text: `host ${host} went down (${next}): ${reason}` }));
      },
      givenBack: (host, reason) => {
        this.queue.push({ kind: 'engine', event: { type: 'host-down', at: this.now(), host, reason: `given back: ${reason}` } });
        this.outside(() => this.emit({ type: 'message', at: this.now(), level: 'info', text: `host ${host} given back: ${reason}` }));
      },
      load: (host, load) => {
        this.queue.push({ kind: 'engine', event: { type: 'host-load', at: this.now(), host, load } });
        this.outside(() => this.loads.note(host, load, this.now()));
      },
      refused: (host, reason) => this.outside(() => {
        if (this.pending.delete(host)) this.o.waits?.awaiting(this.pending.values().next().value);
        this.emit({ type: 'message', at: this.now(), level: 'error', text: `host ${host} refused: ${reason}` });
        const spec = options.hosts.find((h) => h.spec.name === host)?.spec;
        const why = reason.startsWith(`${host}: `) ? reason.slice(host.length + 2) : reason;
        this.emit({ type: 'host', at: this.now(), host, state: 'down', reason: `refused: ${why}`, ...(spec !== undefined && { slots: spec.slots, speed: spec.speed }) });
      }),
      none: (reasons) => this.queue.push({ kind: 'no-hosts', reasons }),
      placement: (host, placement) => this.outside(() => this.placement(host, placement)),
    }, () => this.now());
    this.stopFiles = new StopFiles(options.logdir, options.hosts.map((h) => h.spec.name), (host, on) => {
      const event: EngineEvent = on
        ? { type: 'drain', at: this.now(), ...(host !== undefined && { host }) }
        : { type: 'undrain', at: this.now(), ...(host !== undefined && { host }) };
      this.queue.push({ kind: 'engine', event });
    });
    this.membership = new HostMembership({
      executors, connector: this.connector, stopFiles: this.stopFiles,
      engine: (event) => this.queue.push({ kind: 'engine', event: event(this.now()) }),
      message: (level, text) => this.emit({ type: 'message', at: this.now(), level, text }),
      busy: (host) => this.o.engine.runningJobs().some((job) => job.host === host),
    });
  }

  async run(): Promise<RunResult> {
    const onAbort = (): void => this.queue.push({ kind: 'interrupt' });
    this.o.signal.addEventListener('abort', onAbort, { once: true });
    this.apply(this.o.engine.begin(this.now()));
    // Before any host is up, so that no job starts on a full disk.
    for (const event of this.o.space?.check(true) ?? []) this.apply(this.o.engine.handle(event));
    this.o.space?.start((event) => this.queue.push({ kind: 'engine', event }));
    this.stopFiles.start(this.o.pollS ?? 1);
    this.connector.start();
    this.o.roster?.start(this.membership);
    for (const source of this.o.sources ?? []) source.start((event) => this.queue.push({ kind: 'engine', event }));
    this.o.waits?.start();
    let result: RunResult = 'complete';
    try {
      while (!this.o.engine.finished) {
        const input = await this.queue.next();
        if (input.kind === 'interrupt') {
          result = 'interrupted';
          break;
        }
        if (input.kind === 'fault') throw input.error;
        if (input.kind === 'no-hosts') {
          this.emit({ type: 'message', at: this.now(), level: 'error', text: 'no host can take jobs; the packages keep their state, run the same command again once a host is fixed' });
          for (const { host, reason } of input.reasons) {
            this.emit({ type: 'message', at: this.now(), level: 'error', text: `host ${host}: ${reason.startsWith(`${host}: `) ? reason.slice(host.length + 2) : reason}` });
          }
          result = 'no-host';
          break;
        }
        this.apply(this.step(input));
        const [late, ready] = [this.o.engine.untimely(this.now()), this.o.engine.snapshot().ready];
        this.connector.demand({ ready, late, hosts: this.o.engine.hostStates().map((h) => ({ name: h.name, up: h.state === 'up', slots: h.spec.slots, running: h.running })) });
        if (late.length > 0 && late.length === ready && this.o.engine.runningJobs().length === 0 && tooLongForAny(late, this.connector.limits())) {
          this.emit({ type: 'message', at: this.now(), level: 'error', text: `${late.length} ready package(s) are expected to take longer than any allocation's time limit leaves them (kiln why names them); raise time= in the hosts file, then run the same command again` });
          result = 'no-host';
          break;
        }
        const unserved = this.connector.allTried() ? this.o.engine.unservedOnly() : undefined;
        if (unserved) {
          for (const { pkgname, why } of unserved.slice(0, 10)) this.emit({ type: 'message', at: this.now(), level: 'error', text: `${pkgname} cannot start: ${why}` });
          this.emit({ type: 'message', at: this.now(), level: 'error', text: 'no host can build what is left; the packages keep their state, run the same command again once a host offers what they need' });
          result = 'no-host';
          break;
        }
        this.membership.closeIdle();
        this.o.waits?.stepped();
      }
      if (this.o.engine.finished) result = this.finishedResult ?? 'complete';
    } finally {
      this.o.signal.removeEventListener('abort', onAbort);
      this.stopFiles.stop();
      this.o.space?.stop();
      this.o.roster?.stop();
      this.connector.stop();
      for (const source of this.o.sources ?? []) source.stop();
      this.o.waits?.stop();
      this.loads.stop();
      await this.jobs.cancelAll();
    }
    return result;
  }

  private finishedResult: RunResult | undefined;

  private step(input: Exclude<Input, { kind: 'interrupt' } | { kind: 'no-hosts' } | { kind: 'fault' }>): EngineCommand[] {
    switch (input.kind) {
      case 'engine': {
        const commands = this.o.engine.handle(input.event);
        this.membership.handled(input.event);
        return commands;
      }
      case 'result': {
        this.jobs.ended(input.job.id);
        if (!this.o.engine.job(input.job.id)) return []; // requeued meanwhile: its host was lost
        const at = this.now();
        this.o.at?.('job-result');
        const { report, first } = this.spaceOf(input.report);
        const outcome = this.o.finish(input.job, report, input.setup, at);
        const logBytes = logSize(input.setup.buildJob.logFile);
        const ended: RunEvent = {
          type: 'job-ended', at, job: input.job, outcome, durationS: at - input.job.startedAt, log: input.setup.buildJob.logFile,
          ...(logBytes !== undefined && { logBytes }),
        };
        // The job's end and its event in one transaction: build.log, made from the events, never misses a job the store says ended.
        this.o.store.jobEnded(this.o.run, input.job.id, at, outcome, input.setup.buildJob.logFile, ended);
        this.o.at?.('job-recorded');
        for (const hooks of this.o.hooks ?? []) hooks.ended?.(input.job, outcome);
        this.o.sink.emit(ended);
        return [...first, ...this.o.engine.handle({ type: 'job-ended', at, job: input.job.id, outcome })];
      }
      default:
        return unreachable(input);
    }
  }

  /**
   * A job that ran out of space in the repository or the run directory
   * closes the engine's gate (`first`) before its end is handled, so it goes
   * back to the queue uncounted and nothing new starts; one that ran out
   * elsewhere (its host's disk) is an ordinary infrastructure failure.
   */
  private spaceOf(report: BuildReport): { report: BuildReport; first: EngineCommand[] } {
    if (report.packageFile !== undefined) this.o.space?.wrotePackage(report.packageFile);
    const outcome = report.outcome;
    if (outcome.kind !== 'infrastructure' || outcome.full === undefined) return { report, first: [] };
    const short = this.o.space?.ranOut(outcome.full);
    if (short) return { report, first: this.o.engine.handle(short) };
    return { report: { ...report, outcome: { kind: 'infrastructure', reason: outcome.reason } }, first: [] };
  }

  /** Records the commands, then acts on them. */
  private apply(commands: EngineCommand[]): void {
    const setups = new Map<number, JobSetup>();
    const checks: PkgName[] = [];
    const events: RunEvent[] = [];
    const quarantined: Array<Extract<EngineCommand, { type: 'host' }>> = [];
    for (const command of commands) {
      switch (command.type) {
        case 'status':
          events.push({ type: 'status', change: command });
          break;
        case 'start': {
          const setup = this.o.setup(command.job);
          setups.set(command.job.id, setup);
          // The estimate is at speed 1; the views want it on the job's host.
          const speed = this.specOf(command.job.host)?.speed ?? 1;
          events.push({ type: 'job-started', at: command.job.startedAt, job: command.job, expectedS: setup.expectedS / speed, lastLogBytes: setup.lastLogBytes,
            log: setup.buildJob.logFile, ...(setup.stuckAfterS !== undefined && { stuckAfterS: setup.stuckAfterS }),
          });
          break;
        }
        case 'requeue':
          events.push({ type: 'message', at: command.at, level: 'warning', text: `${command.job.pkgname} on ${command.job.host} goes back to the queue: ${command.reason}` });
          this.jobs.stop(command.job.id, command.reason);
          for (const hooks of this.o.hooks ?? []) hooks.ended?.(command.job, 'requeued');
          break;
        case 'check':
          checks.push(command.pkgname);
          break;
        case 'host': {
          const spec = this.specOf(command.host);
          const reason = command.state === 'quarantined' ? quarantineText(command) : command.reason;
          const where = command.state === 'down' ? undefined : this.placed.get(command.host);
          events.push({
            type: 'host', at: command.at, host: command.host, state: command.state, ...(reason !== undefined && { reason }),
            ...(where !== undefined && { where }),
            ...(spec !== undefined && { slots: spec.slots, speed: spec.speed, ...withClass(spec) }),
            ...(command.state === 'up' && checkedText(this.connector.infoOf(command.host))),
          });
          if (command.state === 'quarantined') {
            quarantined.push(command);
            events.push({ type: 'message', at: command.at, level: 'warning', text: `host ${command.host} quarantined ${reason ?? ''}; its jobs go to other hosts` });
          }
          break;
        }
        case 'space':
          events.push({ type: 'space', at: command.at, where: command.where, short: command.short, reason: command.reason });
          break;
        case 'finished':
          this.finishedResult = command.result;
          break;
        default:
          unreachable(command);
      }
    }
    this.o.store.record(this.o.run, commands, events);
    for (const event of events) this.o.sink.emit(event);
    if (setups.size > 0) this.o.at?.('start-recorded');
    for (const [id, setup] of setups) {
      const job = this.o.engine.job(id)!;
      const refused = this.refusal(job, setup);
      if (refused) this.queue.push({ kind: 'engine', event: refused });
      else this.jobs.launch(job, setup);
    }
    for (const pkgname of checks) this.checkPackage(pkgname);
    for (const q of quarantined) this.connector.quarantine(q.host, q.until === undefined ? undefined : q.until - q.at, q.reason ?? '');
  }

  private refusal(job: Job, setup: JobSetup): EngineEvent | undefined {
    for (const hooks of this.o.hooks ?? []) {
      const event = hooks.starting?.(job, setup);
      if (event) return event;
    }
    return undefined;
  }

  private checkPackage(pkgname: PkgName): void {
    const answer = this.o.check?.(pkgname) ?? Promise.resolve<CheckVerdict>({ status: 'open' });
    void answer.then(
      (verdict) => this.queue.push({ kind: 'engine', event: { type: 'checked', at: this.now(), pkgname, verdict } }),
      (err: unknown) => {
        this.outside(() => this.emit({ type: 'message', at: this.now(), level: 'warning', text: `${pkgname}: cannot tell whether it is up to date (${(err as Error).message}); it is built` }));
        this.queue.push({ kind: 'engine', event: { type: 'checked', at: this.now(), pkgname, verdict: { status: 'open' } } });
      },
    );
  }

  /** Runs `fn` outside the loop (a job's or a check's callback): what it throws stops the loop, not the process. */
  private outside(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.queue.push({ kind: 'fault', error });
    }
  }

  /** A host's spec as the engine has it now (hosts join and change while the build runs). */
  /** An on-demand host's allocation: asked for and pending are shown as the host's state; where it runs goes with its `host` events. */
  private placement(host: string, placement: 'requested' | Placement): void {
    if (placement !== 'requested' && !placement.pending) {
      this.placed.set(host, placement.where);
      this.pending.delete(host);
    } else {
      this.placed.delete(host);
      if (placement === 'requested') this.pending.delete(host);
      else this.pending.set(host, `${placement.manager} allocation (${placement.reason})`);
      const reason = placement === 'requested' ? undefined : placement.reason;
      const slots = (this.specOf(host) ?? this.o.hosts.find((h) => h.spec.name === host)?.spec)?.slots;
      this.emit({
        type: 'host', at: this.now(), host, state: placement === 'requested' ? 'requested' : 'pending', ...(reason !== undefined && { reason }), ...(slots !== undefined && { slots }),
      });
    }
    this.o.waits?.awaiting(this.pending.values().next().value);
  }

  private specOf(host: string): HostSpec | undefined {
    return this.o.engine.hostStates().find((h) => h.name === host)?.spec;
  }

  private emit(event: RunEvent): void {
    this.o.store.appendEvents(this.o.run, [event]);
    this.o.sink.emit(event);
  }

  private now(): number {
    return this.o.clock.now();
  }
}

/** `until 14:05: why`, or `for the rest of the run: why` for a host given up. */
function quarantineText(command: Extract<EngineCommand, { type: 'host' }>): string {
  if (command.until === undefined) return `for the rest of the run: ${command.reason ?? ''}`;
  const until = new Date(command.until * 1000);
  const hhmm = `${String(until.getHours()).padStart(2, '0')}:${String(until.getMinutes()).padStart(2, '0')}`;
  return `until ${hhmm}: ${command.reason ?? ''}`;
}

/** The host event's `class`, when the host has features. */
function withClass(spec: HostSpec): { class?: string } {
  const text = classText(spec);
  return text === undefined ? {} : { class: text };
}

/** The host event's `checked`: what the host's check found (its agent's facts), when it has been checked. */
function checkedText(info: HostInfo | undefined): { checked?: string } {
  return info === undefined ? {} : { checked: `${info.arch}, ${info.os}, node ${info.node}, ${info.cores} cores, ${info.memoryMiB} MiB` };
}
