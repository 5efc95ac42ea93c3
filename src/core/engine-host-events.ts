// Hosts coming, going and draining. A host drained by name (a stop-<host>
// file) or with the whole run (stop) stays draining when it comes back; a
// lost host's jobs go back to the engine, which puts them in the queue again.

import type { EngineCommand, HostState, Job } from './engine-events.js';
import type { HostPool } from './engine-hosts.js';
import type { HostSpec } from './model.js';

export class HostEvents {
  private readonly hosts: HostPool;
  private drainedAll = false;
  /** Hosts drained on their own, known or not yet. */
  private readonly drainedHosts = new Set<string>();

  constructor(hosts: HostPool) {
    this.hosts = hosts;
  }

  up(out: EngineCommand[], at: number, spec: HostSpec): void {
    const host = this.hosts.up(spec, this.stateOf(spec.name));
    out.push({ type: 'host', at, host: spec.name, state: host.state });
  }

  /** `name` is lost: the jobs that ran there, to be run again. */
  down(out: EngineCommand[], at: number, name: string, reason: string): Job[] {
    const host = this.hosts.get(name);
    if (!host || host.state === 'down') return [];
    host.state = 'down';
    out.push({ type: 'host', at, host: name, state: 'down', reason });
    return [...host.running].map((id) => this.hosts.running.get(id)!.job);
  }

  /** Drains (`on`) or undrains `name`, or every host when it is undefined. */
  drain(out: EngineCommand[], at: number, name: string | undefined, on: boolean): void {
    if (name === undefined) this.drainedAll = on;
    else if (on) this.drainedHosts.add(name);
    else this.drainedHosts.delete(name);
    const host = name === undefined ? undefined : this.hosts.get(name);
    for (const h of name === undefined ? [...this.hosts.all()] : [host].filter((x) => x !== undefined)) {
      if (h.state === 'down') continue;
      const state = this.stateOf(h.spec.name);
      if (h.state !== state) {
        h.state = state;
        out.push({ type: 'host', at, host: h.spec.name, state });
      }
    }
  }

  /** The whole run, or every host it has, is drained: nothing more starts. */
  get stopped(): boolean {
    const hosts = [...this.hosts.all()];
    return this.drainedAll || (hosts.length > 0 && hosts.every((h) => h.state === 'draining'));
  }

  private stateOf(name: string): HostState {
    return this.drainedAll || this.drainedHosts.has(name) ? 'draining' : 'up';
  }
}
