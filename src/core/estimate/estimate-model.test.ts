import assert from 'node:assert/strict';
import { test } from 'node:test';

import { graphFacts, type PortFacts } from './estimate-model.js';
import { Estimator, type RecordedJob } from './estimator.js';

void test('graph facts: direct dependencies and the longest chain below', () => {
  // 0 <- 1 <- 2, 0 <- 3, {2,3} <- 4
  const deps = [[], [0], [1], [0], [2, 3]];
  const facts = graphFacts(deps, (id) => `c/p${id}`, (id) => id === 4);
  assert.deepEqual(facts.map((f) => [f.deps, f.depth, f.makeJobsSafe]), [[0, 0, false], [1, 1, false], [1, 2, false], [1, 1, false], [2, 3, true]]);
});

void test('graph facts: a chain deeper than the stack allows recursion for', () => {
  const deps = Array.from({ length: 200_000 }, (_, id) => (id === 0 ? [] : [id - 1]));
  assert.equal(graphFacts(deps, String, () => false)[199_999]!.depth, 199_999);
});

// A history where a port takes 20 s per dependency, ten times that in "big/".
const job = (pkgpath: string, wallS: number): RecordedJob => ({
  pkgpath, pkgname: `${pkgpath.split('/')[1]!}-1`, wallS, cpuS: wallS, makeJobs: 1, outcome: 'built',
  phases: [{ phase: 'build', wallS: wallS / 2, cpuS: wallS / 2 }],
});
const facts = new Map<string, PortFacts>();
const history: RecordedJob[] = [];
for (let i = 0; i < 60; i++) {
  const category = i % 3 === 0 ? 'big' : 'small';
  const pkgpath = `${category}/p${i}`;
  const deps = 1 + (i % 17);
  facts.set(pkgpath, { pkgpath, deps, depth: 1, makeJobsSafe: false });
  history.push(job(pkgpath, 20 * deps * (category === 'big' ? 10 : 1)));
}
facts.set('big/new', { pkgpath: 'big/new', deps: 16, depth: 1, makeJobsSafe: false });
facts.set('small/new', { pkgpath: 'small/new', deps: 2, depth: 1, makeJobsSafe: false });

void test('a port without history is guessed from its facts, far closer than the median', () => {
  const estimator = new Estimator(history, (pkgpath) => facts.get(pkgpath));
  const median = new Estimator(history).estimate('new-1', 'big/new').wallS;
  for (const [pkgpath, real] of [['big/new', 3200], ['small/new', 40]] as const) {
    const e = estimator.estimate('new-1', pkgpath);
    assert.equal(e.source, 'estimate');
    assert.ok(Math.abs(Math.log(e.wallS / real)) < 0.5, `${pkgpath}: ${e.wallS} s for ${real} s`);
    assert.ok(Math.abs(Math.log(e.wallS / real)) < Math.abs(Math.log(median / real)) / 2, `${pkgpath}: median ${median} s`);
    assert.ok(e.spread !== undefined && e.spread >= 0 && e.spread < 1);
  }
});

void test('history still comes first; with too little history, or no facts, the median', () => {
  const estimator = new Estimator(history, (pkgpath) => facts.get(pkgpath));
  assert.equal(estimator.estimate('p3-1', 'big/p3').wallS, history[3]!.wallS);
  assert.equal(estimator.estimate('p3-2', 'big/p3').wallS, history[3]!.wallS, 'another version of the same pkgpath');
  const few = new Estimator(history.slice(0, 10), (pkgpath) => facts.get(pkgpath));
  assert.equal(few.estimate('new-1', 'big/new').wallS, new Estimator(history.slice(0, 10)).estimate('new-1').wallS);
  assert.equal(estimator.estimate('other-1', 'big/other').wallS, new Estimator(history).estimate('other-1').wallS);
});

void test('graph facts: a cycle counts once along the walk, and the walk ends', () => {
  const facts = graphFacts([[1], [2], [0]], (id) => `misc/p${id}`, () => true);
  assert.deepEqual(facts.map((f) => f.depth), [2, 1, 0]);
});
