// Why an open package has not started (`kiln why`, Hydra's and OBS's users'
// most asked question), as data: a pure function over the engine's state at
// a moment. In the order the engine would meet them: its dependencies not
// built yet (named), a currency check awaited, its distfiles not fetched yet, its pkgpath built by another
// job or locked by another run, the run stopping or short of disk, no host
// up (each named with its state), every slot busy (with how many ready
// packages come first), the hosts' time left (an allocation's time limit),
// the hosts' admission (memory, load), and else a
// free slot kept for a job on the critical path.

import type { DispatchSnapshot } from './engine-dispatch.js';
import { admitsNow, servedBy, timelyHosts } from './engine-dispatch.js';
import { whyNoHostServes } from './host-features.js';
import { diskShort } from './host-pressure.js';
import { preferredByHistory } from '../policies/big-parallel.js';
import type { HostState } from './engine-events.js';
import type { PathGate } from './engine-paths.js';
import type { BuildGraph } from '../resolve/graph.js';
import type { PkgName, Status } from '../model.js';

export type WaitReason =
  | { readonly kind: 'dependencies'; readonly building: readonly PkgName[]; readonly waiting: readonly PkgName[] }
  | { readonly kind: 'checking' }
  | { readonly kind: 'distfiles' }
  | { readonly kind: 'pkgpath-busy'; readonly job: number }
  | { readonly kind: 'locked'; readonly by: string }
  | { readonly kind: 'stopping' }
  | { readonly kind: 'disk'; readonly reasons: readonly string[] }
  | { readonly kind: 'no-host'; readonly hosts: readonly { readonly name: string; readonly state: HostState }[] }
  /** No host up serves its class: features none offers (`missing`), or hosts kept for jobs needing other features (`reserved`). */
  | { readonly kind: 'features'; readonly missing: readonly string[]; readonly reserved: readonly string[] }
  /** The hosts that could take it are over their pressure thresholds, each with why. */
  | { readonly kind: 'pressure'; readonly hosts: readonly { readonly name: string; readonly why: string }[] }
  /** Every slot it could take is busy; `loadLimited`: the hosts holding slots back for pressure, each with why. */
  | { readonly kind: 'slots-busy'; readonly ahead: number; readonly loadLimited: readonly { readonly name: string; readonly why: string }[] }
  /** The hosts with a free slot have less disk free than the port's last build needed, each with what it has. */
  | { readonly kind: 'host-disk'; readonly hosts: readonly { readonly name: string; readonly why: string }[] }
  | { readonly kind: 'admission'; readonly hosts: readonly string[] }
  /** The hosts with a free slot end too soon for it (a Slurm allocation's time limit). */
  | { readonly kind: 'time-limit'; readonly hosts: readonly string[] }
  | { readonly kind: 'kept-slot' };

export interface WhyInput {
  readonly graph: BuildGraph;
  readonly status: readonly Status[];
  /** Dependencies of each package not built yet. */
  readonly pending: Int32Array;
  readonly checking: ReadonlySet<number>;
  /** Whether a package whose dependencies are built waits for its distfiles to be fetched. */
  readonly distfiles: (id: number) => boolean;
  readonly paths: PathGate;
  readonly closing: boolean;
  readonly spaceShort: readonly string[];
  readonly dispatch: DispatchSnapshot;
}

const BUILT = new Set<Status>(['done', 'up-to-date']);

/**
 * The reason of every open package (or of `only`), at `at`. `builtOnly`
 * leaves out the packages still waiting for dependencies, which the views
 * tell from the statuses themselves.
 */
export function waitReasons(input: WhyInput, at: number, only?: PkgName, builtOnly = false): Map<PkgName, WaitReason> {
  const reasons = new Map<PkgName, WaitReason>();
  const ids = only === undefined ? input.status.keys() : [input.graph.id(only) ?? -1];
  let shared: Shared | undefined;
  const rankOf = (): Shared => (shared ??= sharedOf(input));
  for (const id of ids) {
    if (input.status[id] !== 'open' || (builtOnly && input.pending[id]! > 0)) continue;
    const reason = ownReason(input, id) ?? hostReason(input, rankOf, id, at);
    reasons.set(input.graph.pkgnames[id]!, reason);
  }
  return reasons;
}

export interface IdleSlot {
  readonly pkgname: PkgName;
  readonly reason: WaitReason;
  /** Ready packages not started. */
  readonly queued: number;
}

/** A host could start a job now while a ready package stays queued: the most urgent such package and why. */
export function idleSlot(input: WhyInput, at: number): IdleSlot | undefined {
  const { ready, hosts } = input.dispatch;
  if (ready.size === 0 || ![...hosts.all()].some((h) => hosts.canStart(h))) return undefined;
  const top = ready.peek()!;
  const id = input.status[top] === 'open' ? top : ready.values().find((r) => input.status[r] === 'open');
  if (id === undefined) return undefined;
  const pkgname = input.graph.pkgnames[id]!;
  const reason = waitReasons(input, at, pkgname).get(pkgname);
  return reason && { pkgname, reason, queued: ready.size };
}

function ownReason(input: WhyInput, id: number): WaitReason | undefined {
  const { graph, status } = input;
  if (input.pending[id]! > 0) {
    const open = graph.deps[id]!.filter((d) => !BUILT.has(status[d]!));
    return {
      kind: 'dependencies',
      building: open.filter((d) => status[d] === 'building').map((d) => graph.pkgnames[d]!),
      waiting: open.filter((d) => status[d] !== 'building').map((d) => graph.pkgnames[d]!),
    };
  }
  if (input.checking.has(id)) return { kind: 'checking' };
  if (input.distfiles(id)) return { kind: 'distfiles' };
  const blocker = input.paths.blocker(graph.pkgpaths[id]!);
  if (blocker) return 'by' in blocker ? { kind: 'locked', by: blocker.by } : { kind: 'pkgpath-busy', job: blocker.job };
  if (input.closing) return { kind: 'stopping' };
  if (input.spaceShort.length > 0) return { kind: 'disk', reasons: input.spaceShort };
  return undefined;
}

/** What every ready package shares: the hosts, and the ready ones by priority. */
interface Shared {
  readonly rank: Map<number, number>;
}

function sharedOf(input: WhyInput): Shared {
  const { ready, priority } = input.dispatch;
  const order = [...ready.values()].sort((a, b) => priority[b]! - priority[a]!);
  return { rank: new Map(order.map((id, i) => [id, i])) };
}

function hostReason(input: WhyInput, shared: () => Shared, id: number, at: number): WaitReason {
  const ctx = input.dispatch;
  const all = [...ctx.hosts.all()];
  const up = all.filter((h) => h.state === 'up');
  if (up.length === 0) return { kind: 'no-host', hosts: all.map((h) => ({ name: h.spec.name, state: h.state })) };
  const unserved = whyNoHostServes(up.map((h) => h.spec), ctx.features[id], preferredByHistory(ctx.estimates[id]!));
  if (unserved) return { kind: 'features', ...unserved };
  const served = servedBy(ctx, up, id);
  const startable = served.filter((h) => ctx.hosts.canStart(h));
  const held = served.flatMap((h) => {
    const why = ctx.hosts.held(h);
    return why === undefined ? [] : [{ name: h.spec.name, why }];
  });
  if (startable.length === 0 && held.length > 0) return { kind: 'pressure', hosts: held };
  if (startable.length === 0) {
    const loadLimited = served.flatMap((h) => {
      const restraint = ctx.hosts.restraint(h);
      return restraint === undefined ? [] : [{ name: h.spec.name, why: restraint.reason }];
    });
    return { kind: 'slots-busy', ahead: shared().rank.get(id) ?? 0, loadLimited };
  }
  const short = startable.flatMap((h) => {
    const why = diskShort(ctx.estimates[id]!, h.load, h.diskSinceLoadMiB);
    return why === undefined ? [] : [{ name: h.spec.name, why }];
  });
  if (short.length === startable.length) return { kind: 'host-disk', hosts: short };
  const timely = new Set(timelyHosts(ctx, startable, id, at));
  if (timely.size === 0) return { kind: 'time-limit', hosts: startable.map((h) => h.spec.name) };
  if (!startable.some((h) => timely.has(h) && admitsNow(ctx, h, id, at))) return { kind: 'admission', hosts: startable.map((h) => h.spec.name) };
  return { kind: 'kept-slot' };
}

/** The reason as `kiln why` and engine.log say it. */
export function formatWaitReason(r: WaitReason): string {
  const names = (list: readonly string[]): string => (list.length <= 5 ? list.join(', ') : `${list.slice(0, 5).join(', ')} and ${list.length - 5} more`);
  switch (r.kind) {
    case 'dependencies': {
      const parts = [
        ...(r.building.length > 0 ? [`still building: ${names(r.building)}`] : []),
        ...(r.waiting.length > 0 ? [`not started yet: ${names(r.waiting)}`] : []),
      ];
      return `waits for its dependencies (${parts.join('; ')})`;
    }
    case 'checking': return 'waits while kiln checks whether its package is still current';
    case 'distfiles': return 'waits for its distfiles to be fetched (fetch.log, when done)';
    case 'pkgpath-busy': return `its pkgpath is being built by job ${r.job} of this run`;
    case 'locked': return `its pkgpath is locked by another run: ${r.by}`;
    case 'stopping': return 'the run is stopping: no new job starts';
    case 'disk': return `no job starts while the disk is short of space: ${r.reasons.join('; ')}`;
    case 'no-host': return `no host takes jobs: ${r.hosts.length === 0 ? 'none is up yet' : r.hosts.map((h) => `${h.name} ${h.state}`).join(', ')}`;
    case 'features':
      return r.missing.length > 0
        ? `no host with feature ${r.missing.join(', ')} takes jobs (hosts file features=)`
        : `the hosts up keep themselves for jobs needing other features (mandatory= on ${names(r.reserved)})`;
    case 'pressure': return `the hosts that could take it take no new job for their load: ${r.hosts.map((h) => `${h.name} (${h.why})`).join(', ')}`;
    case 'slots-busy':
      return `every slot is busy; ${r.ahead} ready package${r.ahead === 1 ? ' comes' : 's come'} before it`
        + (r.loadLimited.length > 0 ? ` (${r.loadLimited.map((h) => `${h.name} ${h.why}`).join('; ')})` : '');
    case 'host-disk': return `the hosts with a free slot have too little disk for it: ${r.hosts.map((h) => `${h.name} (${h.why})`).join(', ')}`;
    case 'admission': return `a slot is free on ${r.hosts.join(', ')} but the host's memory or load does not admit it`;
    case 'time-limit': return `it is not expected to end before the time limit of ${names(r.hosts)} (a new allocation is asked for if a fresh one has time for it)`;
    case 'kept-slot': return 'a free slot is kept for a job on the critical path that is due soon';
    default: return r satisfies never;
  }
}
