// Space on the coordinator for what jobs write: the repository and the run
// directory. The runtime measures it; the engine only hears that a
// directory is short (`space-short`) or has room again (`space-ok`). While
// one is short no job starts; what runs goes on, and a job that ran out of
// space goes back to the queue without counting an attempt.

import type { EngineCommand, EngineEvent } from './engine-events.js';

type SpaceEvent = Extract<EngineEvent, { type: 'space-short' | 'space-ok' }>;

export class SpaceGate {
  /** Directories short of space, with why. */
  private readonly short = new Map<string, string>();

  /** Whether jobs may start. */
  get open(): boolean {
    return this.short.size === 0;
  }

  /** Why jobs may not start: each directory short of space, with why. */
  get reasons(): string[] {
    return [...this.short.values()];
  }

  handle(out: EngineCommand[], event: SpaceEvent): void {
    const { at, where, reason } = event;
    if (event.type === 'space-short') {
      const known = this.short.has(where);
      this.short.set(where, reason);
      if (!known) out.push({ type: 'space', at, where, short: true, reason });
    } else if (this.short.delete(where)) {
      out.push({ type: 'space', at, where, short: false, reason });
    }
  }
}
