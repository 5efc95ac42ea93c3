// What a reader of the run directory (`kiln status`, `kiln serve`) sees of
// the running jobs' logs, measured by itself: the store holds when a job
// started, not every second of its log, so the size and the time the log
// last grew come from the log file (its size and mtime). Remote jobs' logs
// stream into the same files on the coordinator, so this holds for them too.

import { statSync } from 'node:fs';

import type { RunEvent } from '../../core/run-events.js';
import type { RunViewState } from '../view/run-view-state.js';
import type { HostLoadRecord } from '../../store/host-load-record.js';
import { hostLoadEvents } from '../view/host-loads.js';
import { measuredFetches } from './live-fetches.js';

/** A `job-progress` event for each running job whose log can be read, as of `now` (seconds since the epoch). */
export function measuredProgress(state: RunViewState, now: number): RunEvent[] {
  const events: RunEvent[] = [];
  for (const r of state.running.values()) {
    if (r.log === undefined) continue;
    const size = logSize(r.log);
    // A log not there yet, or still the one an earlier attempt left: nothing written since the job started.
    const fresh = size !== undefined && size.mtime >= r.job.startedAt;
    const logBytes = fresh ? size.bytes : 0;
    const grewAt = fresh ? size.mtime : r.job.startedAt;
    if (logBytes === r.logBytes && r.progressAt !== undefined && Math.abs(r.progressAt - r.idleS - grewAt) < 0.001) continue;
    events.push({ type: 'job-progress', at: now, job: r.job.id, logBytes, idleS: Math.max(0, now - grewAt) });
  }
  return events;
}

/** Everything a reader measures for itself at `now`: the running jobs' logs, the running fetches' files, and the hosts' loads the build last kept. */
export function measuredNow(state: RunViewState, now: number, loads?: HostLoadRecord): RunEvent[] {
  return [...measuredProgress(state, now), ...measuredFetches(state, now), ...(state.finished ? [] : hostLoadEvents(loads, state.head.run, (host) => state.hosts.get(host)?.load))];
}

function logSize(file: string): { bytes: number; mtime: number } | undefined {
  try {
    const stat = statSync(file);
    return { bytes: stat.size, mtime: stat.mtimeMs / 1000 };
  } catch {
    return undefined;
  }
}
