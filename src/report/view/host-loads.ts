// The hosts' loads as a view's events: the running build keeps each host's
// latest load in the run's store (store/host-load-record.ts).

import type { HostLoad } from '../../core/engine/engine-events.js';
import type { RunEvent } from '../../core/run-events.js';
import type { HostLoadRecord } from '../../store/host-load-record.js';

/** The record as `host-load` events for a view of run `run` (another run's loads are not this one's), for the hosts whose load is not `known` already. */
export function hostLoadEvents(record: HostLoadRecord | undefined, run: string, known: (host: string) => HostLoad | undefined): RunEvent[] {
  if (record === undefined || String(record.run) !== run) return [];
  return Object.entries(record.hosts)
    .filter(([host, { load }]) => !sameLoad(known(host), load))
    .map(([host, { at, load }]) => ({ type: 'host-load', at, host, load }));
}

function sameLoad(a: HostLoad | undefined, b: HostLoad): boolean {
  return a !== undefined && a.loadPerCore === b.loadPerCore && a.memoryFreeMiB === b.memoryFreeMiB && a.swapUsed === b.swapUsed;
}
