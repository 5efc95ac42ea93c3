// How long the rest of a run takes, from expected durations (history, at
// speed 1): the longer of the longest chain still to build and the work
// left spread over the slots that take jobs, both counted with the hosts'
// speed factors (dpb's `sf`). A host of speed 2 does a second of speed-1
// work in half a second; the chain is built on the fastest host. Running
// jobs count with what they have left on the host they run on. One pass
// over the graph in dependency order, so it can run every second.

import type { Status } from '../../core/model.js';
import type { PackageGraph } from './run-view-graph.js';

export interface EtaHost {
  readonly slots: number;
  readonly speed: number;
}

export interface EtaJob {
  /** The package's index in the graph. */
  readonly pkg: number;
  /** Seconds it has left on its host. */
  readonly leftS: number;
  /** Its host's speed factor. */
  readonly speed: number;
}

export interface EtaInput {
  readonly graph: PackageGraph;
  /** Each package's status, by index. */
  readonly statuses: readonly Status[];
  /** Expected seconds of each package's job at speed 1, by index. */
  readonly expected: readonly number[];
  /** Whether each package's expected seconds are a guess (no history), by index; none when not given. */
  readonly guessed?: readonly boolean[];
  /** What a guess is multiplied by: this run's built jobs' seconds over their guesses (GuessScale); 1 when not given. */
  readonly guessScale?: number;
  readonly running: readonly EtaJob[];
  /** The hosts that take jobs. */
  readonly hosts: readonly EtaHost[];
  /**
   * The nodes that may still be open or building, each after its
   * dependencies (the graph's order, or what an earlier estimate left of
   * it); every other node is done with. The whole graph when not given.
   */
  readonly order?: Int32Array;
}

export interface EtaResult {
  /** Seconds left, or undefined when nothing that is left can run (no slots, nothing running). */
  readonly remainingS: number | undefined;
  /** The nodes of `order` still open or building: the next estimate's order. */
  readonly order: Int32Array;
  /** Of those, how many have a guessed time, and how many a time from history. */
  readonly guessedLeft: number;
  readonly knownLeft: number;
}

/** What an ETA is worked out from, as the views say it: "from history", "from this run", "from history and a guess", ... */
export function etaBasis(result: Pick<EtaResult, 'guessedLeft' | 'knownLeft'>, learned: boolean): string {
  const parts = [
    ...(result.knownLeft > 0 || result.guessedLeft === 0 ? ['history'] : []),
    ...(result.guessedLeft > 0 ? [learned ? 'this run' : 'a guess'] : []),
  ];
  return `from ${parts.join(' and ')}`;
}

/**
 * How far off the guesses are, learnt from this run's built jobs whose
 * port had no history: their seconds (at speed 1) over what was guessed.
 */
export class GuessScale {
  #actualS = 0;
  #guessedS = 0;

  built(actualS: number, guessedS: number): void {
    if (!(guessedS > 0) || !(actualS >= 0)) return;
    this.#actualS += actualS;
    this.#guessedS += guessedS;
  }

  /** Undefined until a guessed job has been built. */
  get scale(): number | undefined {
    return this.#guessedS > 0 ? this.#actualS / this.#guessedS : undefined;
  }
}

/** Seconds left, or undefined when nothing that is left can run (no slots, nothing running). */
export function estimateRemaining(input: EtaInput): number | undefined {
  return estimate(input).remainingS;
}

export function estimate(input: EtaInput): EtaResult {
  const { graph, statuses, expected } = input;
  const order = input.order ?? graph.order;
  const still = new Int32Array(order.length);
  let capacity = 0;
  let fastest = 0;
  for (const h of input.hosts) {
    if (h.slots <= 0) continue;
    capacity += h.slots * h.speed;
    fastest = Math.max(fastest, h.speed);
  }
  const left = new Map<number, EtaJob>();
  for (const job of input.running) left.set(job.pkg, job);
  const finish = new Float64Array(graph.size);
  let work = 0;
  let chain = 0;
  let remaining = 0;
  let runningLeft = 0;
  let guessedLeft = 0;
  const scale = input.guessScale ?? 1;
  for (let o = 0; o < order.length; o++) {
    const i = order[o]!;
    const status = statuses[i];
    if (status !== 'open' && status !== 'building') continue;
    still[remaining++] = i;
    const guessed = input.guessed?.[i] === true;
    if (guessed) guessedLeft++;
    let own: number;
    if (status === 'building') {
      const job = left.get(i);
      own = job ? Math.max(0, job.leftS) : 0;
      work += own * (job?.speed ?? 1);
      runningLeft = Math.max(runningLeft, own);
    } else {
      const speed1 = Math.max(0, expected[i] ?? 0) * (guessed ? scale : 1);
      own = fastest > 0 ? speed1 / fastest : speed1;
      work += speed1;
    }
    let before = 0;
    for (let k = graph.depStart[i]!; k < graph.depStart[i + 1]!; k++) before = Math.max(before, finish[graph.depOf[k]!]!);
    finish[i] = before + own;
    chain = Math.max(chain, finish[i]);
  }
  const next = { order: still.slice(0, remaining), guessedLeft, knownLeft: remaining - guessedLeft };
  if (remaining === 0) return { remainingS: 0, ...next };
  if (capacity === 0) return { remainingS: input.running.length > 0 ? Math.round(runningLeft) : undefined, ...next };
  return { remainingS: Math.round(Math.max(chain, work / capacity)), ...next };
}
