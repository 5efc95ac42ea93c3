// An EventLog in a plain file, one JSON event a line (`events.jsonl` in the
// run directory): what `kiln status` and `kiln serve` read until the run's
// store keeps the events. Appends are whole lines, so a reader that meets a
// half-written last line leaves it for the next read.

import { appendFileSync, closeSync, openSync, readSync, statSync } from 'node:fs';

import type { RunEvent, RunEventSink } from '../core/run-events.js';
import type { EventLog, LoggedEvent } from './event-log.js';

export const EVENTS_FILE = 'events.jsonl';

export class JsonlEventWriter implements RunEventSink {
  constructor(private readonly file: string) {}

  emit(event: RunEvent): void {
    appendFileSync(this.file, JSON.stringify(event) + '\n');
  }
}

export class JsonlEventLog implements EventLog {
  private readonly events: RunEvent[] = [];
  private offset = 0;
  private partial: Buffer = Buffer.alloc(0);

  constructor(private readonly file: string) {}

  read(afterSeq: number): LoggedEvent[] {
    this.catchUp();
    return this.events.slice(Math.max(0, afterSeq)).map((event, i) => ({ seq: afterSeq + i + 1, event }));
  }

  private catchUp(): void {
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return; // not written yet
    }
    if (size <= this.offset) return;
    const fd = openSync(this.file, 'r');
    try {
      const buffer = Buffer.alloc(size - this.offset);
      const got = readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += got;
      // Cut at the last newline in bytes, so a character split by a read is kept whole for the next.
      const data = Buffer.concat([this.partial, buffer.subarray(0, got)]);
      const end = data.lastIndexOf(0x0a);
      this.partial = data.subarray(end + 1);
      if (end < 0) return;
      for (const line of data.subarray(0, end).toString('utf8').split('\n')) {
        if (line.trim() !== '') this.events.push(JSON.parse(line) as RunEvent);
      }
    } finally {
      closeSync(fd);
    }
  }
}
