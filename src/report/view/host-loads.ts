// What each host last measured of itself (load per core, free memory,
// swap), for readers in other processes (`kiln status`, `kiln serve`'s
// /metrics): the build keeps the latest of each host in one value of the
// run's store (runtime/load-record.ts), not in its event log, where a week
// of five-second samples would crowd out the run.

import type { HostLoad } from '../../core/engine-events.js';
import type { RunEvent } from '../../core/run-events.js';

/** The store's key: `HostLoadRecord` as JSON, empty while no build runs. */
export const HOST_LOAD_KEY = 'host-load';

export interface HostLoadRecord {
  readonly run: number;
  /** Each host's latest load and when it was measured. */
  readonly hosts: Readonly<Record<string, { readonly at: number; readonly load: HostLoad }>>;
}

export function parseHostLoads(text: string | undefined): HostLoadRecord | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as HostLoadRecord;
  } catch {
    return undefined;
  }
}

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
