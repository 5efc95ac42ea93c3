// The ports of bench/fetch-order.ts, shaped like a real farm's: `count`
// ports taken from the real 1,669-package SmartOS bulk build of
// ../shared/data/pkgsrc-smartos (a random dependency-closed part of its
// graph, each port its recorded build time divided by `scale`), each with
// one distfile on one of `sites` sites. There is no record of distfile
// sizes: a port's is drawn to grow with the square root of its build time
// (a long build has a larger source, not one in proportion), spread by a
// log-normal factor, at least 2 kB; the sites' shares fall as 1/k (one
// large site, a long tail), as the real MASTER_SITES of a tree do.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

import { parseDepgraph } from '../src/core/formats/depgraph.js';
import { parseHistoryCsv } from '../src/core/formats/history-csv.js';
import type { Random } from '../src/core/simulation/random.js';

export interface FarmPort {
  readonly name: string;
  readonly deps: readonly string[];
  readonly delayS: number;
  readonly bytes: number;
  readonly site: number;
}

const DATA = process.env['KILN_DATA'] ?? new URL('../../../shared/data/pkgsrc-smartos/', import.meta.url).pathname;
const read = (file: string): string => gunzipSync(readFileSync(DATA + file)).toString('utf8');

/** `bytesPerRootS`: a port that builds in 1 s (after scaling) has a distfile of about this many bytes. */
export function farmPorts(count: number, scale: number, sites: number, bytesPerRootS: number, random: Random): FarmPort[] {
  const graph = parseDepgraph(read('depgraph-bulk-large.gz'));
  const wall = new Map(parseHistoryCsv(read('history-bulk-large.gz')).records.map((r) => [r.pkgname, r.wallS]));
  // A random topological order of the real graph; its first `count` are closed under dependencies.
  const dependents = graph.pkgnames.map((): number[] => []);
  const ids = new Map(graph.pkgnames.map((name, id) => [name, id]));
  const pending = graph.deps.map((deps) => deps.length);
  graph.deps.forEach((deps, id) => deps.forEach((d) => dependents[ids.get(d)!]!.push(id)));
  const free = pending.flatMap((n, id) => (n === 0 ? [id] : []));
  const order: number[] = [];
  while (order.length < Math.min(count, graph.pkgnames.length) && free.length > 0) {
    const id = free.splice(random.below(free.length), 1)[0]!;
    order.push(id);
    for (const d of dependents[id]!) if ((pending[d] = pending[d]! - 1) === 0) free.push(d);
  }
  const name = new Map(order.map((id, i) => [id, `p${i}`]));
  // Only the direct dependencies that no other one already brings (the same order, fewer packages to install per job).
  const below = new Map<number, Set<number>>();
  const weights = Array.from({ length: sites }, (_, k) => 1 / (k + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  return order.map((id) => {
    const deps = graph.deps[id]!.map((d) => ids.get(d)!);
    const all = new Set<number>(deps.flatMap((d) => [d, ...below.get(d)!]));
    below.set(id, all);
    const direct = deps.filter((d) => !deps.some((o) => o !== d && below.get(o)!.has(d)));
    const delayS = Math.round((100 * (wall.get(graph.pkgnames[id]!) ?? 0)) / scale) / 100;
    const bytes = Math.max(2000, Math.round(bytesPerRootS * Math.sqrt(delayS + 0.05) * Math.exp(0.7 * random.normal())));
    let pick = random.next() * total;
    const site = weights.findIndex((w) => (pick -= w) < 0);
    return { name: name.get(id)!, deps: direct.map((d) => name.get(d)!), delayS, bytes, site: site < 0 ? sites - 1 : site };
  });
}
