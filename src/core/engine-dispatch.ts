// One dispatch round of the engine: ready jobs, highest priority first, are
// placed on hosts with the make jobs their policy wants. A job that wants
// more cores than any host has free either starts with fewer (when that
// ends it sooner) or waits, and then the host where it would end soonest
// keeps the cores it needs for it: later jobs may use them only if they are
// expected to end before it can start (backfilling, as batch schedulers do
// with reservations). A host keeps as many reservations as it has room
// for. With a placement that reserves, a job more urgent than any ready
// one, due when running jobs end, gets a slot kept the same way (when two
// urgent jobs wait on one job, its own slot serves one, a kept one the
// other), but only while the work would still fit in the slots left.
// Nothing here is remembered between rounds.

import { FreeSteps } from './engine-free-steps.js';
import { serves } from './host-features.js';
import type { FreeLater, HostRecord, HostPool } from './engine-hosts.js';
import type { IdHeap } from './heap.js';
import type { Estimate, PkgPath } from './model.js';
import type {
  AdmissionPolicy, Candidate, DispatchRound, HostView, MakeJobsPolicy, PlacementPolicy,
} from './policies/policy.js';

/** What a round may see and do of the engine. */
export interface DispatchContext {
  readonly hosts: HostPool;
  readonly ready: IdHeap;
  readonly priority: Float64Array;
  /** Longest path from each job's start to the end, at speed 1. */
  tail(): Float64Array;
  /** Expected seconds of each job at speed 1 with its planned make jobs. */
  duration(): Float64Array;
  plannedMakeJobs(): Int32Array | undefined;
  readonly estimates: readonly Estimate[];
  readonly pkgnames: readonly string[];
  readonly pkgpaths: readonly PkgPath[];
  readonly makeJobsSafe: readonly boolean[];
  /** The features each job needs of its host (host-features.ts). */
  readonly features: readonly (readonly string[] | undefined)[];
  readonly placement: PlacementPolicy;
  readonly makeJobs: MakeJobsPolicy;
  readonly admission: AdmissionPolicy;
  expect(estimate: Estimate, makeJobs: number): number;
  /** Expected seconds of open work not started, at speed 1. */
  remainingWork(): number;
  /** The same in core-seconds: planned make jobs * expected seconds. */
  remainingCoreWork(): number;
  isOpen(id: number): boolean;
  /**
   * Jobs that want several cores and are not ready yet but will be once
   * running jobs end, with the time they are expected to be ready, highest
   * priority first.
   */
  upcoming(at: number): readonly Upcoming[];
  /** Parks `id` until no job of its pkgpath runs; true if it had to. */
  parkIfPathBusy(id: number): boolean;
  start(id: number, host: HostRecord, makeJobs: number, expectedEnd: number): void;
}

export interface Upcoming {
  readonly id: number;
  readonly readyAt: number;
}

/** A slot and cores of a host kept for a waiting job from the moment it should start. */
interface Reservation {
  readonly at: number;
  readonly cores: number;
}

/** Each host's reservations, in the order they were made. */
type Reservations = Map<HostRecord, Reservation[]>;

/** Jobs set aside in one round before it gives up looking further down the queue. */
const MAX_SET_ASIDE = 64;

/**
 * A slot kept for a job that no core plan makes wide stays empty until the
 * job is ready (or a job that ends by then takes it). It is kept only while
 * the open work would still fit in the slots not kept before the critical
 * path ends, with this fraction of that time: measured on 48 noisy seeds
 * at four spreads (bench/schedule.ts), 0.6 lost least to the anchors.
 */
const KEEP_WHILE_WORK_FITS_IN = 0.6;

export function dispatchRound(ctx: DispatchContext, at: number): void {
  const hosts = [...ctx.hosts.all()].filter((h) => h.state === 'up');
  if (!hosts.some((h) => ctx.hosts.canStart(h)) || ctx.ready.size === 0) return;
  const { round, pathEnd, capacity } = makeRound(ctx, hosts, at);
  const tail = ctx.tail();
  const duration = ctx.duration();
  const planned = ctx.plannedMakeJobs();
  const topPriority = ctx.priority[ctx.ready.peek()!]!;
  let cores = 0;
  for (const h of hosts) cores += h.spec.cores * h.spec.speed;
  const backlogS = ctx.remainingCoreWork() / Math.max(cores, 1e-9);
  const reservations: Reservations = new Map();
  const free = new FreeSteps(ctx.hosts, at);
  const setAside: number[] = [];
  const otherClass: number[] = [];
  let kept = 0;
  const fits = (speed: number): boolean =>
    ctx.remainingWork() / Math.max(capacity - kept - speed, 1e-9) < KEEP_WHILE_WORK_FITS_IN * (pathEnd() - at);
  const slowest = Math.min(...hosts.map((h) => h.spec.speed));
  const upcoming = planned || fits(slowest) ? ctx.upcoming(at) : [];
  let next = 0;
  while (ctx.ready.size > 0 && setAside.length < MAX_SET_ASIDE && hosts.some((h) => ctx.hosts.canStart(h))) {
    const top = ctx.priority[ctx.ready.peek()!]!;
    for (; next < upcoming.length && ctx.priority[upcoming[next]!.id]! > top; next++) {
      const { id: future, readyAt } = upcoming[next]!;
      const usable = (h: HostRecord): number => ctx.hosts.freeCores(h);
      const start = bestStart(ctx, free, servedBy(ctx, hosts, future), reservations, ctx.estimates[future]!, planned?.[future] ?? 1, at, readyAt, usable);
      if (!start) continue;
      if (!planned) {
        // A dependency already late may run on for long: nothing says how long.
        if (readyAt <= at) continue;
        if (!fits(start.host.spec.speed)) continue;
        kept += start.host.spec.speed;
      }
      reserve(reservations, start);
    }
    const id = ctx.ready.pop()!;
    if (!ctx.isOpen(id) || ctx.parkIfPathBusy(id)) continue;
    const eligible = servedBy(ctx, hosts, id);
    if (!eligible.some((h) => ctx.hosts.canStart(h))) {
      // No host of its class can take it now: set aside without counting, so that a
      // free host of another class still finds the jobs for it further down the queue.
      otherClass.push(id);
      continue;
    }
    const candidate: Candidate = {
      id, pkgname: ctx.pkgnames[id]!, priority: ctx.priority[id]!, estimate: ctx.estimates[id]!,
      makeJobsSafe: ctx.makeJobsSafe[id]!, waiting: ctx.ready.size, topPriority,
      durationS: duration[id]!, tailS: tail[id]!, plannedMakeJobs: planned?.[id] ?? 1, backlogS,
    };
    const views = hosts.map((h) => (eligible.includes(h) ? viewFor(ctx, free, h, candidate, reservations, at) : { ...viewFor(ctx, free, h, candidate, reservations, at), freeSlots: 0 }));
    const chosen = ctx.placement.place(candidate, views, at, round);
    const index = hosts.findIndex((h) => h.spec.name === chosen);
    const host = hosts[index];
    const view = views[index];
    if (!host || !view || view.freeSlots === 0) { setAside.push(id); continue; }
    const want = Math.max(1, Math.min(Math.floor(ctx.makeJobs.makeJobs(candidate, view)), ctx.hosts.coreLimit(host)));
    let target = host;
    let makeJobs = Math.min(want, view.freeCores);
    if (makeJobs < want) {
      const usable = (h: HostRecord): number => {
        const v = views[hosts.indexOf(h)]!;
        return v.freeSlots > 0 ? v.freeCores : 0;
      };
      const start = bestStart(ctx, free, eligible, reservations, candidate.estimate, want, at, at, usable);
      if (start?.now) {
        target = start.host;
        makeJobs = start.cores;
      } else if (start) {
        reserve(reservations, start);
        setAside.push(id);
        continue;
      }
    }
    ctx.start(id, target, makeJobs, at + ctx.expect(candidate.estimate, makeJobs) / target.spec.speed);
    free.changed(target);
  }
  if (ctx.hosts.running.size === 0 && setAside.length > 0) startAnyway(ctx, hosts, setAside, at);
  for (const id of setAside) ctx.ready.push(id);
  for (const id of otherClass) ctx.ready.push(id);
}

/**
 * Whether ready job `id` may take a free slot of `host` now, as a round
 * with nothing kept would see it: the admission policy (memory, load) asked
 * with the job and the host as they are. For `kiln why`.
 */
export function admitsNow(ctx: DispatchContext, host: HostRecord, id: number, at: number): boolean {
  const candidate: Candidate = {
    id, pkgname: ctx.pkgnames[id]!, priority: ctx.priority[id]!, estimate: ctx.estimates[id]!,
    makeJobsSafe: ctx.makeJobsSafe[id]!, waiting: ctx.ready.size, topPriority: ctx.priority[ctx.ready.peek() ?? id]!,
    durationS: ctx.duration()[id]!, tailS: ctx.tail()[id]!, plannedMakeJobs: ctx.plannedMakeJobs()?.[id] ?? 1, backlogS: 0,
  };
  return viewFor(ctx, new FreeSteps(ctx.hosts, at), host, candidate, new Map(), at).freeSlots > 0;
}

/** The host view `candidate` gets: what it may take now and keep until it ends, given the host's reservations. */
function viewFor(ctx: DispatchContext, free: FreeSteps, host: HostRecord, candidate: Candidate, reservations: Reservations, at: number): HostView {
  const spare = spareUntil(free, reservations, host, at, at + candidate.durationS / host.spec.speed);
  const freeSlots = Math.max(0, spare.slots);
  const freeCores = Math.max(0, spare.cores);
  const view: HostView = {
    name: host.spec.name, speed: host.spec.speed, slots: host.spec.slots, freeSlots: freeCores > 0 ? freeSlots : 0,
    cores: host.spec.cores, coresInUse: host.coresInUse, freeCores, running: host.running.size,
    slotFreeAt: ctx.hosts.slotFreeAt(host, at), memoryMiB: host.spec.memoryMiB, memoryInUseMiB: host.memoryInUseMiB, load: host.load,
  };
  if (view.freeSlots > 0 && !ctx.admission.admits(candidate, view, () => runningEstimates(ctx, host))) return { ...view, freeSlots: 0 };
  return view;
}

function runningEstimates(ctx: DispatchContext, host: HostRecord): Estimate[] {
  return [...host.running].map((id) => ctx.hosts.running.get(id)!.estimate);
}

/** Where and when a job that wants several cores should start, and with how many. */
interface Start {
  readonly host: HostRecord;
  /** True when the cores are free now, not only expected to be by `at`. */
  readonly now: boolean;
  readonly at: number;
  readonly cores: number;
  readonly end: number;
}

/** Keeps `start.cores` cores and a slot of `start.host` free from `start.at` on. */
function reserve(reservations: Reservations, start: Start): void {
  const list = reservations.get(start.host);
  if (list) list.push({ at: start.at, cores: start.cores });
  else reservations.set(start.host, [{ at: start.at, cores: start.cores }]);
}

/**
 * Cores and slots of `host` that a job running from `from` to `to` may hold
 * the whole time: the least, at `from` and at each reservation's start
 * before `to`, of what is free then (running jobs expected to have ended)
 * less what the reservations starting by then keep.
 */
function spareUntil(free: FreeSteps, reservations: Reservations, host: HostRecord, from: number, to: number): FreeLater {
  const list = reservations.get(host) ?? [];
  const at = (t: number): FreeLater => {
    let { cores, slots } = free.at(host, t);
    for (const r of list) {
      if (r.at > t) continue;
      cores -= r.cores;
      slots -= 1;
    }
    return { cores, slots };
  };
  let spare = at(from);
  for (const r of list) {
    if (r.at <= from || r.at >= to) continue;
    const then = at(r.at);
    spare = { cores: Math.min(spare.cores, then.cores), slots: Math.min(spare.slots, then.slots) };
  }
  return spare;
}

/**
 * Of every host, and every moment a running job there is expected to end,
 * where a job wanting `want` cores and ready at `readyAt` would end
 * soonest: with the cores free then and not kept for a job waiting before
 * it (at most `want`). `usableNow` says what each host may give it at once.
 */
function bestStart(ctx: DispatchContext, free: FreeSteps, hosts: readonly HostRecord[], reservations: Reservations,
  estimate: Estimate, want: number, at: number, readyAt: number, usableNow: (host: HostRecord) => number): Start | undefined {
  let best: Start | undefined;
  for (const host of hosts) {
    for (let k = 0, step = free.step(host, 0); step; step = free.step(host, ++k)) {
      const when = Math.max(readyAt, step.at);
      const guess = when + ctx.expect(estimate, want) / host.spec.speed;
      const spare = spareUntil(free, reservations, host, when, guess);
      const usable = Math.min(k === 0 ? usableNow(host) : step.cores, spare.cores);
      if (Math.min(step.slots, spare.slots) < 1 || usable < 1) continue;
      const cores = Math.min(want, usable);
      const end = when + ctx.expect(estimate, cores) / host.spec.speed;
      if (!best || end < best.end) best = { host, now: k === 0 && when <= at, at: when, cores, end };
      if (cores >= Math.min(want, ctx.hosts.coreLimit(host))) break;
    }
  }
  return best;
}

/** Nothing runs and every ready job was set aside: start the first that any host can take, so the run goes on. */
function startAnyway(ctx: DispatchContext, hosts: readonly HostRecord[], setAside: number[], at: number): void {
  const index = setAside.findIndex((id) => servedBy(ctx, hosts, id).some((h) => ctx.hosts.canStart(h)));
  if (index < 0) return;
  const id = setAside.splice(index, 1)[0]!;
  const host = servedBy(ctx, hosts, id).find((h) => ctx.hosts.canStart(h))!;
  const makeJobs = Math.max(1, Math.min(ctx.plannedMakeJobs()?.[id] ?? 1, ctx.hosts.freeCores(host)));
  ctx.start(id, host, makeJobs, at + ctx.expect(ctx.estimates[id]!, makeJobs) / host.spec.speed);
}

/** The hosts of `hosts` whose class may run job `id` (host-features.ts). */
export function servedBy(ctx: Pick<DispatchContext, 'features'>, hosts: readonly HostRecord[], id: number): HostRecord[] {
  const need = ctx.features[id];
  return hosts.filter((h) => serves(h.spec, need));
}

/** The round placements see, with the expected end of the longest path and the capacity of the hosts up. */
function makeRound(ctx: DispatchContext, hosts: readonly HostRecord[], at: number): { round: DispatchRound; pathEnd: () => number; capacity: number } {
  let fastest = 0;
  let capacity = 0;
  for (const h of hosts) {
    fastest = Math.max(fastest, h.spec.speed);
    capacity += Math.min(h.spec.slots, h.spec.cores) * h.spec.speed;
  }
  const tail = ctx.tail();
  const duration = ctx.duration();
  const top = ctx.ready.peek()!;
  let path: number | undefined;
  let speeds: number[] | undefined;
  const pathEnd = (): number => {
    if (path !== undefined) return path;
    path = at + tail[top]! / fastest;
    for (const [id, running] of ctx.hosts.running) {
      const node = running.node;
      path = Math.max(path, ctx.hosts.endOf(id, at) + Math.max(0, tail[node]! - duration[node]!) / fastest);
    }
    return path;
  };
  const round: DispatchRound = {
    now: at, fastestSpeed: fastest, estimates: ctx.estimates,
    horizon: () => Math.max(pathEnd(), at + ctx.remainingWork() / Math.max(capacity, 1e-9)),
    readyIds: () => ctx.ready.values(),
    slotSpeeds: () => (speeds ??= hosts.flatMap((h) => new Array<number>(h.spec.slots).fill(h.spec.speed)).sort((a, b) => a - b)),
  };
  return { round, pathEnd, capacity };
}
