// Schedule quality and engine speed, measured in one run on the real data of
// ../shared/data/pkgsrc-smartos (a 1,669-package SmartOS bulk build and the
// 202,958-edge graph of the whole tree). Prints tables with the targets of
// the scheduling issue. Not a test: it prints ratios, it does not judge
// them by time. `npm run bench:schedule`; KILN_DATA=DIR for another data dir;
// KILN_BENCH_SEEDS=N for N noisy runs per scenario (default 8),
// KILN_BENCH_SIGMAS=0.15,0.3,0.6,1 for other spreads of noise (default 0.3,0.6).

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

import { parseDepgraph, type ParsedDepgraph } from '../src/core/formats/depgraph.js';
import { Estimator } from '../src/core/estimate/estimator.js';
import { parseHistoryCsv, type HistoryRecord } from '../src/core/formats/history-csv.js';
import { noisyHistory } from '../src/core/simulation/history-noise.js';
import { parseHostsSpec, type HostLine } from '../src/core/formats/hosts-spec.js';
import { POLICY_NAMES, type PolicyName } from '../src/core/policies/policy-set.js';
import { seededRandom } from '../src/core/simulation/random.js';
import { prepareSimulation, type SimulationInput } from '../src/core/simulation/simulation-setup.js';
import { simulate } from '../src/core/simulation/simulator.js';
import { jobserverBound } from './jobserver-bound.js';

const DATA = process.env['KILN_DATA'] ?? new URL('../../../shared/data/pkgsrc-smartos/', import.meta.url).pathname;
const SEEDS = Number(process.env['KILN_BENCH_SEEDS'] ?? 8);
const SIGMAS = (process.env['KILN_BENCH_SIGMAS'] ?? '0.3,0.6').split(',').map(Number);
const ANCHORS: PolicyName[] = ['pbulk', 'dpb', 'poudriere'];
/** Makespans within this fraction count as equal (0.01 %: about 6 s in 16 h). */
const TIE = 1e-4;
const HOUR = 3600;

const read = (file: string): string => gunzipSync(readFileSync(DATA + file)).toString('utf8');
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const f = (x: number, digits = 4): string => x.toFixed(digits);
const hosts = (text: string): HostLine[] => parseHostsSpec(text.replace(/ \+ /g, '\n')).hosts;

type Scenario = Omit<SimulationInput, 'graph' | 'history' | 'policy'> & { readonly name: string };

function ratio(graph: ParsedDepgraph, history: HistoryRecord[], scenario: Scenario, policy: PolicyName): { ratio: number; makespanS: number; boundS: number } {
  const prepared = prepareSimulation({ ...scenario, graph, history, policy });
  const result = simulate(prepared.setup);
  return { ratio: result.makespanS / prepared.bounds.lowerBoundS, makespanS: result.makespanS, boundS: prepared.bounds.lowerBoundS };
}

function exactHistory(graph: ParsedDepgraph, history: HistoryRecord[]): void {
  console.log('\n## 1. Exact history, fixed durations: makespan / lower bound (max(critical path, work / slots))\n');
  console.log('| slots | bound h | kiln | pbulk | dpb | poudriere | target (kiln) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const slots of [4, 8, 16, 32]) {
    const row = POLICY_NAMES.map((policy) => ratio(graph, history, { name: `${slots}`, slots }, policy));
    const target = slots <= 8 ? (row[0]!.ratio <= 1.005 ? '<= 1.005: met' : '<= 1.005: MISSED') : '';
    console.log(`| ${slots} | ${f(row[0]!.boundS / HOUR, 2)} | ${row.map((r) => f(r.ratio)).join(' | ')} | ${target} |`);
  }
}

/** Hosts files, one host per ' + '. */
const MIXED = [
  'fast jobs=4 sf=2 + slow jobs=4 sf=1',
  'fast jobs=2 sf=3 + mid jobs=4 sf=2 + slow jobs=8 sf=1',
  'a jobs=8 sf=1.5 + b jobs=8 sf=1',
  'big jobs=4 sf=4 + small jobs=16 sf=1',
  'a jobs=6 sf=1.25 + b jobs=6 sf=1 + c jobs=6 sf=0.75',
];

function mixedHosts(graph: ParsedDepgraph, history: HistoryRecord[]): void {
  console.log('\n## 2. Mixed hosts (a job takes its recorded time * largest sf / its host\'s sf), exact history\n');
  console.log('| hosts | kiln | pbulk | dpb | poudriere |');
  console.log('|---|---|---|---|---|');
  for (const text of MIXED) {
    const row = POLICY_NAMES.map((policy) => ratio(graph, history, { name: text, hosts: hosts(text) }, policy));
    console.log(`| ${text} | ${row.map((r) => f(r.ratio)).join(' | ')} |`);
  }
}

/**
 * A scenario is a host layout and a spread of noise; its seeds are draws of
 * it. kiln must not be worse than the best anchor in any scenario: its mean
 * over the seeds is held against the best anchor's mean and, stricter,
 * against the mean of each seed's best anchor (an oracle that picks, after
 * the fact, whichever anchor was luckiest on that draw). Seed by seed no
 * order that decides before the actual times are known can always win:
 * where kiln and an anchor differ, some draw makes the job the anchor
 * favoured run long. Those runs are listed, not judged.
 */
function noisy(graph: ParsedDepgraph, history: HistoryRecord[]): void {
  console.log(`\n## 5. Actual times off the history (each job * exp(sigma * N(0,1)), ${SEEDS} seeds): kiln against the best anchor\n`);
  console.log('Ratios are makespan / lower bound on the actual times, as means over the seeds. "Best anchor" is the anchor policy with the lowest mean;');
  console.log('"each seed\'s best" takes, seed by seed, whichever anchor did best. "Worst" is kiln / each seed\'s best over the seeds.\n');
  console.log('| scenario | sigma | kiln | best anchor | each seed\'s best | seeds kiln <= that seed\'s best | worst kiln / best | target |');
  console.log('|---|---|---|---|---|---|---|---|');
  const scenarios: Scenario[] = [
    ...[4, 8, 16, 32].map((slots) => ({ name: `${slots} slots`, slots })),
    ...MIXED.map((text) => ({ name: text, hosts: hosts(text) })),
  ];
  let wins = 0;
  let ties = 0;
  let total = 0;
  let met = 0;
  let rows = 0;
  const losses: string[] = [];
  for (const scenario of scenarios) {
    for (const sigma of SIGMAS) {
      let kilnSum = 0;
      let oracleSum = 0;
      const anchorSums = ANCHORS.map(() => 0);
      let ok = 0;
      let worst = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const actual = noisyHistory(history, sigma, seededRandom(seed * 7919 + Math.round(sigma * 100)));
        const kiln = ratio(graph, history, { ...scenario, actual }, 'kiln').ratio;
        const anchors = ANCHORS.map((policy) => ratio(graph, history, { ...scenario, actual }, policy).ratio);
        anchors.forEach((r, i) => (anchorSums[i]! += r));
        const best = Math.min(...anchors);
        kilnSum += kiln;
        oracleSum += best;
        worst = Math.max(worst, kiln / best);
        total++;
        if (kiln <= best * (1 + TIE)) ok++;
        if (kiln < best * (1 - TIE)) wins++;
        else if (kiln <= best * (1 + TIE)) ties++;
        else losses.push(`${scenario.name}, sigma ${sigma}, seed ${seed}: kiln ${f(kiln)}, best anchor ${f(best)}`);
      }
      const bestAnchor = Math.min(...anchorSums);
      const name = ANCHORS[anchorSums.indexOf(bestAnchor)]!;
      const kept = kilnSum <= oracleSum * (1 + TIE);
      rows++;
      if (kept) met++;
      console.log(`| ${scenario.name} | ${sigma} | ${f(kilnSum / SEEDS)} | ${f(bestAnchor / SEEDS)} (${name}) | ${f(oracleSum / SEEDS)} | ${ok}/${SEEDS} | ${f(worst)} | ${kept ? 'met' : 'MISSED'} |`);
    }
  }
  console.log(`\nTarget: in every scenario, kiln's mean no worse than each seed's best anchor: ${met === rows ? 'met' : 'MISSED'} (${met} of ${rows} scenarios).`);
  console.log(`Seed by seed (not judged): kiln better than that seed's best anchor in ${wins} of ${total} runs, equal (within ${TIE * 100} %) in ${ties}, worse in ${losses.length}.`);
  for (const loss of losses) console.log(`  worse: ${loss}`);
}

function sharedCores(graph: ParsedDepgraph, history: HistoryRecord[]): void {
  const fixedBound = prepareSimulation({ graph, history, policy: 'kiln', slots: 8 }).bounds.lowerBoundS;
  console.log(`\n## 3. Shared cores, 2 hosts x 16 cores: kiln's makespan against the ${f(fixedBound / HOUR, 2)} h fixed-duration bound\n`);
  console.log('core bound: max(critical path with every MAKE_JOBS_SAFE job at 16 make jobs, least core-seconds / 32 cores).');
  console.log('"jobserver": kiln\'s per-host make jobserver modelled (free cores lent to running jobs as they run, simulated-jobserver.ts);');
  console.log('its own bound (bench/jobserver-bound.ts) charges a job its CPU seconds, not make jobs x wall time, and is lower.\n');
  console.log('| hosts | kiln h | kiln / fixed bound | core bound h | kiln / core bound | kiln + jobserver h | that / core bound | jobserver bound h | that / it | dpb h (even make jobs) | target |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const jobs of [16, 8, 4]) {
    const text = `a jobs=${jobs} cores=16 + b jobs=${jobs} cores=16`;
    const prepared = prepareSimulation({ graph, history, policy: 'kiln', hosts: hosts(text) });
    const kiln = simulate(prepared.setup).makespanS;
    const withServer = prepareSimulation({ graph, history, policy: 'kiln', hosts: hosts(text), jobserver: true });
    const moving = simulate(withServer.setup).makespanS;
    const serverBound = jobserverBound(withServer);
    const dpb = simulate(prepareSimulation({ graph, history, policy: 'dpb', hosts: hosts(text) }).setup).makespanS;
    const core = prepared.bounds.coreBoundS!;
    const target = jobs === 16 ? (kiln <= 0.6 * fixedBound ? '<= 0.6: met' : '<= 0.6: MISSED')
      : jobs === 8 ? `jobserver <= 1.10 x core bound: ${moving <= 1.1 * core ? 'met' : 'MISSED'}` : '';
    console.log(`| ${text} | ${f(kiln / HOUR, 2)} | ${f(kiln / fixedBound, 3)} | ${f(core / HOUR, 2)} | ${f(kiln / core, 3)} | ${f(moving / HOUR, 2)} | ${f(moving / core, 3)} | ${f(serverBound / HOUR, 2)} | ${f(moving / serverBound, 3)} | ${f(dpb / HOUR, 2)} | ${target} |`);
  }
}

/** Ordinary hosts and one of many cores, with and without its class (policies/big-parallel.ts). */
const CLASSED = [
  'a jobs=4 cores=4 + b jobs=4 cores=4 + big jobs=1 cores=16',
  'a jobs=2 cores=4 + b jobs=2 cores=4 + c jobs=2 cores=4 + d jobs=2 cores=4 + big jobs=2 cores=32',
  'a jobs=8 cores=8 + big jobs=2 cores=32',
];

function hostClasses(graph: ParsedDepgraph, history: HistoryRecord[]): void {
  console.log('\n## 3b. Host classes: the last host as it is, with features=big-parallel, and with mandatory=big-parallel too (hours)\n');
  console.log('Big-parallel by history: >= 3 cores busy over >= 10 min of build CPU (75 of the 1,669 recorded ports).');
  console.log('kiln\'s own placement already gives a job the host with the cores its plan wants; pbulk and dpb place on any free slot.\n');
  console.log('| hosts | policy | no class h | features= h | that / no class | mandatory= h | that / no class |');
  console.log('|---|---|---|---|---|---|---|');
  for (const text of CLASSED) {
    for (const policy of ['kiln', 'pbulk', 'dpb'] as const) {
      const run = (suffix: string): number => simulate(prepareSimulation({ graph, history, policy, hosts: hosts(text + suffix) }).setup).makespanS;
      const plain = run('');
      const offered = run(' features=big-parallel');
      const kept = run(' features=big-parallel mandatory=big-parallel');
      console.log(`| ${text} | ${policy} | ${f(plain / HOUR, 2)} | ${f(offered / HOUR, 2)} | ${f(offered / plain, 3)} | ${f(kept / HOUR, 2)} | ${f(kept / plain, 3)} |`);
    }
  }
}

function engineSpeed(history: HistoryRecord[]): void {
  const wall0 = performance.now();
  const cpu0 = cpu();
  const graph = parseDepgraph(read('depgraph.gz'));
  // Every package of the tree takes its estimate (its record, a similar port's, or the median).
  const estimator = new Estimator(history);
  const actual: HistoryRecord[] = graph.pkgnames.map((pkgname) => {
    const e = estimator.estimate(pkgname);
    return {
      // An empty pkgpath: kiln simulate names it after the pkgname.
      pkgpath: estimator.recorded(pkgname)?.pkgpath ?? '', pkgname, host: '', makeJobs: e.makeJobs, outcome: 'built',
      wallS: e.wallS, cpuS: e.cpuS, phases: [{ phase: 'build', wallS: e.buildWallS, cpuS: e.buildCpuS }], logBytes: undefined, at: 0,
    };
  });
  const prepared = prepareSimulation({ graph, history, actual, policy: 'kiln', slots: 512 });
  const result = simulate({ ...prepared.setup, cpuClock: cpu });
  const wall = (performance.now() - wall0) / 1000;
  const used = cpu() - cpu0;
  console.log('\n## 4. Engine speed: the whole tree (depgraph.gz), 512 slots, every job at its estimate\n');
  console.log('| packages | edges | events | engine CPU s | engine us / event | whole simulated build: wall s (CPU s) | makespan / bound | target |');
  console.log('|---|---|---|---|---|---|---|---|');
  console.log(`| ${graph.pkgnames.length} | ${graph.edges} | ${result.events} | ${f(result.engineS, 3)} | ${f((result.engineS * 1e6) / result.events, 1)} | ${f(wall, 2)} (${f(used, 2)}) | ${f(result.makespanS / prepared.bounds.lowerBoundS)} | <= 2 s wall: ${wall <= 2 ? 'met' : 'MISSED'} |`);
  console.log('\n(The wall time includes gunzip, parsing, estimates, bounds and the simulation. The machine is shared: CPU seconds are the steadier figure.)');
  console.log('\nThe same whole tree on 32 slots (work / slots just above the critical path): makespan / lower bound\n');
  console.log('| slots | kiln | pbulk | dpb | poudriere |');
  console.log('|---|---|---|---|---|');
  const row = POLICY_NAMES.map((policy) => {
    const p = prepareSimulation({ graph, history, actual, policy, slots: 32 });
    return f(simulate(p.setup).makespanS / p.bounds.lowerBoundS);
  });
  console.log(`| 32 | ${row.join(' | ')} |`);
}

function main(): void {
  const started = performance.now();
  const graph = parseDepgraph(read('depgraph-bulk-large.gz'));
  const history = parseHistoryCsv(read('history-bulk-large.gz')).records;
  console.log(`# kiln scheduling benchmark: ${graph.pkgnames.length} packages, ${graph.edges} edges, ${history.length} recorded jobs`);
  exactHistory(graph, history);
  mixedHosts(graph, history);
  sharedCores(graph, history);
  hostClasses(graph, history);
  engineSpeed(history);
  noisy(graph, history);
  console.log(`\n(benchmark ran ${f((performance.now() - started) / 1000, 1)} s)`);
}

main();
