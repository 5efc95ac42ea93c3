// How well kiln guesses the time of a port the history does not know: hold
// out a fifth of the recorded build, give the estimator the rest, predict
// the held-out ports, and compare with what they really took. Printed by
// bench/schedule-families.ts.

import type { ParsedDepgraph } from '../src/core/formats/depgraph.js';
import { graphFacts, type PortFacts } from '../src/core/estimate/estimate-model.js';
import { Estimator } from '../src/core/estimate/estimator.js';
import type { HistoryRecord } from '../src/core/formats/history-csv.js';
import { seededRandom } from '../src/core/simulation/random.js';

const HELD_OUT = 0.2;

interface Errors {
  /** Median and mean of |ln(predicted / actual)|. */
  median: number;
  mean: number;
  /** Share of predictions within a factor 2 of the actual time. */
  withinTwice: number;
  /** Sum of predicted over sum of actual seconds, on the 5 % longest held-out ports. */
  longest: number;
}

function errors(pairs: readonly (readonly [number, number])[]): Errors {
  const logs = pairs.map(([p, a]) => Math.abs(Math.log(p / a))).sort((x, y) => x - y);
  const byActual = [...pairs].sort((x, y) => y[1] - x[1]).slice(0, Math.max(1, Math.round(pairs.length / 20)));
  let predicted = 0;
  let actual = 0;
  for (const [p, a] of byActual) {
    predicted += p;
    actual += a;
  }
  return {
    median: logs[logs.length >> 1]!,
    mean: logs.reduce((s, x) => s + x, 0) / logs.length,
    withinTwice: logs.filter((x) => x <= Math.LN2).length / logs.length,
    longest: predicted / actual,
  };
}

export function estimatorError(graph: ParsedDepgraph, history: readonly HistoryRecord[], firstSeed: number, seeds: number): void {
  const median: [number, number][] = [];
  const names: [number, number][] = [];
  const kiln: [number, number][] = [];
  const facts = scanFacts(graph, history);
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    const random = seededRandom(seed * 7907);
    const known: HistoryRecord[] = [];
    const held: HistoryRecord[] = [];
    for (const r of history) (random.next() < HELD_OUT ? held : known).push(r);
    const byName = new Estimator(known);
    const estimator = new Estimator(known, (pkgpath) => facts.get(pkgpath));
    const medianS = byName.estimate('').wallS;
    for (const r of held) {
      if (r.wallS <= 0) continue;
      median.push([medianS, r.wallS]);
      names.push([byName.estimate(r.pkgname, r.pkgpath).wallS, r.wallS]);
      kiln.push([estimator.estimate(r.pkgname, r.pkgpath).wallS, r.wallS]);
    }
  }
  console.log(`\n## Estimates for ports the history lacks: ${HELD_OUT * 100} % of the recorded build held out, ${seeds} draws, predicted from the rest\n`);
  console.log('|x| = |ln(predicted / actual)|; "longest": predicted / actual seconds summed over the 5 % longest held-out ports.\n');
  console.log('| estimator | median |x| | mean |x| | within 2x | longest |');
  console.log('|---|---|---|---|---|');
  for (const [name, pairs] of [
    ['the history\'s median', median], ['other versions and names, else the median', names], ['kiln: those, else the scan\'s facts', kiln],
  ] as const) {
    const e = errors(pairs);
    console.log(`| ${name} | ${e.median.toFixed(3)} | ${e.mean.toFixed(3)} | ${(e.withinTwice * 100).toFixed(1)} % | ${e.longest.toFixed(3)} |`);
  }
}

/** The facts a scan gives of each recorded port: dependencies from the graph, MAKE_JOBS_SAFE from its record. */
function scanFacts(graph: ParsedDepgraph, history: readonly HistoryRecord[]): Map<string, PortFacts> {
  const ids = new Map(graph.pkgnames.map((name, id) => [name, id]));
  const record = new Map(history.map((r) => [r.pkgname, r]));
  const facts = graphFacts(graph.deps.map((list) => list.map((d) => ids.get(d)!)),
    (id) => record.get(graph.pkgnames[id]!)?.pkgpath ?? `unknown/${graph.pkgnames[id]!}`,
    (id) => (record.get(graph.pkgnames[id]!)?.makeJobs ?? 1) > 1);
  return new Map(facts.map((f) => [f.pkgpath, f]));
}
