// Hands the engine what the scan finds while it goes on (`packages-added`,
// then `plan-complete`), through the coordinator's queue like every other
// event from outside its loop.

import type { EngineEvent } from '../core/engine/engine-events.js';
import type { EventSource } from './job-hooks.js';

export class PlanFeed implements EventSource {
  private push: ((event: EngineEvent) => void) | undefined;
  /** What came before the loop started. */
  private readonly early: EngineEvent[] = [];

  start(push: (event: EngineEvent) => void): void {
    this.push = push;
    for (const event of this.early.splice(0)) push(event);
  }

  stop(): void {
    this.push = undefined;
  }

  send(event: EngineEvent): void {
    if (this.push) this.push(event);
    else this.early.push(event);
  }
}
