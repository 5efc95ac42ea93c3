// `kiln fetch`'s sign of life: a distfile that takes a while to come gets a
// line every few seconds with its bytes so far, read from the file it is
// written to, as the build's own views do (report/sinks/live-fetches.ts).

import type { DistfileStarted } from '../fetch/fetch-queue.js';
import { partBytes } from '../report/sinks/live-fetches.js';
import { fetchLine } from '../report/sinks/terminal-fetches.js';

/** How often the running fetches are shown. */
export const FETCH_PROGRESS_S = 2;
/** A fetch younger than this is not shown: most end before they would be worth a line. */
const SHOWN_AFTER_S = 1;

export class FetchProgress {
  private readonly running = new Map<string, { readonly started: DistfileStarted; readonly at: number }>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly write: (line: string) => void, private readonly now: () => number = Date.now) {
    this.timer = setInterval(() => this.show(), FETCH_PROGRESS_S * 1000);
    this.timer.unref();
  }

  started(started: DistfileStarted): void {
    this.running.set(started.name, { started, at: this.now() });
  }

  ended(name: string): void {
    this.running.delete(name);
  }

  /** A line for each fetch running at least SHOWN_AFTER_S whose file has begun. */
  show(): void {
    const now = this.now();
    for (const { started, at } of this.running.values()) {
      const elapsedS = (now - at) / 1000;
      const bytes = partBytes(started.part);
      if (elapsedS < SHOWN_AFTER_S || bytes === undefined) continue;
      this.write(`${fetchLine({ name: started.name, site: started.site, bytes, size: started.size, rate: bytes / elapsedS, elapsedS })}\n`);
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
