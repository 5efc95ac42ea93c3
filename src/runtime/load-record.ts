// Each host's latest load, shown to this process's views as `host-load`
// events and kept for other processes in one value of the run's store
// (report/host-loads.ts), written at most every few seconds however many
// hosts report.

import type { HostLoad } from '../core/engine/engine-events.js';
import type { RunEventSink } from '../core/run-events.js';
import { HOST_LOAD_KEY, type HostLoadRecord } from '../store/host-load-record.js';
import type { RunStore } from '../store/run-store.js';

/** Seconds between two writes of the store's value. */
const WRITE_EVERY_S = 2;

export class LoadRecord {
  readonly #hosts: Record<string, { at: number; load: HostLoad }> = {};
  #writtenAt = -Infinity;

  constructor(private readonly store: RunStore, private readonly run: number, private readonly sink: RunEventSink) {}

  note(host: string, load: HostLoad, at: number): void {
    this.#hosts[host] = { at, load };
    this.sink.emit({ type: 'host-load', at, host, load });
    if (at - this.#writtenAt < WRITE_EVERY_S) return;
    this.#writtenAt = at;
    const record: HostLoadRecord = { run: this.run, hosts: this.#hosts };
    this.store.put(HOST_LOAD_KEY, JSON.stringify(record));
  }

  /** The run ends or stops: no host's load is current any more. */
  stop(): void {
    this.store.put(HOST_LOAD_KEY, '');
  }
}
