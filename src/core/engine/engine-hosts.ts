// The engine's hosts: their slots, cores and memory in use, the jobs
// running on each with the time they are expected to end, and the limit a
// measured load has put on each. Pure bookkeeping; the engine decides.

import type { HostLoad, HostState, Job } from './engine-events.js';
import type { Estimate, HostSpec } from '../model.js';
import type { Capacity, ConcurrencyPolicy, FreeLater, HostLimit } from '../policies/policy.js';

export type { FreeLater } from '../policies/policy.js';
import { correctedEnd } from '../estimate/overrun.js';
import { pressureProblem } from './host-pressure.js';

export interface HostRecord {
  spec: HostSpec;
  state: HostState;
  /** Slot numbers not in use. */
  free: number[];
  coresInUse: number;
  memoryInUseMiB: number;
  running: Set<number>;
  load: HostLoad | undefined;
  /** Disk the jobs started since `load` was measured needed last time: the measure does not show it yet. */
  diskSinceLoadMiB: number;
  limit: HostLimit;
}

export interface RunningJob {
  readonly job: Job;
  /** The job's package, as a graph node id. */
  readonly node: number;
  readonly estimate: Estimate;
  /** When the engine expects it to end, on the run's clock. */
  readonly expectedEnd: number;
}


export interface FreeStep extends FreeLater {
  readonly at: number;
}

/** A running job's expected end and the cores it frees then. */
export interface FreeEnd {
  readonly at: number;
  readonly cores: number;
}

/** What a dispatch round and `kiln why` may read of the hosts: nothing that changes them. */
export type HostPoolView = Pick<HostPool, 'get' | 'all' | 'freeSlots' | 'freeCores' | 'coreLimit' | 'canStart' | 'endOf' | 'expectedEnds' | 'held' | 'restraint'>
  & { readonly running: ReadonlyMap<number, RunningJob> };

export class HostPool {
  private readonly records = new Map<string, HostRecord>();
  readonly running = new Map<number, RunningJob>();

  get(name: string): HostRecord | undefined {
    return this.records.get(name);
  }

  all(): IterableIterator<HostRecord> {
    return this.records.values();
  }

  /** Adds a host, or takes a changed spec of a known one (its load limit starts afresh). */
  up(spec: HostSpec, state: HostState): HostRecord {
    const known = this.records.get(spec.name);
    const limit: HostLimit = { slots: spec.slots, cores: spec.cores, since: -Infinity };
    if (!known) {
      const record: HostRecord = {
        spec, state, free: slotList(spec.slots), coresInUse: 0, memoryInUseMiB: 0, running: new Set(), load: undefined, diskSinceLoadMiB: 0, limit,
      };
      this.records.set(spec.name, record);
      return record;
    }
    const busy = new Set([...known.running].map((j) => this.running.get(j)!.job.slot));
    known.spec = spec;
    known.free = slotList(spec.slots).filter((s) => !busy.has(s));
    known.limit = limit;
    if (known.state === 'down' || known.state === 'quarantined') known.state = state;
    return known;
  }

  occupy(host: HostRecord, job: Job, node: number, estimate: Estimate, expectedEnd: number): void {
    host.free.splice(host.free.indexOf(job.slot), 1);
    host.running.add(job.id);
    host.coresInUse += job.makeJobs;
    host.memoryInUseMiB += estimate.memoryMiB ?? 0;
    host.diskSinceLoadMiB += estimate.diskMiB ?? 0;
    this.running.set(job.id, { job, node, estimate, expectedEnd });
  }

  release(job: Job): void {
    const running = this.running.get(job.id);
    this.running.delete(job.id);
    const host = this.records.get(job.host)!;
    host.running.delete(job.id);
    if (job.slot < host.spec.slots) host.free.push(job.slot);
    host.coresInUse -= job.makeJobs;
    host.memoryInUseMiB -= running?.estimate.memoryMiB ?? 0;
  }

  applyLoad(host: HostRecord, load: HostLoad, policy: ConcurrencyPolicy, at: number): void {
    host.load = load;
    host.diskSinceLoadMiB = 0;
    host.limit = policy.adjust(host.limit, load, host.spec, { running: host.running.size, cores: host.coresInUse }, at);
  }

  /** Why the host takes no new job for its measured pressure (its hosts-file thresholds), or undefined. */
  held(host: HostRecord): string | undefined {
    return pressureProblem(host.spec.pressure, host.load, host.coresInUse / Math.max(1, host.spec.cores));
  }

  /** What keeps a host from taking all it could, as the views say it, with a key that changes only when the restraint does. */
  restraint(host: HostRecord): { readonly state: string; readonly reason: string } | undefined {
    const held = this.held(host);
    if (held !== undefined) return { state: 'held', reason: `takes no new job: ${held}` };
    const { limit, spec } = host;
    if (limit.slots >= spec.slots || limit.why === undefined) return undefined;
    return { state: `limit ${limit.slots}`, reason: `holds ${spec.slots - limit.slots} of ${spec.slots} slots back: ${limit.why}` };
  }

  /** Slots a new job may take now: free, within the load limit, and none while the host is over a threshold. */
  freeSlots(host: HostRecord): number {
    if (host.spec.pressure !== undefined && this.held(host) !== undefined) return 0;
    return Math.max(0, Math.min(host.free.length, host.limit.slots - host.running.size));
  }

  /** Cores a new job may take now: not in use, and within the load limit. */
  freeCores(host: HostRecord): number {
    return Math.max(0, Math.min(host.spec.cores, host.limit.cores) - host.coresInUse);
  }

  /** The most make jobs a job may have on `host`. */
  coreLimit(host: HostRecord): number {
    return Math.max(1, Math.min(host.spec.cores, host.limit.cores));
  }

  canStart(host: HostRecord): boolean {
    return host.state === 'up' && this.freeSlots(host) > 0 && this.freeCores(host) > 0;
  }

  /** When a running job is expected to end; one that overran its estimate runs on (overrun.ts). */
  endOf(jobId: number, now: number): number {
    const running = this.running.get(jobId);
    return running === undefined ? now : correctedEnd(running.job.startedAt, running.expectedEnd, now);
  }

  /** When each job running on `host` should end (now if it is late), and the cores it frees then; in no order. */
  expectedEnds(host: HostRecord, now: number): FreeEnd[] {
    return [...host.running].map((id) => ({ at: this.endOf(id, now), cores: this.running.get(id)!.job.makeJobs }));
  }

  /** The cores, largest host and slots of the hosts that are up. */
  capacity(): Capacity {
    let cores = 0;
    let largestHostCores = 0;
    let slots = 0;
    let fastest = 0;
    for (const host of this.records.values()) {
      if (host.state !== 'up') continue;
      cores += host.spec.cores;
      largestHostCores = Math.max(largestHostCores, host.spec.cores);
      slots += host.spec.slots;
      fastest = Math.max(fastest, host.spec.speed);
    }
    let equivalentSlots = 0;
    let equivalentCores = 0;
    for (const host of this.records.values()) {
      if (host.state !== 'up') continue;
      equivalentSlots += (host.spec.slots * host.spec.speed) / fastest;
      equivalentCores += (host.spec.cores * host.spec.speed) / fastest;
    }
    return { cores, largestHostCores, slots, equivalentSlots, equivalentCores };
  }
}

function slotList(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
