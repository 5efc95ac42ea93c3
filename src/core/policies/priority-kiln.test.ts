import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BuildGraph } from '../resolve/graph.js';
import type { Estimate } from '../model.js';
import { wallAt } from '../estimate/speedup.js';
import { kilnPriority } from './priority-kiln.js';

const est = (wallS: number): Estimate => ({ wallS, cpuS: wallS, buildWallS: wallS, buildCpuS: wallS, makeJobs: 1, source: 'history' });

function scores(spec: Record<string, [number, string[]]>, capacity?: number): Record<string, number> {
  const entries = Object.entries(spec);
  const graph = BuildGraph.from(entries.map(([pkgname, [, deps]]) => ({ pkgname, pkgpath: `c/${pkgname}`, deps })));
  const s = kilnPriority.priorities(graph, entries.map(([, [w]]) => est(w)), { expect: wallAt, ...(capacity !== undefined && { capacity }) });
  return Object.fromEntries(graph.pkgnames.map((name, id) => [name, s[id]!]));
}

const first = (s: Record<string, number>): string => Object.entries(s).sort((a, b) => b[1] - a[1])[0]![0];

void test('a deep chain starts before a wide fan of the same work: fan-out runs in parallel, a chain does not', () => {
  // a -> b -> c, 10 s each; x -> five packages of 4 s each.
  const s = scores({
    a: [10, []], b: [10, ['a']], c: [10, ['b']], x: [10, []],
    f1: [4, ['x']], f2: [4, ['x']], f3: [4, ['x']], f4: [4, ['x']], f5: [4, ['x']],
  }, 4);
  assert.equal(first(s), 'a');
  assert.ok(Math.abs(s.a! - 30) < 0.01 && Math.abs(s.x! - 14) < 0.01, JSON.stringify(s));
});

void test('a long job with nothing behind it starts before a short chain', () => {
  // p: 100 s alone; q (10 s) -> r (10 s). One slot: p first loses nothing; two: p first ends at 100, q first at 100 too.
  assert.equal(first(scores({ p: [100, []], q: [10, []], r: [10, ['q']] }, 2)), 'p');
});

void test('on few slots, much work behind a job outweighs a longer path', () => {
  // w (10 s) is needed by ten 10 s packages: 110 s of work, a 20 s path.
  // z is a 40 s chain. On two slots w's dependents need 55 s; on eight, 13.75 s.
  const spec: Record<string, [number, string[]]> = { z: [20, []], z2: [20, ['z']], w: [10, []] };
  for (let i = 0; i < 10; i++) spec[`d${i}`] = [10, ['w']];
  assert.equal(first(scores(spec, 2)), 'w');
  assert.equal(first(scores(spec, 8)), 'z');
  assert.equal(first(scores(spec)), 'z', 'before any host is up: the path alone');
});

void test('equal paths: the job with more work behind it first', () => {
  // m (5 s) -> n (5 s) and m -> o (1 s); k (5 s) -> l (5 s): both paths 10 s.
  const s = scores({ k: [5, []], l: [5, ['k']], m: [5, []], n: [5, ['m']], o: [1, ['m']] });
  assert.ok(s.m! > s.k!, JSON.stringify(s));
  assert.ok(s.m! - s.k! < 0.01, 'only a tie-break');
});

void test('with a core plan, durations are the planned make jobs\' times', () => {
  const graph = BuildGraph.from([{ pkgname: 'big', pkgpath: 'c/big', deps: [] }, { pkgname: 'small', pkgpath: 'c/small', deps: [] }]);
  const big: Estimate = { wallS: 1000, cpuS: 3600, buildWallS: 900, buildCpuS: 3600, makeJobs: 4, source: 'history' };
  const s = kilnPriority.priorities(graph, [big, est(500)], { expect: wallAt, makeJobs: Int32Array.from([16, 1]) });
  assert.ok(Math.abs(s[0]! - wallAt(big, 16)) < 0.01, `${s[0]} vs ${wallAt(big, 16)}`);
  assert.ok(s[0]! < s[1]!, 'sixteen make jobs make the big job shorter than the small one');
});

void test('a guessed time counts at its long side: an unknown port starts before a recorded one of the same estimate', () => {
  const graph = BuildGraph.from([{ pkgname: 'known', pkgpath: 'c/known', deps: [] }, { pkgname: 'new', pkgpath: 'c/new', deps: [] },
    { pkgname: 'median', pkgpath: 'c/median', deps: [] }]);
  const guessed: Estimate = { ...est(100), source: 'estimate', spread: 0.8 };
  const median: Estimate = { ...est(100), source: 'estimate' };
  const s = kilnPriority.priorities(graph, [est(100), guessed, median], { expect: wallAt });
  assert.ok(Math.abs(s[1]! - 100 * Math.exp(0.8)) < 0.01, `guess: ${s[1]}`);
  assert.ok(Math.abs(s[0]! - 100) < 0.01 && Math.abs(s[2]! - 100) < 0.01, 'recorded, and the median (no spread): as they are');
});
