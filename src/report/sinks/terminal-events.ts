// One line per event, for a terminal that is not a TTY (a CI log, a pipe,
// `--plain`): what started, ended, failed, was lost; hosts; messages. Job
// phases, log growth and `building`/`done` (told by the job lines) are left
// out so a whole-tree build stays readable.

import type { RunEvent } from '../../core/run-events.js';
import { unreachable } from '../../core/unreachable.js';
import { clockTime, duration, printable } from '../view/text-format.js';
import { formatSize } from '../../core/formats/size.js';

export interface EventLineContext {
  /** pkgpath of each pkgname, for status lines (they carry only the pkgname). */
  readonly pkgpathOf: (pkgname: string) => string | undefined;
}

export function eventLine(event: RunEvent, context: EventLineContext): string | undefined {
  const at = (t: number): string => clockTime(t);
  const p = printable;
  switch (event.type) {
    case 'run-started':
      return `${at(event.at)} run ${p(event.run)} ${event.resumed ? 'resumed' : 'started'}: tree ${p(event.tree)}, logs in ${p(event.logdir)}`;
    case 'scan-progress':
      return event.scanned === event.total || event.scanned % 500 === 0
        ? `${at(event.at)} scanned ${event.scanned}/${event.total} ports (${event.cached} cached, ${event.errors} errors)` : undefined;
    case 'resolved':
      if (event.more === true) return `${at(event.at)} ${event.packages} more packages can be built while the scan goes on (${event.upToDate} up to date)`;
      return `${at(event.at)} resolved ${event.packages} packages (${event.prefailed} prefailed, ${event.upToDate} up to date)`;
    case 'status': {
      const c = event.change;
      const pkgpath = context.pkgpathOf(c.pkgname);
      const where = pkgpath === undefined ? p(c.pkgname) : `${p(pkgpath)} ${p(c.pkgname)}`;
      switch (c.status) {
        case 'prefailed': return `${at(c.at)} prefailed ${where}: ${p(c.reason ?? '')}`;
        case 'indirect-failed':
        case 'indirect-prefailed': return `${at(c.at)} ${c.status} ${where}: blocked by ${(c.blockedBy ?? []).map(p).join(' ')}`;
        case 'open': return c.reason === undefined ? undefined : `${at(c.at)} requeued ${where}: ${p(c.reason)}`;
        case 'failed': return c.job === undefined ? `${at(c.at)} failed ${where} (earlier run): ${p(c.error ?? '')}` : undefined;
        case 'building':
        case 'done':
        case 'up-to-date':
          return undefined;
        default: return unreachable(c.status);
      }
    }
    case 'job-started': {
      const j = event.job;
      const placed = j.placed === undefined ? '' : `: ${p(j.placed)}`;
      return `${at(event.at)} start ${p(j.pkgpath)} ${p(j.pkgname)} on ${p(j.host)}:${j.slot}${j.attempt > 1 ? ` (attempt ${j.attempt})` : ''}${placed}`;
    }
    case 'job-ended': {
      const j = event.job;
      const o = event.outcome;
      const head = `${at(event.at)}`;
      const what = `${p(j.pkgpath)} ${p(j.pkgname)} on ${p(j.host)}:${j.slot} in ${duration(event.durationS)}`;
      switch (o.kind) {
        case 'built': return `${head} built ${what}`;
        case 'failed': return `${head} FAILED ${what}: ${p(o.phase)}, ${p(o.error)} (log ${p(event.log)})`;
        case 'infrastructure': return `${head} lost ${what}: ${p(o.reason)}`;
        default: return unreachable(o);
      }
    }
    case 'fetch-started':
      return `${at(event.at)} fetch ${p(event.name)} from ${p(event.site)} (${formatSize(event.size)})`;
    case 'fetch-ended':
      return event.ok
        ? `${at(event.at)} fetched ${p(event.name)} from ${p(event.site)}: ${formatSize(event.bytes)} in ${duration(event.seconds)}`
        : `${at(event.at)} FAILED fetch ${p(event.name)} (last site ${p(event.site)})`;
    case 'job-phase':
    case 'job-progress':
    case 'host-load':
    case 'fetch-progress':
      return undefined;
    case 'host':
      return `${at(event.at)} host ${p(event.host)} ${event.state}${event.slots === undefined ? '' : ` (${event.slots} slots)`}${event.reason === undefined ? '' : `: ${p(event.reason)}`}`;
    case 'message':
      return `${at(event.at)} ${event.level}: ${p(event.text)}`;
    case 'space':
      return `${at(event.at)} warning: ${p(event.reason)}`;
    case 'run-finished':
      return `${at(event.at)} run ${event.result}`;
    default:
      return unreachable(event);
  }
}
