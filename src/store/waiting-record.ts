// Why each open package whose dependencies are built has not started, as
// the running build's engine last said it: written to the run's store
// (runtime/wait-record.ts) and read by `kiln why`, the page and the event
// log (report/waiting.ts), under `WAITING_KEY`.

import type { PkgName, PkgPath } from '../core/model.js';
import { parseStored } from './stored-json.js';

/** The store's key for the reasons: `WaitingRecord` as JSON, empty while no build runs. */
export const WAITING_KEY = 'waiting';

export interface WaitingRecord {
  readonly run: number;
  readonly at: number;
  /** Each open package's pkgpath whose dependencies are built: its pkgname and why it waits. */
  readonly open: Readonly<Record<PkgPath, { readonly pkgname: PkgName; readonly reason: string }>>;
}

/** The store's value, or undefined when no build runs (or it cannot be read). */
export function parseWaiting(text: string | undefined): WaitingRecord | undefined {
  return parseStored<WaitingRecord>(text);
}
