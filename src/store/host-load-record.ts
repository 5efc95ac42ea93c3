// What each host last measured of itself (load per core, free memory,
// swap), for readers in other processes (`kiln status`, `kiln serve`'s
// /metrics): the build keeps the latest of each host in one value of the
// run's store (runtime/load-record.ts), not in its event log, where a week
// of five-second samples would crowd out the run.

import type { HostLoad } from '../core/model.js';
import { parseStored } from './stored-json.js';

/** The store's key: `HostLoadRecord` as JSON, empty while no build runs. */
export const HOST_LOAD_KEY = 'host-load';

export interface HostLoadRecord {
  readonly run: number;
  /** Each host's latest load and when it was measured. */
  readonly hosts: Readonly<Record<string, { readonly at: number; readonly load: HostLoad }>>;
}

export function parseHostLoads(text: string | undefined): HostLoadRecord | undefined {
  return parseStored<HostLoadRecord>(text);
}
