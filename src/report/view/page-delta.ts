// Makes the page's updates (page-wire.ts) from the folded state: what
// changed since the revision a page has, found through the journal, so an
// update costs what changed, not what the run holds. An update is kept
// under a byte budget: when more changed (a core package failing makes
// ten thousand packages indirect-failed at once), it carries what fits and
// says how much is behind; the next update goes on from there. A snapshot
// is the update from revision 0 without a budget.

import type { PackageRecord } from './run-view-records.js';
import type { RunViewState } from './run-view-state.js';
import { hostView } from './run-view-build.js';
import {
  WIRE_FORMAT, type WireBar, type WireCapacity, type WireHead, type WireHost, type WireMessage, type WirePackage, type WireRunning,
  type WireStatus, type WireStatusPart,
} from './page-wire.js';

export interface UpdateRequest {
  readonly epoch: string;
  /** The revision the page has; 0 for a snapshot. */
  readonly from: number;
  /** The server's clock. */
  readonly now: number;
  /** Bytes the update should stay under; unlimited when not given. */
  readonly budget?: number;
}

export interface EncodedUpdate {
  readonly json: string;
  readonly to: number;
}

/** The smallest room left for changed rows, however big the always-sent part is. */
const MIN_ROWS_BYTES = 8 * 1024;

function time(t: number): number;
function time(t: number | undefined): number | null;
function time(t: number | undefined): number | null {
  return t === undefined ? null : Math.round(t * 100) / 100;
}

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** A row as JSON: undefined as null, trailing nulls left off. */
function row(values: WirePackage | WireStatus | WireBar | WireRunning): string {
  let end = values.length;
  while (end > 0 && (values[end - 1] === undefined || values[end - 1] === null)) end--;
  return JSON.stringify(values.slice(0, end).map((v) => (v === undefined ? null : v)));
}

function statusValues(r: PackageRecord): WireStatusPart {
  return [
    r.status, orNull(r.phase), orNull(r.error), orNull(r.reason), r.blockedBy.length > 0 ? r.blockedBy : null, orNull(r.host), time(r.startedAt),
    time(r.durationS), orNull(r.log), orNull(r.logBytes), time(r.endedAt), orNull(r.waiting),
  ];
}

/** The update as JSON text, ready to send, and the revision the page has after it. */
export function encodeUpdate(state: RunViewState, request: UpdateRequest): EncodedUpdate {
  const { from } = request;
  const head = state.head;
  const now = head.finishedAt ?? Math.max(request.now, state.latest);
  const eta = state.remainingS(now);
  const wireHead: WireHead = {
    run: head.run, tree: head.tree, resumed: head.resumed, startedAt: time(head.startedAt), finishedAt: time(head.finishedAt),
    result: head.result, now: time(now), scan: head.scan ?? null, resolved: head.resolved,
    eta: eta === undefined ? null : { remainingS: eta, at: time(now + eta), basis: state.etaBasis ?? 'from history' }, stuckAfterS: state.stuckAfterS,
  };
  const busy = new Map<string, number>();
  for (const r of state.running.values()) busy.set(r.job.host, (busy.get(r.job.host) ?? 0) + 1);
  const hosts: WireHost[] = [...state.hosts].map(([name, h]) => ({ ...hostView(name, h, busy.get(name) ?? 0), speed: h.speed }));

  const packages: string[] = [];
  const statuses: string[] = [];
  const sent = new Set<number>();
  let rowBytes = 0;
  const sendPackage = (index: number): void => {
    if (sent.has(index)) return;
    sent.add(index);
    const r = state.packages[index]!;
    const text = r.staticRev > from
      ? row([index, r.info.pkgname, r.info.pkgpath, r.info.maintainer, ...statusValues(r)] satisfies WirePackage)
      : undefined;
    if (text !== undefined) { packages.push(text); rowBytes += text.length + 1; return; }
    const status = row([index, ...statusValues(r)] satisfies WireStatus);
    statuses.push(status);
    rowBytes += status.length + 1;
  };

  const running: string[] = [];
  const runningJobs: number[] = [];
  for (const r of state.running.values()) {
    runningJobs.push(r.job.id);
    if (r.rev <= from) continue;
    if (state.packages[r.pkg]!.staticRev > from) sendPackage(r.pkg);
    running.push(row([r.job.id, r.bar, r.pkg, r.job.host, r.job.slot, time(r.job.startedAt), r.job.attempt, r.job.makeJobs, r.phase,
      Math.round(r.expectedS), r.logBytes, orNull(r.lastLogBytes), time(r.idleS), time(r.progressAt), orNull(r.stuckAfterS)] satisfies WireRunning));
  }
  const capacity: WireCapacity[] = [];
  for (let i = state.capacity.length - 1; i >= 0 && state.capacity[i]!.rev > from; i--) {
    const p = state.capacity[i]!;
    capacity.unshift([p.index, time(p.at), p.slots]);
  }
  const messages: WireMessage[] = state.messages.filter((m) => m.rev > from).map((m) => [m.seq, time(m.at), m.level, m.text]);

  const fixed = JSON.stringify({ wireHead, counts: state.counts(), hosts, capacity, messages, runningJobs }).length + running.join(',').length;
  const budget = request.budget === undefined ? Infinity : Math.max(MIN_ROWS_BYTES, request.budget - fixed - 512);
  const bars: string[] = [];
  let to = state.rev;
  let behind = 0;
  for (const entry of state.journal.after(from)) {
    if (rowBytes >= budget) {
      to = entry.rev - 1;
      behind = state.journal.countAfter(to);
      break;
    }
    if (entry.kind !== 'bar') { sendPackage(entry.index); continue; }
    const b = state.bars[entry.index]!;
    const text = row([b.index, b.job, b.pkg, b.host, b.slot, time(b.start), time(b.end), b.outcome, orNull(b.detail)] satisfies WireBar);
    bars.push(text);
    rowBytes += text.length + 1;
  }

  const json = (value: unknown): string => JSON.stringify(value);
  const text = `{"format":${WIRE_FORMAT},"epoch":${json(request.epoch)},"from":${from},"to":${to},"behind":${behind},`
    + `"head":${json(wireHead)},"counts":${json(state.counts())},"hosts":${json(hosts)},`
    + `"packages":[${packages.join(',')}],"statuses":[${statuses.join(',')}],"bars":[${bars.join(',')}],`
    + `"running":[${running.join(',')}],"runningJobs":${json(runningJobs)},"capacity":${json(capacity)},`
    + `"messages":${json(messages)},"keepMessages":${state.keepMessages},"fetches":${json(state.fetches.view(now))}}`;
  return { json: text, to };
}
