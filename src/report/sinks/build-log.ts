// build.log, one line per job that ended, as dpb's: `pkgpath host seconds
// logsize (phase seconds ...)`, then ` !` when it failed. A job that did
// not end by itself gets its line too, marked ` lost` and why: its host was
// lost, its infrastructure failed and it went back to the queue, or the run
// was stopped under it. Its phases are those it was seen to start, each up
// to the next, the last up to the loss. A job whose coordinator was killed
// under it did not end: it has no line (its next attempt has one).

import type { Job } from '../../core/engine/engine-events.js';
import type { RunEvent } from '../../core/run-events.js';
import { logValue } from '../view/text-format.js';
import { buildLogLine } from './log-lines.js';

interface Watched {
  readonly job: Job;
  readonly phases: { phase: string; at: number }[];
  logBytes: number;
  /** It ended as infrastructure: lost if the engine requeues it, failed if it gives up. */
  infrastructure: string | undefined;
  log: string | undefined;
}

export class BuildLog {
  private readonly running = new Map<number, Watched>();

  /** `write` appends one line; `sizeOf` is a log file's size, when it can be read. */
  constructor(private readonly write: (line: string) => void, private readonly sizeOf: (log: string) => number | undefined) {}

  emit(event: RunEvent): void {
    switch (event.type) {
      case 'job-started':
        this.running.set(event.job.id, { job: event.job, phases: [], logBytes: 0, infrastructure: undefined, log: undefined });
        break;
      case 'job-phase':
        this.running.get(event.job)?.phases.push({ phase: event.phase, at: event.at });
        break;
      case 'job-progress': {
        const watched = this.running.get(event.job);
        if (watched) watched.logBytes = event.logBytes;
        break;
      }
      case 'job-ended': {
        const watched = this.running.get(event.job.id);
        const size = event.logBytes ?? this.sizeOf(event.log) ?? watched?.logBytes ?? 0;
        if (event.outcome.kind === 'infrastructure') {
          if (watched) { watched.infrastructure = event.outcome.reason; watched.logBytes = size; watched.log = event.log; }
          break;
        }
        this.running.delete(event.job.id);
        const line = buildLogLine(event, size);
        if (line !== undefined) this.write(line);
        break;
      }
      case 'status': {
        const c = event.change;
        const watched = c.job === undefined ? undefined : this.running.get(c.job);
        if (!watched || (c.status !== 'open' && watched.infrastructure === undefined)) break;
        const failed = c.status !== 'open';
        this.lost(watched, c.at, failed ? undefined : c.reason ?? watched.infrastructure ?? 'requeued');
        break;
      }
      case 'host':
        if (event.state !== 'down') break;
        for (const watched of [...this.running.values()]) {
          if (watched.job.host === event.host) this.lost(watched, event.at, `host ${event.host} lost${event.reason === undefined ? '' : `: ${event.reason}`}`);
        }
        break;
      case 'run-finished':
        for (const watched of [...this.running.values()]) this.lost(watched, event.at, watched.infrastructure ?? `run ${event.result}`);
        break;
      case 'run-started':
        // A new process: the jobs an earlier one left running (it was killed) never ended; they have no line.
        this.running.clear();
        break;
      case 'scan-progress':
      case 'resolved':
      case 'message':
      case 'space':
      case 'host-load':
      case 'fetch-started':
      case 'fetch-progress':
      case 'fetch-ended':
        break;
    }
  }

  /** The line of a job that did not end by itself: ` lost` and why, or ` !` when the engine gave up on it. */
  private lost(watched: Watched, at: number, reason: string | undefined): void {
    this.running.delete(watched.job.id);
    const phases = watched.phases.map((p, i) => `${logValue(p.phase)} ${((watched.phases[i + 1]?.at ?? at) - p.at).toFixed(2)}`).join(' ');
    const size = watched.log === undefined ? watched.logBytes : this.sizeOf(watched.log) ?? watched.logBytes;
    const seconds = Math.max(0, at - watched.job.startedAt).toFixed(2);
    const mark = reason === undefined ? ' !' : ` lost ${logValue(reason)}`;
    this.write(`${logValue(watched.job.pkgpath)} ${logValue(watched.job.host)} ${seconds} ${size} (${phases})${mark}`);
  }
}
