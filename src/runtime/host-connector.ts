// Brings hosts up and keeps them up: checks each host before it gets jobs,
// turns a lost connection into `host-down`, and tries again with backoff
// (5 s, doubling, at most 5 min) until the host answers, unless what refused
// it cannot change (its arch: ConnectResult's `lasting`). Hosts may join
// while the build runs (`add`) and leave it (`retire`: no more tries). A
// host the engine quarantined is checked again (a fresh connection) when
// its quarantine ends, and takes jobs again once it passes. When no host is
// up and every host was refused or given up, the build cannot go on (`none`).
// Hosts held on demand (Slurm allocations, Executor.onDemand) wait on
// standby: `demand`, after each step of the coordinator, brings them up
// while ready work finds no free slot, or no host up with time left for
// it, and gives them back when idle for their time while nothing waits.
// One with a time limit has a spec `until` (core/engine/host-deadline.ts):
// the engine starts there only jobs that end in time, and once that time
// has come the host is given back as soon as its jobs are done.

import type { HostLoad } from '../core/engine/engine-events.js';
import type { HostSpec } from '../core/model.js';
import type { Placement } from '../exec/agent-channel.js';
import type { Executor, HostInfo } from '../exec/executor.js';
import { fitsFresh, untilOf } from '../core/engine/host-deadline.js';

export interface HostListener {
  /** A host is up, or has a new spec; `again`: it was lost and came back; `load`: what it last measured, when it has. */
  up(spec: HostSpec, again: boolean, load?: HostLoad): void;
  /** `retryS`: when the next try is, 'on-demand' when work waiting brings it back, or undefined when there is none (the host left). */
  down(host: string, reason: string, retryS: number | 'on-demand' | undefined): void;
  /** An on-demand host was given back, idle: it takes no jobs until work waits again. */
  givenBack(host: string, reason: string): void;
  refused(host: string, reason: string): void;
  /** No host is up and every host has failed its check or was given up: the build cannot go on. Why, host by host. */
  none(reasons: ReadonlyArray<{ readonly host: string; readonly reason: string }>): void;
  /** The host's measured load, while it is up. */
  load?(host: string, load: HostLoad): void;
  /** An on-demand host's allocation: asked for (`requested`), pending with its manager's reason, or given (before its `up`). */
  placement?(host: string, placement: 'requested' | Placement): void;
}

/** A host to bring up: `specFor` makes its spec from what the host reported (`spec` until then). */
export interface ConnectorHost {
  readonly executor: Executor;
  readonly spec: HostSpec;
  readonly specFor?: (info: HostInfo) => HostSpec;
}

interface HostState {
  binding: ConnectorHost;
  up: boolean;
  everUp: boolean;
  tried: boolean;
  retired: boolean;
  /** Quarantined by the engine: it is checked again when the quarantine ends. */
  quarantined: boolean;
  /** Quarantined with no end, or refused for what cannot change (its arch): not tried again unless its hosts-file line comes back. */
  givenUp: boolean;
  backoffS: number;
  timer: NodeJS.Timeout | undefined;
  lastReason: string;
  info: HostInfo | undefined;
  /** The host's last measured load, kept while it connects: the engine gets it as the host comes up, so its thresholds count from the first job. */
  lastLoad: HostLoad | undefined;
  /** An on-demand host not held now: not connected, not retried, taken up by `demand`. */
  standby: boolean;
  idleTimer: NodeJS.Timeout | undefined;
  /** When an on-demand host with a time limit came up this time (seconds since the epoch). */
  upAt: number | undefined;
  /** Fires at the host's `until`, to give it back once idle. */
  endTimer: NodeJS.Timeout | undefined;
}

/** What `demand` is told of the build after a step. */
export interface Demand {
  /** Ready packages not started. */
  readonly ready: number;
  /** Of those, the ones no host up can end in time (Engine.untimely): each one's expected seconds at speed 1. */
  readonly late?: readonly number[];
  /** Each host's slots and running jobs, as the engine sees them. */
  readonly hosts: ReadonlyArray<{ readonly name: string; readonly up: boolean; readonly slots: number; readonly running: number }>;
}

export class HostConnector {
  private readonly hosts: HostState[] = [];
  private readonly signal: AbortSignal;
  private readonly listener: HostListener;
  private started = false;
  private stopped = false;
  private lastDemand: Demand = { ready: 0, hosts: [] };

  private readonly now: () => number;

  constructor(hosts: readonly ConnectorHost[], signal: AbortSignal, listener: HostListener, now: () => number = () => Date.now() / 1000) {
    this.signal = signal;
    this.now = now;
    this.listener = listener;
    for (const h of hosts) this.hosts.push(fresh(h));
  }

  start(): void {
    this.started = true;
    let held = false; // one on-demand host is held from the start, so the build has somewhere to begin; `demand` holds more
    for (const host of this.hosts) {
      const onDemand = host.binding.executor.onDemand !== undefined;
      this.bringUp(host, onDemand && held);
      held ||= onDemand;
    }
  }

  stop(): void {
    this.stopped = true;
    for (const host of this.hosts) for (const timer of [host.timer, host.idleTimer, host.endTimer]) clearTimeout(timer);
  }

  /**
   * After each step: an on-demand host on standby is brought up for each
   * host's worth of ready packages that no free slot takes, or that no host
   * up has time left for but a fresh one would (one at a time per host,
   * never more than the hosts there are); one that is up without a job is
   * given back once it stays so for its idle time while none waits.
   */
  demand(demand: Demand): void {
    if (this.stopped) return;
    this.lastDemand = demand;
    const running = new Map(demand.hosts.map((h) => [h.name, h.running]));
    const ended = new Set(this.hosts.filter((h) => h.up && this.timeUp(h)).map((h) => h.binding.spec.name));
    for (const host of this.hosts) {
      if (!ended.has(host.binding.spec.name) || (running.get(host.binding.spec.name) ?? 0) > 0) continue;
      this.giveBack(host, `its allocation's time limit is near (${Math.round(host.binding.executor.onDemand!.limitS! / 60)} min from when it came up)`);
    }
    for (const host of this.hosts) {
      const idleS = host.binding.executor.onDemand?.idleS;
      if (idleS === undefined || !host.up) continue;
      if ((running.get(host.binding.spec.name) ?? 0) > 0) {
        clearTimeout(host.idleTimer);
        host.idleTimer = undefined;
      } else {
        host.idleTimer ??= setTimeout(() => this.idleEnded(host), idleS * 1000);
      }
    }
    // A host whose time has come takes no job: its slots are not free.
    const free = demand.hosts.reduce((n, h) => n + (h.up && !ended.has(h.name) ? Math.max(0, h.slots - h.running) : 0), 0);
    // A late package takes no free slot up; it counts only if a fresh allocation would have time for it, so one too long for any is never asked for.
    const late = demand.late ?? [];
    const onDemand = this.hosts.filter((h) => h.binding.executor.onDemand !== undefined && !h.retired && !h.givenUp);
    const speed = new Map(late.length === 0 ? [] : onDemand.map((h) => [h, this.specOf(h).speed]));
    const fits = (host: HostState, d: number): boolean => fitsFresh(host.binding.executor.onDemand?.limitS, speed.get(host)!, d);
    let short = Math.max(0, demand.ready - late.length - free);
    let lateShort = late.filter((d) => onDemand.some((h) => fits(h, d))).length;
    const take = (host: HostState): void => { // its slots go to what waits, late work after the rest
      lateShort -= Math.max(0, host.binding.spec.slots - short);
      short = Math.max(0, short - host.binding.spec.slots);
    };
    for (const host of onDemand) if (!host.standby && !host.up) take(host); // already being brought up
    for (const host of onDemand) {
      if (short <= 0 && lateShort <= 0) break;
      if (!host.standby || (short <= 0 && !late.some((d) => fits(host, d)))) continue;
      host.standby = false;
      take(host);
      void this.connect(host);
    }
  }

  /** Each host's time limit (undefined: none) and speed, for host-deadline.ts's tooLongForAny. */
  limits(): { limitS: number | undefined; speed: number }[] {
    return this.hosts.filter((h) => !h.retired && !h.givenUp).map((h) => ({ limitS: h.binding.executor.onDemand?.limitS, speed: this.specOf(h).speed }));
  }

  private idleEnded(host: HostState): void {
    host.idleTimer = undefined;
    if (this.stopped || !host.up || host.retired) return;
    const idleS = host.binding.executor.onDemand?.idleS ?? 0;
    const busy = (this.lastDemand.hosts.find((h) => h.name === host.binding.spec.name)?.running ?? 0) > 0;
    if (busy) return;
    if (this.lastDemand.ready > 0) {
      host.idleTimer = setTimeout(() => this.idleEnded(host), idleS * 1000);
      return;
    }
    this.giveBack(host, `no job for ${idleS} s and none waiting`);
  }

  /** The host is no longer up: its idle and end timers, and when it came up, go with it. */
  private takenDown(host: HostState): void {
    clearTimeout(host.idleTimer);
    clearTimeout(host.endTimer);
    Object.assign(host, { up: false, idleTimer: undefined, endTimer: undefined, upAt: undefined });
  }

  private giveBack(host: HostState, reason: string): void {
    this.takenDown(host);
    Object.assign(host, { standby: true, backoffS: 5 });
    this.listener.givenBack(host.binding.spec.name, reason);
    void host.binding.executor.close().catch(() => undefined);
  }

  /** Whether an on-demand host's time has come: it takes no new job. */
  private timeUp(host: HostState): boolean {
    const until = this.untilOf(host);
    return until !== undefined && this.now() >= until;
  }

  private untilOf(host: HostState): number | undefined {
    const limitS = host.binding.executor.onDemand?.limitS;
    return limitS === undefined || host.upAt === undefined ? undefined : untilOf(host.upAt, limitS);
  }

  /** A host that joins the build; a host that had left comes back (with this binding, unless it is still connected). */
  add(binding: ConnectorHost): void {
    const known = this.find(binding.spec.name);
    if (known && !known.retired) return;
    const host = known ?? fresh(binding);
    if (known) {
      known.retired = false; // back in the hosts file, perhaps mended: tried again
      if (!known.up) Object.assign(known, { binding, tried: false, givenUp: false, backoffS: 5, info: undefined });
    } else {
      this.hosts.push(host);
    }
    if (!this.started || this.stopped) return;
    if (host.up) this.listener.up(this.specOf(host), false);
    else this.bringUp(host);
  }

  /** The host leaves: no more tries to reach it. Its running jobs are the caller's to let finish. */
  retire(name: string): void {
    const host = this.find(name);
    if (!host) return;
    host.retired = true;
    clearTimeout(host.timer);
  }

  /**
   * The engine quarantined the host (`reason`): it takes no jobs, and is
   * checked again on a fresh connection in `forS` seconds; with no `forS` it
   * is given up for the run.
   */
  quarantine(name: string, forS: number | undefined, reason: string): void {
    const host = this.find(name);
    if (!host || host.retired || this.stopped) return;
    clearTimeout(host.timer);
    this.takenDown(host);
    Object.assign(host, { quarantined: forS !== undefined, givenUp: forS === undefined, lastReason: `quarantined: ${reason}` });
    if (forS !== undefined) {
      host.timer = setTimeout(() => void this.recheck(host), forS * 1000).unref();
    }
    this.noneLeft();
  }

  private async recheck(host: HostState): Promise<void> {
    if (this.stopped || host.retired) return;
    // What still ran there ends; the engine charges it to no one. A close that fails (the control
    // socket already gone) leaves nothing to keep: the fresh connection below says whether the host works.
    await host.binding.executor.close().catch(() => undefined);
    host.quarantined = false;
    await this.connect(host);
  }

  /** Tells the listener when no host is up and none may come: every one refused or given up. */
  private noneLeft(): boolean {
    const active = this.hosts.filter((h) => !h.retired);
    // A host on standby may still come, once one like it has worked.
    const onDemandWorked = active.some((h) => h.binding.executor.onDemand !== undefined && h.everUp);
    if (!active.every((h) => (h.standby ? !onDemandWorked : (h.tried || h.givenUp) && !h.up && !h.quarantined))) return false;
    this.listener.none(active.map((h) => ({ host: h.binding.spec.name, reason: h.lastReason })));
    return true;
  }

  /** Whether every host of the build has been tried at least once (none is still connecting for the first time). */
  allTried(): boolean {
    return this.hosts.every((h) => h.retired || h.tried || h.givenUp);
  }

  /** The caller closed a retired host's executor: it is no longer up (no `down`: it left). */
  release(name: string): void {
    const host = this.find(name);
    if (host?.retired) host.up = false;
  }

  /** New properties for a known host (its hosts file line changed); an up host takes them at once. */
  respec(binding: ConnectorHost): void {
    const host = this.find(binding.spec.name);
    if (!host || host.retired) return;
    host.binding = { ...binding, executor: host.binding.executor };
    if (host.up && !this.stopped) this.listener.up(this.specOf(host), false);
  }

  private find(name: string): HostState | undefined {
    return this.hosts.find((h) => h.binding.spec.name === name);
  }

  private specOf(host: HostState): HostSpec {
    const { spec, specFor } = host.binding;
    const made = host.info !== undefined && specFor !== undefined ? specFor(host.info) : spec;
    const until = this.untilOf(host);
    return until === undefined ? made : { ...made, until };
  }

  private bringUp(host: HostState, standby = false): void {
    const executor = host.binding.executor;
    const name = host.binding.spec.name;
    executor.onLost((reason) => {
      if (this.stopped || !host.up || host.binding.executor !== executor) return;
      this.takenDown(host);
      // An on-demand host lost (its allocation cancelled) waits on standby: `demand` asks for another when work waits.
      if (executor.onDemand !== undefined && !host.retired) {
        host.standby = true;
        this.listener.down(name, reason, 'on-demand');
        return;
      }
      this.listener.down(name, reason, host.retired ? undefined : host.backoffS);
      this.retryLater(host);
    });
    executor.onLoad?.((load) => {
      if (this.stopped || host.binding.executor !== executor) return;
      host.lastLoad = load;
      if (host.up) this.listener.load?.(name, load);
    });
    host.standby = standby;
    if (!standby) void this.connect(host);
  }

  /** What the host's check found when it last came up (its agent's facts), or undefined. */
  infoOf(name: string): HostInfo | undefined {
    return this.hosts.find((h) => h.binding.spec.name === name)?.info;
  }

  private async connect(host: HostState): Promise<void> {
    const { executor } = host.binding;
    const watch = executor.onDemand !== undefined && executor.placement ? this.watchPlacement(host.binding.spec.name, executor) : undefined;
    let result;
    try {
      result = await executor.connect(this.signal);
    } catch (err) {
      result = { ok: false as const, reason: (err as Error).message };
    } finally {
      watch?.();
    }
    if (this.stopped || host.retired || host.givenUp || host.standby) return;
    host.tried = true;
    if (result.ok && watch !== undefined) {
      const given = await executor.placement!().catch(() => undefined);
      if (given && !given.pending) this.listener.placement?.(host.binding.spec.name, given);
    }
    if (result.ok) {
      host.up = true;
      host.info = result.info;
      host.backoffS = 5;
      if (host.binding.executor.onDemand?.limitS !== undefined) {
        host.upAt = this.now();
        // When its time comes, an idle host is given back at once, not at the next step.
        clearTimeout(host.endTimer);
        host.endTimer = setTimeout(() => this.demand(this.lastDemand), Math.max(0, this.untilOf(host)! - host.upAt) * 1000);
        host.endTimer.unref();
      }
      this.listener.up(this.specOf(host), host.everUp, host.lastLoad);
      host.everUp = true;
      return;
    }
    host.lastReason = result.reason;
    this.listener.refused(host.binding.spec.name, result.reason);
    if (result.lasting === true) host.givenUp = true;
    if (!this.noneLeft() && !host.givenUp) this.retryLater(host);
  }

  /** Says the allocation is asked for, then what its manager says of it at once and every 2 s while it is pending. */
  private watchPlacement(name: string, executor: Executor): () => void {
    this.listener.placement?.(name, 'requested');
    let said = '';
    let asking = false;
    let done = false;
    const ask = (): void => {
      if (asking || done) return;
      asking = true;
      void executor.placement!().catch(() => undefined).then((p) => {
        asking = false;
        if (p?.pending !== true || p.reason === said || this.stopped || done) return;
        said = p.reason;
        this.listener.placement?.(name, p);
      });
    };
    setTimeout(ask, 200).unref(); // once srun has asked
    const timer = setInterval(ask, 2000).unref();
    return () => {
      done = true;
      clearInterval(timer);
    };
  }

  private retryLater(host: HostState): void {
    if (this.stopped || host.retired) return;
    clearTimeout(host.timer);
    host.timer = setTimeout(() => { void this.connect(host); }, host.backoffS * 1000).unref();
    host.backoffS = Math.min(host.backoffS * 2, 300);
  }
}

function fresh(binding: ConnectorHost): HostState {
  return {
    binding, up: false, everUp: false, tried: false, retired: false, quarantined: false, givenUp: false, backoffS: 5, timer: undefined, lastReason: '', info: undefined, lastLoad: undefined,
    standby: false, idleTimer: undefined, upAt: undefined, endTimer: undefined,
  };
}
