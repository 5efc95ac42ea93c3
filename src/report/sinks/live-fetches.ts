// The running fetches' bytes, measured by whoever shows them: the store
// holds when a distfile's transfer began and ended, not its bytes as they
// come, so `kiln status`, `kiln serve` (and the build itself, each second)
// read the size of the file it is written to.

import { statSync } from 'node:fs';

import type { RunEvent } from '../../core/run-events.js';
import type { RunViewState } from '../view/run-view-state.js';

/** Bytes in a fetch's part file; undefined when it is not there (not begun, or just renamed into place). */
export function partBytes(part: string): number | undefined {
  try {
    return statSync(part).size;
  } catch {
    return undefined;
  }
}

/** A `fetch-progress` event for each running fetch whose file grew since the view last measured it. */
export function measuredFetches(state: RunViewState, now: number): RunEvent[] {
  const events: RunEvent[] = [];
  for (const [name, { part, bytes }] of state.fetches.parts) {
    const size = partBytes(part);
    if (size !== undefined && size !== bytes) events.push({ type: 'fetch-progress', at: now, name, bytes: size });
  }
  return events;
}
