// Hosts joining and leaving a running build, as a HostRoster reports them.
// A host that joins is checked and brought up like the first ones; a host
// that leaves is drained (its running jobs finish, it takes no new ones), is
// not tried again, and its connection is closed once nothing runs there. A
// host that comes back takes jobs again unless its stop file is there.

import type { EngineEvent } from '../core/engine/engine-events.js';
import type { Executor } from '../exec/executor.js';
import type { HostConnector } from './host-connector.js';
import type { RosterChanges, RosterHost } from './host-roster.js';
import type { StopFiles } from './stop-files.js';

export interface MembershipContext {
  /** The coordinator's executors by host name; joining hosts are added here. */
  readonly executors: Map<string, Executor>;
  readonly connector: HostConnector;
  readonly stopFiles: StopFiles;
  /** Feeds an event to the engine through the coordinator's queue. */
  engine(event: (at: number) => EngineEvent): void;
  message(level: 'info' | 'warning', text: string): void;
  /** Whether a job runs on the host. */
  busy(host: string): boolean;
}

export class HostMembership implements RosterChanges {
  readonly #c: MembershipContext;
  /** Hosts that left, and whether the engine has drained them yet. */
  readonly #left = new Map<string, { drained: boolean }>();
  readonly #closed = new Set<string>();

  constructor(context: MembershipContext) {
    this.#c = context;
  }

  add(host: RosterHost): void {
    const name = host.spec.name;
    const known = this.#c.executors.has(name);
    if (known && !this.#left.has(name)) return;
    this.#left.delete(name);
    if (!known || this.#closed.has(name)) this.#c.executors.set(name, host.executor);
    this.#closed.delete(name);
    this.#c.stopFiles.watch(name);
    this.#c.connector.add(host);
    if (known && !this.#c.stopFiles.isOn(name)) this.#c.engine((at) => ({ type: 'undrain', at, host: name }));
    this.#c.message('info', `host ${name} ${known ? 'is back in' : 'joins'} the build`);
  }

  remove(name: string): void {
    if (!this.#c.executors.has(name) || this.#left.has(name)) return;
    this.#left.set(name, { drained: false });
    this.#c.connector.retire(name);
    this.#c.engine((at) => ({ type: 'drain', at, host: name }));
    this.#c.message('info', `host ${name} leaves the build: its running jobs finish, it takes no new ones`);
  }

  change(host: Pick<RosterHost, 'spec' | 'specFor'>): void {
    const executor = this.#c.executors.get(host.spec.name);
    if (executor === undefined || this.#left.has(host.spec.name)) return;
    this.#c.connector.respec({ ...host, executor });
    this.#c.message('info', `host ${host.spec.name}: its line in the hosts file changed; its slots, speed, cores and memory follow`);
  }

  problem(text: string): void {
    this.#c.message('warning', text);
  }

  /** The engine has handled an event: a leaving host is drained once it has seen the drain. */
  handled(event: EngineEvent): void {
    if (event.type !== 'drain' || event.host === undefined) return;
    const left = this.#left.get(event.host);
    if (left) left.drained = true;
  }

  /** Closes the connections of hosts that left, are drained and run nothing. */
  closeIdle(): void {
    for (const [name, left] of this.#left) {
      if (!left.drained || this.#closed.has(name) || this.#c.busy(name)) continue;
      this.#closed.add(name);
      this.#c.connector.release(name);
      void this.#c.executors.get(name)?.close();
    }
  }
}
