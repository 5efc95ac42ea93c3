import assert from 'node:assert/strict';
import { test } from 'node:test';

import { generatedGraph } from '../simulation/generated-graph.js';
import { BuildGraph } from './graph.js';
import { criticalChain, criticalPath, forEachDependentSet, popcount, tails, weightedSum } from './graph-paths.js';
import { seededRandom } from '../simulation/random.js';

const graphOf = (spec: Record<string, string[]>): BuildGraph =>
  BuildGraph.from(Object.entries(spec).map(([pkgname, deps]) => ({ pkgname, pkgpath: `c/${pkgname}`, deps })));

//   a(1) -> b(5) -> d(1)
//   a(1) -> c(2) -> d(1)
//   e(7)
const diamond = graphOf({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'], e: [] });
const seconds = [1, 5, 2, 1, 7];

void test('tails: the longest path from a job\'s start to the end, itself included', () => {
  assert.deepEqual([...tails(diamond, (id) => seconds[id]!)], [7, 6, 3, 1, 7]);
  assert.equal(criticalPath(diamond, (id) => seconds[id]!), 7);
  assert.deepEqual(criticalChain(diamond, (id) => seconds[id]!).map((id) => diamond.pkgnames[id]), ['a', 'b', 'd']);
});

void test('dependent sets: each job\'s transitive dependents, matched against a walk on generated graphs', () => {
  for (const seed of [1, 2, 3]) {
    const { plan } = generatedGraph(seededRandom(seed), 300);
    const graph = BuildGraph.from(plan);
    const weight = Float64Array.from(plan, (p) => p.estimate.wallS);
    forEachDependentSet(graph, (id, bits) => {
      const seen = new Set<number>();
      const stack = [...graph.dependents[id]!];
      while (stack.length > 0) {
        const d = stack.pop()!;
        if (seen.has(d)) continue;
        seen.add(d);
        stack.push(...graph.dependents[d]!);
      }
      assert.equal(bits ? popcount(bits) : 0, seen.size, `count of ${id}`);
      const sum = [...seen].reduce((s, d) => s + weight[d]!, 0);
      assert.ok(Math.abs((bits ? weightedSum(bits, weight) : 0) - sum) < 1e-6, `weight of ${id}`);
    });
  }
});
