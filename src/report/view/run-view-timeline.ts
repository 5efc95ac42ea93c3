// The jobs and hosts of RunViewState: each job's bar on the timeline, the
// jobs running now, the hosts with their slots and speed, and the samples
// of utilisation and capacity taken as jobs start and end and hosts come
// and go. A job ends once: built, failed, or lost (its host went, its
// package was put back in the queue, it started again, the run ended).

import type { RunEvent } from '../../core/run-events.js';
import type { BarRecord, CapacityPoint, HostRecord, RunningRecord } from './run-view-records.js';
import type { BarOutcome, UtilisationPoint } from './run-view.js';

/** What the timeline asks of the state it belongs to: revisions, and the journal of changed bars. */
export interface TimelineRevisions {
  /** The next revision. */
  bump(): number;
  /** Notes in the journal that `bar` changed at its `rev`. */
  noteBar(bar: BarRecord): void;
}

type JobStarted = Extract<RunEvent, { type: 'job-started' }>;

export class Timeline {
  readonly bars: BarRecord[] = [];
  readonly running = new Map<number, RunningRecord>();
  readonly hosts = new Map<string, HostRecord>();
  readonly utilisation: UtilisationPoint[] = [];
  readonly capacity: CapacityPoint[] = [];
  /** Jobs put back in the queue before their start was seen (a resume tells it before it replays the earlier jobs), with why. */
  private readonly reopened = new Map<number, string | undefined>();

  constructor(private readonly revs: TimelineRevisions) {}

  /** Job `event.job` of package `pkg` (its index) starts: a bar of its own. */
  started(event: JobStarted, pkg: number): void {
    const { at, job, expectedS, lastLogBytes } = event;
    const bar: BarRecord = {
      index: this.bars.length, job: job.id, pkg, host: job.host, slot: job.slot, start: job.startedAt,
      rev: this.revs.bump(), end: undefined, outcome: 'running', detail: undefined,
    };
    this.bars.push(bar);
    this.revs.noteBar(bar);
    this.running.set(job.id, {
      rev: bar.rev, job, pkg, bar: bar.index, expectedS, lastLogBytes, log: event.log, stuckAfterS: event.stuckAfterS,
      phase: 'start', logBytes: 0, progressAt: undefined, idleS: 0,
    });
    // A package builds in one job at a time: an earlier one not seen to end (its coordinator was killed) is no ghost beside this one.
    for (const [id, r] of this.running) if (id !== job.id && r.job.pkgname === job.pkgname) this.end(id, at, 'lost', 'started again');
    if (this.reopened.has(job.id)) this.end(job.id, at, 'lost', this.reopened.get(job.id));
    const host = this.hosts.get(job.host);
    if (!host) this.hosts.set(job.host, { state: 'up', reason: undefined, slots: job.slot + 1, speed: 1 });
    else if (host.slots <= job.slot) host.slots = job.slot + 1;
    this.sample(at);
  }

  phase(event: Extract<RunEvent, { type: 'job-phase' }>, rev: number): void {
    const running = this.running.get(event.job);
    if (running) { running.phase = event.phase; running.rev = rev; }
  }

  progress(event: Extract<RunEvent, { type: 'job-progress' }>, rev: number): void {
    const running = this.running.get(event.job);
    if (running) {
      running.logBytes = event.logBytes; running.idleS = event.idleS; running.progressAt = event.at; running.rev = rev;
    }
  }

  /** Job `id`'s package is open again: the job was lost, now or (a resume replaying it) when its start is seen. */
  reopen(id: number, at: number, reason: string | undefined): void {
    if (this.running.has(id)) this.end(id, at, 'lost', reason);
    else this.reopened.set(id, reason);
  }

  end(id: number, at: number, outcome: BarOutcome, detail: string | undefined): void {
    const running = this.running.get(id);
    if (!running) return;
    this.running.delete(id);
    const bar = this.bars[running.bar]!;
    bar.end = Math.max(at, bar.start);
    bar.outcome = outcome;
    bar.detail = detail;
    bar.rev = this.revs.bump();
    this.revs.noteBar(bar);
    this.sample(at);
  }

  /** The run ended: the jobs still running are lost. */
  endAll(at: number, detail: string): void {
    for (const id of [...this.running.keys()]) this.end(id, at, 'lost', detail);
  }

  host(event: Extract<RunEvent, { type: 'host' }>): void {
    const { at, host: name, state, reason } = event;
    const record: HostRecord = this.hosts.get(name) ?? { state, reason, slots: 0, speed: 1 };
    record.state = state;
    record.reason = reason;
    if (event.slots !== undefined) record.slots = event.slots;
    if (event.speed !== undefined && event.speed > 0) record.speed = event.speed;
    if (event.class !== undefined) record.class = event.class;
    if (event.checked !== undefined) record.checked = event.checked;
    if (event.where !== undefined) record.where = event.where;
    else if (state !== 'up' && state !== 'draining') delete record.where;
    this.hosts.set(name, record);
    if (state === 'down') {
      for (const [id, running] of [...this.running]) {
        if (running.job.host === name) this.end(id, at, 'lost', `host ${name} lost${reason === undefined ? '' : `: ${reason}`}`);
      }
    }
    this.sample(at);
  }

  private sample(at: number): void {
    let slots = 0;
    for (const host of this.hosts.values()) if (host.state === 'up' || host.state === 'draining') slots += host.slots;
    const point: UtilisationPoint = { at, busy: this.running.size, slots: Math.max(slots, this.running.size) };
    const last = this.utilisation.at(-1);
    if (last && last.at === at) this.utilisation[this.utilisation.length - 1] = point;
    else this.utilisation.push(point);
    if (this.capacity.at(-1)?.slots !== slots) {
      this.capacity.push({ index: this.capacity.length, rev: this.revs.bump(), at, slots });
    }
  }
}
