// Brings hosts up and keeps them up: checks each host before it gets jobs,
// turns a lost connection into `host-down`, and tries again with backoff
// (5 s, doubling, at most 5 min) until the host answers.

import type { HostSpec } from '../core/model.js';
import type { Executor } from '../exec/executor.js';

export interface HostListener {
  up(spec: HostSpec): void;
  down(host: string, reason: string): void;
  refused(host: string, reason: string): void;
  /** No host is up and every host has failed its check: the build cannot go on. */
  none(reason: string): void;
}

interface HostState {
  readonly executor: Executor;
  readonly spec: HostSpec;
  up: boolean;
  tried: boolean;
  backoffS: number;
  timer: NodeJS.Timeout | undefined;
  lastReason: string;
}

export class HostConnector {
  private readonly hosts: HostState[];
  private readonly signal: AbortSignal;
  private readonly listener: HostListener;
  private stopped = false;

  constructor(hosts: readonly { executor: Executor; spec: HostSpec }[], signal: AbortSignal, listener: HostListener) {
    this.hosts = hosts.map((h) => ({ ...h, up: false, tried: false, backoffS: 5, timer: undefined, lastReason: '' }));
    this.signal = signal;
    this.listener = listener;
  }

  start(): void {
    for (const host of this.hosts) {
      host.executor.onLost((reason) => {
        if (this.stopped || !host.up) return;
        host.up = false;
        this.listener.down(host.spec.name, reason);
        this.retryLater(host);
      });
      void this.connect(host);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const host of this.hosts) clearTimeout(host.timer);
  }

  private async connect(host: HostState): Promise<void> {
    let result;
    try {
      result = await host.executor.connect(this.signal);
    } catch (err) {
      result = { ok: false as const, reason: (err as Error).message };
    }
    if (this.stopped) return;
    host.tried = true;
    if (result.ok) {
      host.up = true;
      host.backoffS = 5;
      this.listener.up(host.spec);
      return;
    }
    host.lastReason = result.reason;
    this.listener.refused(host.spec.name, result.reason);
    if (this.hosts.every((h) => h.tried && !h.up)) {
      this.listener.none(this.hosts.map((h) => `${h.spec.name}: ${h.lastReason}`).join('; '));
      return;
    }
    this.retryLater(host);
  }

  private retryLater(host: HostState): void {
    if (this.stopped) return;
    clearTimeout(host.timer);
    host.timer = setTimeout(() => { void this.connect(host); }, host.backoffS * 1000);
    host.timer.unref();
    host.backoffS = Math.min(host.backoffS * 2, 300);
  }
}
