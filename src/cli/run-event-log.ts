// Where `kiln status` and `kiln serve` find a run's events: the run's store
// (`<logdir>/kiln.db`), which the build writes before anything is shown.
// `kiln status` shows the latest run; `kiln serve` follows every run.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { EventLog, RunDirectory } from '../report/sinks/event-log.js';
import { parseWaiting, WAITING_KEY } from '../store/waiting-record.js';
import { HOST_LOAD_KEY, type HostLoadRecord, parseHostLoads } from '../store/host-load-record.js';
import { RunStore, StoreError } from '../store/run-store.js';
import { UserError } from './command.js';

export const DEFAULT_LOGDIR = 'logs';

/** The latest run's events, and what its build last kept of its hosts' loads. */
export function openRunEventLog(logdir: string): EventLog & { loads(): HostLoadRecord | undefined } {
  const store = openRunStore(logdir);
  const run = store.latestRun()?.id;
  return { read: (after) => (run === undefined ? [] : store.readEvents(after, run)), loads: () => parseHostLoads(store.get(HOST_LOAD_KEY)) };
}

/** Every run of the run directory, as it grows (a new `kiln build` there adds one): what `kiln serve` follows. */
export function openRunDirectory(logdir: string): RunDirectory {
  const store = openRunStore(logdir);
  return {
    runs: () => store.runs().map(({ id, startedAt, finishedAt, result }) => ({ id, startedAt, finishedAt, result })),
    log: (run) => ({ read: (after) => store.readEvents(after, run) }),
    waiting: () => parseWaiting(store.get(WAITING_KEY)),
    loads: () => parseHostLoads(store.get(HOST_LOAD_KEY)),
  };
}

/** The run directory's store, read-only; a missing or unreadable one is the operator's error, saying how one is made. */
export function openRunStore(logdir: string): RunStore {
  const file = join(logdir, 'kiln.db');
  if (!existsSync(file)) throw new UserError(`no run found in ${logdir}: ${file} is missing (kiln build --logdir ${logdir} makes one)`);
  let store: RunStore;
  try {
    store = RunStore.openReadOnly(logdir);
  } catch (err) {
    if (err instanceof StoreError) throw new UserError(`${err.message} (kiln build --logdir ${logdir} makes one)`);
    throw err;
  }
  return store;
}
