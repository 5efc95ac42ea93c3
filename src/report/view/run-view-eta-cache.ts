// The ETA of RunViewState: worked out (run-view-eta.ts) again only when
// statuses or hosts changed and ETA_EVERY_S seconds have passed, or a
// minute has; between times the expected end stays and the seconds left
// count down to it. Each pass walks only what the last one left open or
// building, and learns from this run's built jobs how far off guesses are.

import type { Status } from '../../core/model.js';
import { estimate, etaBasis, GuessScale } from './run-view-eta.js';
import type { PackageGraph } from './run-view-graph.js';
import type { HostRecord, RunningRecord } from './run-view-records.js';

/** The ETA is worked out again at most this often while statuses change. */
const ETA_EVERY_S = 5;

/** What the ETA is worked out from: the state's lists by package index, its running jobs and hosts. */
export interface EtaSource {
  /** The graph of the packages; building it anew forgets the order (`forgetOrder`). */
  graph(): PackageGraph;
  readonly statuses: readonly Status[];
  readonly expected: readonly number[];
  readonly guessed: readonly boolean[];
  readonly running: ReadonlyMap<number, RunningRecord>;
  readonly hosts: ReadonlyMap<string, HostRecord>;
}

export class EtaCache {
  private readonly guessScale = new GuessScale();
  private eta: { computedAt: number; statusRev: number; at: number | undefined; basis: string } | undefined;
  /** What the last ETA left open or building, in dependency order; undefined: the whole graph. */
  private order: Int32Array | undefined;
  private statusRev = 0;

  constructor(private readonly source: EtaSource) {}

  /** What the last ETA was worked out from ("from history", "from this run", ...). */
  get basis(): string | undefined {
    return this.eta?.basis;
  }

  /** Statuses or hosts changed at revision `rev`. */
  changed(rev: number): void {
    this.statusRev = rev;
  }

  /** The next ETA walks the whole graph: a package is back in the queue, or the graph is new. */
  forgetOrder(): void {
    this.order = undefined;
  }

  /** A job of a package with a guessed time was built in `actualS` seconds (at speed 1). */
  built(actualS: number, guessedS: number): void {
    this.guessScale.built(actualS, guessedS);
  }

  /** Seconds left at `now` as of the last `refresh`, or undefined; worked out here only the first time. */
  remainingS(now: number): number | undefined {
    if (!this.eta) this.refresh(now, true);
    const at = this.eta?.at;
    return at === undefined ? undefined : Math.max(0, Math.round(at - now));
  }

  /** Works the ETA out again when it is due (or `force`): one pass over the packages still open or building. Returns whether it did. */
  refresh(now: number, force = false): boolean {
    const eta = this.eta;
    const age = eta === undefined ? Infinity : now - eta.computedAt;
    if (!force && eta !== undefined && age >= 0 && age < 60 && (eta.statusRev === this.statusRev || age < ETA_EVERY_S)) return false;
    const { source } = this;
    const scale = this.guessScale.scale;
    const running = [...source.running.values()].map((r) => {
      const speed = source.hosts.get(r.job.host)?.speed ?? 1;
      const expectedS = r.expectedS * (source.guessed[r.pkg] === true ? scale ?? 1 : 1);
      return { pkg: r.pkg, leftS: expectedS - Math.max(0, now - r.job.startedAt), speed };
    });
    const hosts = [...source.hosts.values()].filter((h) => h.state === 'up');
    const result = estimate({
      graph: source.graph(), statuses: source.statuses, expected: source.expected, guessed: source.guessed, running, hosts,
      ...(scale !== undefined && { guessScale: scale }),
      ...(this.order !== undefined && { order: this.order }),
    });
    this.order = result.order;
    const left = result.remainingS;
    this.eta = { computedAt: now, statusRev: this.statusRev, at: left === undefined ? undefined : now + left, basis: etaBasis(result, scale !== undefined) };
    return true;
  }
}
