// The run directory's two line logs. build.log: one line per finished job,
// as dpb's: `pkgpath host seconds logsize (phase seconds ...)`, then ` !`
// when it failed. engine.log: one line per state change with a UTC
// timestamp, `key=value` fields, values quoted when not one plain word.

import type { RunEvent } from '../../core/run-events.js';
import { unreachable } from '../../core/unreachable.js';
import { isoTime, logValue } from '../view/text-format.js';

type JobEnded = Extract<RunEvent, { type: 'job-ended' }>;

/** The build.log line of a finished job; undefined for a job lost to infrastructure (it did not finish). */
export function buildLogLine(event: JobEnded, logBytes: number): string | undefined {
  const outcome = event.outcome;
  if (outcome.kind === 'infrastructure') return undefined;
  const phases = outcome.phases.map((p) => `${logValue(p.phase)} ${p.wallS.toFixed(2)}`).join(' ');
  const failed = outcome.kind === 'failed' ? ' !' : '';
  return `${logValue(event.job.pkgpath)} ${logValue(event.job.host)} ${event.durationS.toFixed(2)} ${logBytes} (${phases})${failed}`;
}

/** The engine.log line of an event, or undefined for events that change no state (progress, phases, scan). */
export function engineLogLine(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'run-started':
      return line(event.at, 'run', logValue(event.run), event.resumed ? 'resumed' : 'started', kv('tree', event.tree), kv('logdir', event.logdir));
    case 'resolved':
      return line(event.at, 'run', event.more === true ? 'settled' : 'resolved', kv('packages', event.packages), kv('prefailed', event.prefailed), kv('up_to_date', event.upToDate));
    case 'status': {
      const c = event.change;
      return line(c.at, logValue(c.pkgname), c.status,
        c.job === undefined ? '' : kv('job', c.job), c.phase === undefined ? '' : kv('phase', c.phase),
        c.error === undefined ? '' : kv('error', c.error), c.reason === undefined ? '' : kv('reason', c.reason),
        c.blockedBy === undefined || c.blockedBy.length === 0 ? '' : kv('blocked_by', c.blockedBy.join(',')));
    }
    case 'job-started':
      return line(event.at, logValue(event.job.pkgname), 'start', kv('job', event.job.id), kv('host', event.job.host), kv('slot', event.job.slot),
        kv('make_jobs', event.job.makeJobs), kv('attempt', event.job.attempt), kv('expected_s', Math.round(event.expectedS)),
        event.job.placed === undefined ? '' : kv('placed', event.job.placed));
    case 'job-ended': {
      const o = event.outcome;
      const how = o.kind === 'built' ? 'built' : o.kind === 'failed' ? `failed ${kv('phase', o.phase)} ${kv('error', o.error)}` : `lost ${kv('reason', o.reason)}`;
      return line(event.at, logValue(event.job.pkgname), 'end', kv('job', event.job.id), how, kv('seconds', event.durationS.toFixed(2)));
    }
    case 'host':
      return line(event.at, 'host', logValue(event.host), event.state, event.reason === undefined ? '' : kv('reason', event.reason));
    case 'message':
      return line(event.at, 'message', event.level, kv('text', event.text));
    case 'space':
      return line(event.at, 'space', event.short ? 'short' : 'ok', kv('where', event.where), kv('text', event.reason));
    case 'run-finished':
      return line(event.at, 'run', 'finished', event.result);
    case 'fetch-started':
      return line(event.at, 'fetch', logValue(event.name), 'start', kv('site', event.site), kv('size', event.size));
    case 'fetch-ended':
      return line(event.at, 'fetch', logValue(event.name), 'end', event.ok ? 'fetched' : 'failed', kv('site', event.site), kv('bytes', event.bytes), kv('seconds', event.seconds.toFixed(2)));
    case 'scan-progress':
    case 'job-phase':
    case 'job-progress':
    case 'host-load':
    case 'fetch-progress':
      return undefined;
    default:
      return unreachable(event);
  }
}

function kv(key: string, value: string | number): string {
  return `${key}=${typeof value === 'number' ? String(value) : logValue(value)}`;
}

function line(at: number, ...fields: string[]): string {
  return [isoTime(at), ...fields.filter((f) => f !== '')].join(' ');
}
