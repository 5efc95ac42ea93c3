// Hosts coming, going, draining and quarantined. A host drained by name (a
// stop-<host> file) or with the whole run (stop) stays draining when it
// comes back; a lost host's jobs go back to the engine, which puts them in
// the queue again. Infrastructure failures are charged to the host first:
// those that get it quarantined (policies/host-quarantine.ts) are not
// charged to their packages. A package that fails for infrastructure on a
// second host is the suspect, not that host: it is charged alone.

import type { EngineCommand, HostState, Job } from './engine-events.js';
import type { HostPool } from './engine-hosts.js';
import type { HostSpec } from '../model.js';
import { afterJob, DEFAULT_QUARANTINE, HEALTHY, letBackIn, type HostHealth, type QuarantineRule } from '../policies/host-quarantine.js';

/** Whom an infrastructure failure is charged to: the package (`charge`), and the earlier failures on the host that no longer count (`forgiven`, graph ids). */
export interface Blame {
  readonly charge: boolean;
  readonly forgiven: readonly number[];
}

export class HostEvents {
  private readonly hosts: HostPool;
  private drainedAll = false;
  /** Hosts drained on their own, known or not yet. */
  private readonly drainedHosts = new Set<string>();
  /** Each host's health, and the packages (graph ids) of its infrastructure failures since a job last ended well there. */
  private readonly health = new Map<string, { readonly health: HostHealth; readonly charged: readonly number[] }>();
  /** The hosts each package (graph id) failed on for infrastructure. */
  private readonly failedOn = new Map<number, Set<string>>();

  constructor(hosts: HostPool, private readonly rule: QuarantineRule = DEFAULT_QUARANTINE) {
    this.hosts = hosts;
  }

  up(out: EngineCommand[], at: number, spec: HostSpec): void {
    const known = this.health.get(spec.name);
    if (this.hosts.get(spec.name)?.state === 'quarantined' && known) this.health.set(spec.name, { health: letBackIn(known.health), charged: [] });
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

  /** A job on `name` built its package, or failed in its port: the host is well. */
  jobEndedWell(name: string): void {
    this.health.set(name, { health: HEALTHY, charged: [] });
  }

  /** A job of package `id` on `name` ended for infrastructure (`reason`): the host is quarantined, or the package charged. */
  infrastructure(out: EngineCommand[], at: number, name: string, id: number, reason: string): Blame {
    const host = this.hosts.get(name);
    // Its host was lost or quarantined meanwhile: the job never had a fair chance.
    if (!host || host.state === 'down' || host.state === 'quarantined') return { charge: false, forgiven: [] };
    const before = this.failedOn.get(id) ?? new Set<string>();
    if ([...before].some((other) => other !== name)) return { charge: true, forgiven: [] };
    this.failedOn.set(id, before.add(name));
    const known = this.health.get(name) ?? { health: HEALTHY, charged: [] };
    const verdict = afterJob(known.health, 'infrastructure', this.rule);
    if (verdict.action === 'none') {
      this.health.set(name, { health: verdict.health, charged: [...known.charged, id] });
      return { charge: true, forgiven: [] };
    }
    this.health.set(name, { health: verdict.health, charged: [] });
    host.state = 'quarantined';
    const why = `${this.rule.after} jobs in a row failed there for the host's reasons; the last: ${reason}`;
    out.push(verdict.action === 'quarantine'
      ? { type: 'host', at, host: name, state: 'quarantined', reason: why, until: at + verdict.forS }
      : { type: 'host', at, host: name, state: 'quarantined', reason: `given up after ${verdict.health.quarantines} quarantines in a row: ${why}` });
    return { charge: false, forgiven: known.charged };
  }

  /** Drains (`on`) or undrains `name`, or every host when it is undefined. */
  drain(out: EngineCommand[], at: number, name: string | undefined, on: boolean): void {
    if (name === undefined) this.drainedAll = on;
    else if (on) this.drainedHosts.add(name);
    else this.drainedHosts.delete(name);
    const host = name === undefined ? undefined : this.hosts.get(name);
    for (const h of name === undefined ? [...this.hosts.all()] : [host].filter((x) => x !== undefined)) {
      if (h.state === 'down' || h.state === 'quarantined') continue;
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
