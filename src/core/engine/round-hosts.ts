// The hosts as one dispatch round sees them: the engine's, as they were
// when the round began (it changes nothing there), with the jobs the round
// has decided to start so far taking their slots, cores and memory.

import type { FreeEnd, HostPoolView, HostRecord } from './engine-hosts.js';
import type { Estimate } from '../model.js';
import { correctedEnd } from '../estimate/overrun.js';

/** A job the round starts on a host, as the host's bookkeeping needs it. */
interface Added {
  readonly node: number;
  readonly estimate: Estimate;
  readonly makeJobs: number;
  readonly expectedEnd: number;
}

/** What the round starts on one host: the jobs, and the cores and memory they take. */
interface HostAdded {
  readonly jobs: Added[];
  cores: number;
  memoryMiB: number;
  diskMiB: number;
}

const NONE: HostAdded = { jobs: [], cores: 0, memoryMiB: 0, diskMiB: 0 };

export class RoundHosts {
  private readonly added = new Map<HostRecord, HostAdded>();
  private readonly pool: HostPoolView;
  private readonly now: number;

  constructor(pool: HostPoolView, now: number) {
    this.pool = pool;
    this.now = now;
  }

  add(host: HostRecord, node: number, estimate: Estimate, makeJobs: number, expectedEnd: number): void {
    let added = this.added.get(host);
    if (!added) this.added.set(host, (added = { jobs: [], cores: host.coresInUse, memoryMiB: host.memoryInUseMiB, diskMiB: host.diskSinceLoadMiB }));
    added.jobs.push({ node, estimate, makeJobs, expectedEnd });
    added.cores += makeJobs;
    added.memoryMiB += estimate.memoryMiB ?? 0;
    added.diskMiB += estimate.diskMiB ?? 0;
  }

  /** Slots a new job may take now: free, within the load limit, and none while the host is over a pressure threshold. */
  freeSlots(host: HostRecord): number {
    if (host.spec.pressure !== undefined && this.pool.held(host) !== undefined) return 0;
    const n = this.of(host).jobs.length;
    return Math.max(0, Math.min(host.free.length - n, host.limit.slots - (host.running.size + n)));
  }

  /** Cores a new job may take now: not in use, and within the load limit. */
  freeCores(host: HostRecord): number {
    return Math.max(0, Math.min(host.spec.cores, host.limit.cores) - this.coresInUse(host));
  }

  coreLimit(host: HostRecord): number {
    return this.pool.coreLimit(host);
  }

  canStart(host: HostRecord): boolean {
    return host.state === 'up' && this.freeSlots(host) > 0 && this.freeCores(host) > 0;
  }

  coresInUse(host: HostRecord): number {
    return this.added.get(host)?.cores ?? host.coresInUse;
  }

  memoryInUseMiB(host: HostRecord): number {
    return this.added.get(host)?.memoryMiB ?? host.memoryInUseMiB;
  }

  /** Disk the jobs started since the host measured its free disk (this round's too) needed last time. */
  diskPromisedMiB(host: HostRecord): number {
    return this.added.get(host)?.diskMiB ?? host.diskSinceLoadMiB;
  }

  running(host: HostRecord): number {
    return host.running.size + this.of(host).jobs.length;
  }

  /** The estimates of the jobs running on `host`, those the round starts last. */
  estimates(host: HostRecord): Estimate[] {
    const pool = this.pool;
    return [...[...host.running].map((id) => pool.running.get(id)!.estimate), ...this.of(host).jobs.map((a) => a.estimate)];
  }

  /** When each job running on `host` should end (now if it is late), and the cores it frees then; in no order. */
  expectedEnds(host: HostRecord, now: number): FreeEnd[] {
    const ends = this.pool.expectedEnds(host, now);
    const added = this.of(host).jobs;
    if (added.length === 0) return ends;
    return ends.concat(added.map((a) => ({ at: correctedEnd(this.now, a.expectedEnd, now), cores: a.makeJobs })));
  }

  /** When the next slot frees on `host`: now if one is free. */
  slotFreeAt(host: HostRecord, now: number): number {
    if (this.freeSlots(host) > 0) return now;
    let soonest = Infinity;
    for (const id of host.running) soonest = Math.min(soonest, this.pool.endOf(id, now));
    for (const a of this.of(host).jobs) soonest = Math.min(soonest, correctedEnd(this.now, a.expectedEnd, now));
    return soonest === Infinity ? now : soonest;
  }

  /** The graph node and expected end of each job the round starts, on every host. */
  startedEnds(now: number): { readonly node: number; readonly end: number }[] {
    return [...this.added.values()].flatMap((a) => a.jobs.map((j) => ({ node: j.node, end: correctedEnd(this.now, j.expectedEnd, now) })));
  }

  private of(host: HostRecord): HostAdded {
    return this.added.get(host) ?? NONE;
  }
}
