import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Estimate, HostSpec } from '../model.js';
import { generatedGraph } from './generated-graph.js';
import { policySet, POLICY_NAMES } from '../policies/policy-set.js';
import { seededRandom } from './random.js';
import { simulate, type SimulatedJob } from './simulator.js';
import { wallAt } from '../estimate/speedup.js';

const SETUPS: { name: string; hosts: HostSpec[]; shared: boolean }[] = [
  { name: 'one host, 3 slots', hosts: [{ name: 'a', slots: 3, speed: 1, cores: 3 }], shared: false },
  { name: 'mixed speeds', hosts: [{ name: 'fast', slots: 2, speed: 3, cores: 2 }, { name: 'slow', slots: 4, speed: 1, cores: 4 }], shared: false },
  { name: 'shared cores', hosts: [{ name: 'a', slots: 6, speed: 1, cores: 8 }, { name: 'b', slots: 3, speed: 2, cores: 4 }], shared: true },
];

/** Every check of one simulated run; `deps` by pkgname. */
function checkInvariants(jobs: readonly SimulatedJob[], deps: Map<string, readonly string[]>, hosts: readonly HostSpec[]): void {
  const ended = new Map(jobs.map((j) => [j.pkgname, j.end]));
  assert.equal(ended.size, jobs.length, 'each package built once');
  for (const job of jobs) {
    for (const dep of deps.get(job.pkgname)!) {
      assert.ok(ended.get(dep)! <= job.start, `${job.pkgname} started at ${job.start} before ${dep} ended at ${ended.get(dep)}`);
    }
  }
  const byPath = new Map<string, SimulatedJob[]>();
  for (const job of jobs) byPath.set(job.pkgpath, [...(byPath.get(job.pkgpath) ?? []), job]);
  for (const [path, list] of byPath) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 1; i < list.length; i++) assert.ok(list[i - 1]!.end <= list[i]!.start, `two jobs of ${path} at once`);
  }
  for (const host of hosts) {
    // Ends before starts at the same moment: a slot freed at t is free at t.
    const changes = jobs.filter((j) => j.host === host.name)
      .flatMap((j) => [{ at: j.start, jobs: 1, cores: j.makeJobs }, { at: j.end, jobs: -1, cores: -j.makeJobs }])
      .sort((a, b) => a.at - b.at || a.jobs - b.jobs);
    let running = 0;
    let cores = 0;
    for (const c of changes) {
      running += c.jobs;
      cores += c.cores;
      assert.ok(running <= host.slots, `${host.name}: ${running} jobs on ${host.slots} slots`);
      assert.ok(cores <= host.cores, `${host.name}: ${cores} make jobs on ${host.cores} cores`);
    }
    for (const job of jobs) if (job.host === host.name) assert.ok(job.slot < host.slots && job.makeJobs >= 1);
  }
}

void test('invariants on generated graphs, every policy, fixed and shared cores, mixed speeds, noisy times', () => {
  for (const seed of [1, 2, 3, 4]) {
    const { plan, actual } = generatedGraph(seededRandom(seed), 160, 0.4);
    const deps = new Map(plan.map((p) => [p.pkgname, p.deps]));
    for (const setup of SETUPS) {
      const fastest = Math.max(...setup.hosts.map((h) => h.speed));
      for (const policy of POLICY_NAMES) {
        const result = simulate({
          plan, hosts: setup.hosts, trace: true,
          config: { ...policySet(policy, setup.shared), maxAttempts: 3, ...(!setup.shared && { expect: (e: Estimate) => e.wallS }) },
          actual: setup.shared
            ? (id, m, host) => (wallAt(actual[id]!, m) * fastest) / host.speed
            : (id, _m, host) => (actual[id]!.wallS * fastest) / host.speed,
        });
        assert.equal(result.result, 'complete', `${policy} ${setup.name} seed ${seed}`);
        checkInvariants(result.jobs, deps, setup.hosts);
      }
    }
  }
});
