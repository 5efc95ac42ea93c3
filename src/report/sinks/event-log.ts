// The run's events as the durable store keeps them, in order, so a running or
// finished build can be read again: `kiln status` and `kiln serve` follow it.
// The store implements EventLog; MemoryEventLog is for tests and for a
// build that keeps no store.

import type { RunEvent, RunEventSink, StoredEvent } from '../../core/run-events.js';
import type { WaitingRecord } from '../../store/waiting-record.js';
import type { HostLoadRecord } from '../../store/host-load-record.js';

export interface LoggedEvent {
  /** 1 for the run's first event, then one more for each. */
  readonly seq: number;
  readonly event: RunEvent;
}

export interface EventLog {
  /**
   * Events after `afterSeq` (0: from the start), in order; may answer in
   * batches (readers ask again after the last seq they got). Seqs only grow.
   */
  read(afterSeq: number): readonly LoggedEvent[];
}

/** The runs of a run directory, each with its events (`kiln serve` follows them). */
export interface RunDirectory {
  /** Oldest first. */
  runs(): readonly RunSummary[];
  log(run: number): EventLog;
  /** What the build running there last said of its queued packages (report/view/waiting.ts). */
  waiting(): WaitingRecord | undefined;
  /** What the build running there last kept of its hosts' loads (report/host-loads.ts). */
  loads?(): HostLoadRecord | undefined;
}

export interface RunSummary {
  readonly id: number;
  readonly startedAt: number;
  readonly finishedAt: number | undefined;
  readonly result: string | undefined;
}

export class MemoryEventLog implements EventLog, RunEventSink {
  private readonly events: RunEvent[] = [];

  emit(event: RunEvent): void {
    this.events.push(event);
  }

  read(afterSeq: number): LoggedEvent[] {
    return this.events.slice(Math.max(0, afterSeq)).map((event, i) => ({ seq: afterSeq + i + 1, event }));
  }
}

/** Feeds a sink with what an event log holds, then with what comes after, one `poll()` at a time. */
export class EventLogFollower {
  private seq = 0;

  constructor(private readonly log: EventLog, private readonly sink: RunEventSink) {}

  /** Reads every new event into the sink (a log may answer in batches); returns how many there were. */
  poll(): number {
    let count = 0;
    for (;;) {
      const fresh = this.log.read(this.seq);
      if (fresh.length === 0) return count;
      for (const { seq, event } of fresh) {
        this.sink.emit(event);
        this.seq = seq;
      }
      count += fresh.length;
    }
  }
}

/** What a resumed run's views show again of what the store held: this run's jobs and finished fetches (its statuses come again from the new engine). */
export function isViewReplay(run: number, stored: StoredEvent): boolean {
  const type = stored.event.type;
  return stored.run === run && (type === 'job-started' || type === 'job-ended' || type === 'fetch-ended');
}
