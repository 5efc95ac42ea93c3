import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { PlanEntry } from '../engine/engine.js';
import type { Estimate, HostSpec } from '../model.js';
import { policySet, POLICY_NAMES, type PolicyName } from '../policies/policy-set.js';
import { simulate } from './simulator.js';
import { wallAt } from '../estimate/speedup.js';

const fixed = (wallS: number, makeJobs = 1): Estimate => ({ wallS, cpuS: wallS, buildWallS: wallS, buildCpuS: wallS, makeJobs, source: 'history' });

function plan(spec: Record<string, [Estimate, string[]]>): PlanEntry[] {
  return Object.entries(spec).map(([pkgname, [estimate, deps]]) => ({
    pkgname, pkgpath: `c/${pkgname}`, deps, initial: { status: 'open' }, estimate, makeJobsSafe: estimate.makeJobs > 1,
  }));
}

/** Fixed durations: each job takes its estimate, scaled by speed as `kiln simulate` does. */
function run(entries: PlanEntry[], hosts: HostSpec[], policy: PolicyName, shared = false): number {
  const fastest = Math.max(...hosts.map((h) => h.speed));
  const result = simulate({
    plan: entries, hosts, config: { ...policySet(policy, shared), maxAttempts: 3, ...(!shared && { expect: (e: Estimate) => e.wallS }) },
    actual: shared
      ? (id, m, host) => (wallAt(entries[id]!.estimate, m) * fastest) / host.speed
      : (id, _m, host) => (entries[id]!.estimate.wallS * fastest) / host.speed,
  });
  assert.equal(result.result, 'complete');
  assert.equal(result.jobsRun, entries.length);
  return result.makespanS;
}

const host = (name: string, slots: number, speed = 1, cores = slots): HostSpec => ({ name, slots, speed, cores });

void describe('simulator: makespans computed by hand', () => {
  // a (10) -> b (20); c (15) alone.
  const small = plan({ a: [fixed(10), []], b: [fixed(20), ['a']], c: [fixed(15), []] });

  void test('two slots: a and c at 0, b at 10, done at 30', () => {
    for (const policy of POLICY_NAMES) assert.equal(run(small, [host('h', 2)], policy), 30, policy);
  });

  void test('one slot: the sum of the work, 45', () => {
    for (const policy of POLICY_NAMES) assert.equal(run(small, [host('h', 1)], policy), 45, policy);
  });

  void test('hosts of speed 1 and 2: the recorded time is the fastest host\'s, a slow host doubles it', () => {
    const one = plan({ big: [fixed(100), []] });
    const hosts = [host('slow', 1, 1), host('fast', 1, 2)];
    assert.equal(run(one, hosts, 'kiln'), 100, 'kiln puts it on the fast host');
    assert.equal(run(one, hosts, 'pbulk'), 200, 'pbulk takes the first free slot, the slow host\'s');
  });

  void test('a chain on the fast host while the slow host takes the short job', () => {
    // long (60) -> tail (60) on a fast host (sf 2) ends at 120; short (10) on the slow one takes 20.
    const entries = plan({ long: [fixed(60), []], tail: [fixed(60), ['long']], short: [fixed(10), []] });
    assert.equal(run(entries, [host('slow', 1, 1), host('fast', 1, 2)], 'kiln'), 120);
  });

  void test('a shared core budget: alone, a parallel build takes every core', () => {
    // 20 s outside the build, a build of 320 CPU seconds fully parallel (recorded 80 s at 4).
    const parallel: Estimate = { wallS: 100, cpuS: 340, buildWallS: 80, buildCpuS: 320, makeJobs: 4, source: 'history' };
    const entries = plan({ p: [parallel, []] });
    assert.equal(run(entries, [host('h', 8, 1, 8)], 'kiln', true), 20 + 320 / 8);
    assert.equal(run(entries, [host('h', 8, 1, 8)], 'pbulk', true), 340, 'even share: one make job on 8 slots of 8 cores');
  });
});
