// Where `kiln status` and `kiln serve` find a run's events, and where
// `kiln build` keeps them. The one place that names the implementation:
// today a JSON-lines file in the run directory; the run's store later.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { RunEventSink } from '../core/run-events.js';
import type { EventLog } from '../report/event-log.js';
import { EVENTS_FILE, JsonlEventLog, JsonlEventWriter } from '../report/jsonl-event-log.js';
import { UserError } from './command.js';

export const DEFAULT_LOGDIR = 'logs';

export function openRunEventLog(logdir: string): EventLog {
  const file = join(logdir, EVENTS_FILE);
  if (!existsSync(file)) throw new UserError(`no run found in ${logdir}: ${file} is missing (kiln build --logdir ${logdir} makes one)`);
  return new JsonlEventLog(file);
}

export function runEventRecorder(logdir: string): RunEventSink {
  return new JsonlEventWriter(join(logdir, EVENTS_FILE));
}
