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
// other), but only while the work would still fit in the slots left
// (policies/reservation-backfill.ts holds those rules). A round reads a
// snapshot of the engine and changes nothing there: it returns what to
// start, what to park and what it took from the ready queue, and the
// engine applies that. Nothing here is remembered between rounds. A job
// goes only to a host that serves its class (features, host-features.ts);
// jobs no free host serves are set aside without counting against the
// round's look-ahead, so a free host of one class still finds its jobs
// behind many of another.

import { FreeSteps } from './engine-free-steps.js';
import type { HostPoolView, HostRecord } from './engine-hosts.js';
import type { IdHeap } from './heap.js';
import { RoundHosts } from './round-hosts.js';
import { offers, serves } from './host-features.js';
import { diskShort } from './host-pressure.js';
import { endsInTime } from './host-deadline.js';
import type { Estimate, PkgPath } from '../model.js';
import { BIG_PARALLEL, placeByClass, preferredByHistory } from '../policies/big-parallel.js';
import { unavailable } from '../policies/policy.js';
import type {
  AdmissionPolicy, Candidate, DispatchRound, FreeLater, HostView, MakeJobsPolicy, PlacementPolicy, Reservation, ReservationPolicy,
} from '../policies/policy.js';

/** What a round may read of the engine, as it is when the round begins. */
export interface DispatchSnapshot {
  readonly hosts: HostPoolView;
  readonly ready: Pick<IdHeap, 'size' | 'peek' | 'walk' | 'copy' | 'values'>;
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
  readonly reservation: ReservationPolicy;
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
  /** Whether a job of this run builds `pkgpath`, or another run holds it. */
  pathBusy(pkgpath: PkgPath): boolean;
}

export interface Upcoming {
  readonly id: number;
  readonly readyAt: number;
}

/** A job to start: package `id` on `host` with `makeJobs` make jobs, expected to end at `expectedEnd`. */
export interface JobStart {
  readonly id: number;
  readonly host: string;
  readonly makeJobs: number;
  readonly expectedEnd: number;
  /** Why it went to that host, when its class decided it (policies/big-parallel.ts). */
  readonly placed?: string;
}

/** What a round decided, for the engine to apply in this order. */
export interface DispatchDecision {
  /** Ready jobs taken from the top of the queue, as `pop` gives them: started, parked, no longer open, or set aside. */
  readonly taken: number;
  readonly starts: readonly JobStart[];
  /** Ready jobs whose pkgpath is busy: parked until it is free. */
  readonly parked: readonly number[];
  /** Ready jobs taken that wait for room kept for them or for a better host: back to the queue. */
  readonly setAside: readonly number[];
}

const NOTHING: DispatchDecision = { taken: 0, starts: [], parked: [], setAside: [] };

/** Each host's reservations, in the order they were made. */
type Reservations = Map<HostRecord, Reservation[]>;

const NONE_KEPT: readonly Reservation[] = [];

/** One round: what the snapshot's state lets start at `at`. */
export function dispatchRound(ctx: DispatchSnapshot, at: number): DispatchDecision {
  const pool = new RoundHosts(ctx.hosts, at);
  const hosts = [...ctx.hosts.all()].filter((h) => h.state === 'up');
  if (!hosts.some((h) => pool.canStart(h)) || ctx.ready.size === 0) return NOTHING;
  const policy = ctx.reservation;
  const starts: JobStart[] = [];
  const parked: number[] = [];
  const setAside: number[] = [];
  const started = new Set<number>();
  const busyPaths = new Set<PkgPath>();
  const next = ctx.ready.walk();
  let head = next();
  let taken = 0;
  /** Of setAside, the jobs no free host of their class could take: not counted against the look-ahead. */
  let otherClass = 0;
  let openWork = ctx.remainingWork();
  const start = (id: number, host: HostRecord, makeJobs: number, expectedEnd: number, placed?: string): void => {
    starts.push({ id, host: host.spec.name, makeJobs, expectedEnd, ...(placed !== undefined && { placed }) });
    pool.add(host, id, ctx.estimates[id]!, makeJobs, expectedEnd);
    started.add(id);
    busyPaths.add(ctx.pkgpaths[id]!);
    openWork += -1 * ctx.duration()[id]!;
  };
  const round = makeRound(ctx, pool, hosts, at, () => openWork, () => taken);
  const { pathEnd, capacity } = round;
  const tail = ctx.tail();
  const duration = ctx.duration();
  const planned = ctx.plannedMakeJobs();
  const topPriority = ctx.priority[ctx.ready.peek()!]!;
  let cores = 0;
  for (const h of hosts) cores += h.spec.cores * h.spec.speed;
  const backlogS = ctx.remainingCoreWork() / Math.max(cores, 1e-9);
  const reservations: Reservations = new Map();
  const bigHosts = new Set(hosts.filter((h) => offers(h.spec, BIG_PARALLEL)).map((h) => h.spec.name));
  const free = new FreeSteps(pool, at);
  let kept = 0;
  const fits = (speed: number): boolean => policy.keepsSlot(openWork, capacity - kept - speed, pathEnd() - at);
  const slowest = Math.min(...hosts.map((h) => h.spec.speed));
  const upcoming = planned || fits(slowest) ? ctx.upcoming(at) : [];
  let nextUpcoming = 0;
  while (ctx.ready.size - taken > 0 && setAside.length - otherClass < policy.maxSetAside && hosts.some((h) => pool.canStart(h))) {
    const top = ctx.priority[head!]!;
    for (; nextUpcoming < upcoming.length && ctx.priority[upcoming[nextUpcoming]!.id]! > top; nextUpcoming++) {
      const { id: future, readyAt } = upcoming[nextUpcoming]!;
      const usable = (h: HostRecord): number => pool.freeCores(h);
      const found = bestStart(ctx, pool, free, timelyHosts(ctx, hosts, future, readyAt), reservations, ctx.estimates[future]!, planned?.[future] ?? 1, at, readyAt, usable);
      if (!found) continue;
      if (!planned) {
        // A dependency already late may run on for long: nothing says how long.
        if (readyAt <= at) continue;
        if (!fits(found.host.spec.speed)) continue;
        kept += found.host.spec.speed;
      }
      reserve(reservations, found);
    }
    const id = head!;
    head = next();
    taken++;
    if (!ctx.isOpen(id) || started.has(id)) continue;
    const pkgpath = ctx.pkgpaths[id]!;
    if (busyPaths.has(pkgpath) || ctx.pathBusy(pkgpath)) {
      parked.push(id);
      continue;
    }
    const eligible = timelyHosts(ctx, hosts, id, at);
    if (!eligible.some((h) => pool.canStart(h))) {
      setAside.push(id);
      otherClass++;
      continue;
    }
    const candidate: Candidate = {
      id, pkgname: ctx.pkgnames[id]!, priority: ctx.priority[id]!, estimate: ctx.estimates[id]!,
      makeJobsSafe: ctx.makeJobsSafe[id]!, waiting: ctx.ready.size - taken, topPriority,
      durationS: duration[id]!, tailS: tail[id]!, plannedMakeJobs: planned?.[id] ?? 1, backlogS,
    };
    // A host that will never serve this job (another class, too little time left) is not one to wait for either.
    const { views, why } = placeByClass(candidate.estimate, hosts.map((h) => {
      const view = viewFor(ctx, pool, free, h, candidate, reservations, at);
      return eligible.includes(h) ? view : unavailable(view);
    }), (name) => bigHosts.has(name));
    const chosen = ctx.placement.place(candidate, views, at, round.round);
    const index = hosts.findIndex((h) => h.spec.name === chosen);
    const host = hosts[index];
    const view = views[index];
    if (!host || !view || view.freeSlots === 0) { setAside.push(id); continue; }
    const want = Math.max(1, Math.min(Math.floor(ctx.makeJobs.makeJobs(candidate, view)), pool.coreLimit(host)));
    let target = host;
    let makeJobs = Math.min(want, view.freeCores);
    if (makeJobs < want) {
      const usable = (h: HostRecord): number => {
        const v = views[hosts.indexOf(h)]!;
        return v.freeSlots > 0 ? v.freeCores : 0;
      };
      const found = bestStart(ctx, pool, free, eligible, reservations, candidate.estimate, want, at, at, usable);
      if (found?.now) {
        target = found.host;
        makeJobs = found.cores;
      } else if (found) {
        reserve(reservations, found);
        setAside.push(id);
        continue;
      }
    }
    start(id, target, makeJobs, at + ctx.expect(candidate.estimate, makeJobs) / target.spec.speed, why);
    free.changed(target);
  }
  if (ctx.hosts.running.size === 0 && starts.length === 0 && setAside.length > 0) startAnyway(ctx, pool, hosts, setAside, at, start);
  return { taken, starts, parked, setAside };
}

/**
 * Whether ready job `id` may take a free slot of `host` now, as a round
 * with nothing kept would see it: the admission policy (memory, load) asked
 * with the job and the host as they are. For `kiln why`.
 */
export function admitsNow(ctx: DispatchSnapshot, host: HostRecord, id: number, at: number): boolean {
  const candidate: Candidate = {
    id, pkgname: ctx.pkgnames[id]!, priority: ctx.priority[id]!, estimate: ctx.estimates[id]!,
    makeJobsSafe: ctx.makeJobsSafe[id]!, waiting: ctx.ready.size, topPriority: ctx.priority[ctx.ready.peek() ?? id]!,
    durationS: ctx.duration()[id]!, tailS: ctx.tail()[id]!, plannedMakeJobs: ctx.plannedMakeJobs()?.[id] ?? 1, backlogS: 0,
  };
  const pool = new RoundHosts(ctx.hosts, at);
  return viewFor(ctx, pool, new FreeSteps(pool, at), host, candidate, new Map(), at).freeSlots > 0;
}

/** The host view `candidate` gets: what it may take now and keep until it ends, given the host's reservations. */
function viewFor(ctx: DispatchSnapshot, pool: RoundHosts, free: FreeSteps, host: HostRecord, candidate: Candidate,
  reservations: Reservations, at: number): HostView {
  const spare = spareUntil(ctx, free, reservations, host, at, at + candidate.durationS / host.spec.speed);
  const freeSlots = Math.max(0, spare.slots);
  const freeCores = Math.max(0, spare.cores);
  const view: HostView = {
    name: host.spec.name, speed: host.spec.speed, slots: host.spec.slots, freeSlots: freeCores > 0 ? freeSlots : 0,
    cores: host.spec.cores, coresInUse: pool.coresInUse(host), freeCores, running: pool.running(host),
    slotFreeAt: pool.slotFreeAt(host, at), memoryMiB: host.spec.memoryMiB, memoryInUseMiB: pool.memoryInUseMiB(host), load: host.load,
  };
  if (view.freeSlots > 0 && diskShort(candidate.estimate, host.load, pool.diskPromisedMiB(host)) !== undefined) return { ...view, freeSlots: 0 };
  if (view.freeSlots > 0 && !ctx.admission.admits(candidate, view, () => pool.estimates(host))) return { ...view, freeSlots: 0 };
  return view;
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

/** What a job running from `from` to `to` may hold of `host` the whole time, by the reservation policy. */
function spareUntil(ctx: DispatchSnapshot, free: FreeSteps, reservations: Reservations, host: HostRecord, from: number, to: number): FreeLater {
  return ctx.reservation.spareUntil(free, host, reservations.get(host) ?? NONE_KEPT, from, to);
}

/**
 * Of every host, and every moment a running job there is expected to end,
 * where a job wanting `want` cores and ready at `readyAt` would end
 * soonest: with the cores free then and not kept for a job waiting before
 * it (at most `want`). `usableNow` says what each host may give it at once.
 */
function bestStart(ctx: DispatchSnapshot, pool: RoundHosts, free: FreeSteps, hosts: readonly HostRecord[], reservations: Reservations,
  estimate: Estimate, want: number, at: number, readyAt: number, usableNow: (host: HostRecord) => number): Start | undefined {
  let best: Start | undefined;
  for (const host of hosts) {
    for (let k = 0, step = free.step(host, 0); step; step = free.step(host, ++k)) {
      const when = Math.max(readyAt, step.at);
      const guess = when + ctx.expect(estimate, want) / host.spec.speed;
      const spare = spareUntil(ctx, free, reservations, host, when, guess);
      const usable = Math.min(k === 0 ? usableNow(host) : step.cores, spare.cores);
      if (Math.min(step.slots, spare.slots) < 1 || usable < 1) continue;
      const cores = Math.min(want, usable);
      const end = when + ctx.expect(estimate, cores) / host.spec.speed;
      if (!best || end < best.end) best = { host, now: k === 0 && when <= at, at: when, cores, end };
      if (cores >= Math.min(want, pool.coreLimit(host))) break;
    }
  }
  return best;
}

/** Nothing runs and every ready job was set aside: start the first that any host can take, so the run goes on. */
function startAnyway(ctx: DispatchSnapshot, pool: RoundHosts, hosts: readonly HostRecord[], setAside: number[], at: number,
  start: (id: number, host: HostRecord, makeJobs: number, expectedEnd: number) => void): void {
  const index = setAside.findIndex((id) => timelyHosts(ctx, hosts, id, at).some((h) => pool.canStart(h)));
  if (index < 0) return;
  const id = setAside.splice(index, 1)[0]!;
  const host = timelyHosts(ctx, hosts, id, at).find((h) => pool.canStart(h))!;
  const makeJobs = Math.max(1, Math.min(ctx.plannedMakeJobs()?.[id] ?? 1, pool.freeCores(host)));
  start(id, host, makeJobs, at + ctx.expect(ctx.estimates[id]!, makeJobs) / host.spec.speed);
}

/** The hosts of `hosts` that may run job `id` started at `at`: of its class, and with time left for it (host-deadline.ts). */
export function timelyHosts(ctx: Pick<DispatchSnapshot, 'features' | 'estimates' | 'duration'>, hosts: readonly HostRecord[], id: number, at: number): HostRecord[] {
  const durationS = ctx.duration()[id]!;
  return servedBy(ctx, hosts, id).filter((h) => endsInTime(h.spec, at, durationS));
}

/** The hosts of `hosts` whose class may run job `id`, as it requires features or prefers them by history (host-features.ts). */
export function servedBy(ctx: Pick<DispatchSnapshot, 'features' | 'estimates'>, hosts: readonly HostRecord[], id: number): readonly HostRecord[] {
  const need = ctx.features[id];
  // The usual farm: a job that needs nothing, and no host keeping itself for anything: every host serves it (no array made, per candidate).
  if ((need === undefined || need.length === 0) && hosts.every((h) => h.spec.mandatory === undefined || h.spec.mandatory.length === 0)) return hosts;
  const prefers = preferredByHistory(ctx.estimates[id]!);
  return hosts.filter((h) => serves(h.spec, need, prefers));
}

/**
 * The round placements see, with the expected end of the longest path and
 * the capacity of the hosts up. `openWork` and `taken` say how far the
 * round has come when a placement asks.
 */
function makeRound(ctx: DispatchSnapshot, pool: RoundHosts, hosts: readonly HostRecord[], at: number,
  openWork: () => number, taken: () => number): { round: DispatchRound; pathEnd: () => number; capacity: number } {
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
    for (const { node, end } of pool.startedEnds(at)) path = Math.max(path, end + Math.max(0, tail[node]! - duration[node]!) / fastest);
    return path;
  };
  const round: DispatchRound = {
    now: at, fastestSpeed: fastest, estimates: ctx.estimates,
    horizon: () => Math.max(pathEnd(), at + openWork() / Math.max(capacity, 1e-9)),
    // The ready queue as it stands in the round: a copy with the jobs taken so far popped.
    readyIds: () => {
      const ready = ctx.ready.copy();
      for (let i = taken(); i > 0; i--) ready.pop();
      return ready.values();
    },
    slotSpeeds: () => (speeds ??= hosts.flatMap((h) => new Array<number>(h.spec.slots).fill(h.spec.speed)).sort((a, b) => a - b)),
  };
  return { round, pathEnd, capacity };
}
