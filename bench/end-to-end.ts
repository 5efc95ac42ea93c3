// End to end: a real `kiln build` of the example tree, its wall time against
// the sum of its job times and against the ideal schedule of the same
// measured job times (the real engine on a fake clock, and the lower bound).
//
//   npm run bench:e2e [-- --jobs N] [--tree DIR | --ports N]
//
// `--ports N` builds a generated tree of N small ports instead (each needs
// up to three earlier ones): its scan takes long enough for builds to start
// before it ends.
//
// Prints measured numbers from one run; nothing here is a test.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import type { PlanEntry } from '../src/core/engine/engine.js';
import { policySet } from '../src/core/policies/policy-set.js';
import type { PackageInfo, RunEvent } from '../src/core/run-events.js';
import { seededRandom } from '../src/core/simulation/random.js';
import { simulate } from '../src/core/simulation/simulator.js';
import { RunStore } from '../src/store/run-store.js';
import { type FixturePort, makeDurableTree } from '../test/support/durable-tree.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { jobs: { type: 'string', default: '2' }, tree: { type: 'string' }, ports: { type: 'string' } } });
const jobs = Number(values.jobs);
const dir = mkdtempSync(path.join(tmpdir(), 'kiln-bench-e2e-'));
if (values.ports !== undefined) {
  const random = seededRandom(7);
  const ports: Record<string, FixturePort> = {};
  for (let i = 0; i < Number(values.ports); i++) {
    const deps = new Set<string>();
    for (let k = Math.floor(random.next() * 4); k > 0 && i > 0; k--) deps.add(`p${Math.floor(random.next() * i)}`);
    ports[`p${i}`] = { deps: [...deps] };
  }
  values.tree = path.join(dir, 'tree');
  await makeDurableTree(values.tree, ports);
}
values.tree ??= path.join(repo, 'examples');

try {
  const started = performance.now();
  const build = spawnSync(process.execPath, [path.join(repo, 'bin/kiln.js'), 'build', '--tree', values.tree, '--jobs', String(jobs),
    '--logdir', `${dir}/logs`, '--packages', `${dir}/packages`, '--plain'], { encoding: 'utf8' });
  const commandS = (performance.now() - started) / 1000;
  if (build.status !== 0 && build.status !== 1) throw new Error(`kiln build failed: ${build.stderr}`);

  const store = RunStore.openReadOnly(`${dir}/logs`);
  const events = store.readEvents(0, undefined, 1e9).map((e) => e.event);
  store.close();
  // The last `resolved` holds every package; earlier ones (`more`) came while the scan went on.
  const resolved = events.filter((e): e is Extract<RunEvent, { type: 'resolved' }> => e.type === 'resolved' && e.more !== true).at(-1)!;
  const ended = events.filter((e): e is Extract<RunEvent, { type: 'job-ended' }> => e.type === 'job-ended');
  const started0 = Math.min(...ended.map((e) => e.job.startedAt));
  const end = Math.max(...ended.map((e) => e.at));
  const runStart = events[0]!.type === 'run-started' ? events[0].at : started0;
  const measured = new Map(ended.map((e) => [e.job.pkgname, e.durationS]));
  const sumS = [...measured.values()].reduce((a, b) => a + b, 0);

  // The ideal: the same jobs, the same measured times, the same engine, on a fake clock.
  const info = new Map<string, PackageInfo>(resolved.entries.map((p) => [p.pkgname, p]));
  const plan: PlanEntry[] = resolved.entries.filter((p) => measured.has(p.pkgname)).map((p) => {
    const s = measured.get(p.pkgname)!;
    return {
      pkgname: p.pkgname, pkgpath: p.pkgpath, deps: p.depends.filter((d) => measured.has(d)), initial: { status: 'open' }, makeJobsSafe: true,
      estimate: { wallS: s, cpuS: s, buildWallS: s, buildCpuS: s, makeJobs: 1, source: 'history' },
    };
  });
  const ids = new Map(plan.map((p, i) => [p.pkgname, i]));
  const sim = simulate({
    plan, hosts: [{ name: 'localhost', slots: jobs, speed: 1, cores: jobs }], config: { ...policySet('kiln', false), maxAttempts: 1 },
    actual: (id) => measured.get(plan[id]!.pkgname)!,
  });
  // Lower bound: max(longest chain of measured times, work / slots).
  const longest = new Map<string, number>();
  const chain = (name: string): number => {
    const known = longest.get(name);
    if (known !== undefined) return known;
    const own = measured.get(name) ?? 0;
    const deps = (info.get(name)?.depends ?? []).filter((d) => ids.has(d));
    const value = own + Math.max(0, ...deps.map(chain));
    longest.set(name, value);
    return value;
  };
  const critical = Math.max(...plan.map((p) => chain(p.pkgname)));
  const bound = Math.max(critical, sumS / jobs);
  const wall = end - started0;

  const row = (label: string, value: string): void => console.log(`${label.padEnd(58)} ${value}`);
  console.log(`kiln build --tree ${path.relative(process.cwd(), values.tree) || '.'} --jobs ${jobs}: ${ended.length} jobs (${build.status === 1 ? 'some failed, as the tree means them to' : 'all built'})`);
  row('command wall time (node start to exit)', `${commandS.toFixed(2)} s`);
  row('  run start to first job', `${(started0 - runStart).toFixed(2)} s`);
  row('  run start to the end of scan + resolve', `${(resolved.at - runStart).toFixed(2)} s`);
  row('  jobs ended before the scan ended', `${ended.filter((e) => e.at <= resolved.at).length} of ${ended.length}`);
  row('build phase wall time (first job start to last job end)', `${wall.toFixed(2)} s`);
  row('sum of job times', `${sumS.toFixed(2)} s`);
  row('sum of job times / build wall time (parallelism)', `${(sumS / wall).toFixed(2)} of ${jobs} slots`);
  row('ideal schedule of the same times (engine, fake clock)', `${sim.makespanS.toFixed(2)} s`);
  row('lower bound max(critical path, work / slots)', `${bound.toFixed(2)} s (critical path ${critical.toFixed(2)} s)`);
  row('real / ideal schedule', `${(wall / sim.makespanS).toFixed(3)}`);
  row('real / lower bound', `${(wall / bound).toFixed(3)}`);
  row('coordinator overhead per job ((real - ideal) / jobs)', `${(((wall - sim.makespanS) / ended.length) * 1000).toFixed(0)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
