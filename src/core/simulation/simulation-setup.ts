// What `kiln simulate` builds from its inputs (all parsed already): the
// plan the engine gets (estimates from `history`, never zero), the hosts,
// the policies, how long each job really takes (from `actual`), and the
// bounds no order can beat, computed on the actual times.
//
// Times: the history counts as measured on the fastest host. A job on a
// host of speed factor sf takes its recorded time * (largest sf / sf).
// Without a core budget every job takes its recorded time whatever its make
// jobs ("fixed durations"); with one, the speedup model (speedup.ts) gives
// its time for the make jobs it gets. A package of the graph with no actual
// record was not built by that run (already built, or blocked by a
// failure): it takes 0 s.

import type { ParsedDepgraph } from '../formats/depgraph.js';
import type { EngineConfig, PlanEntry } from '../engine/engine.js';
import { graphFacts, type PortFacts } from '../estimate/estimate-model.js';
import { Estimator } from '../estimate/estimator.js';
import { BuildGraph } from '../resolve/graph.js';
import { criticalPath } from '../resolve/graph-paths.js';
import type { HistoryRecord } from '../formats/history-csv.js';
import type { HostLine } from '../formats/hosts-spec.js';
import type { Estimate, HostSpec, PkgPath } from '../model.js';
import { policySet, type PolicyName } from '../policies/policy-set.js';
import type { SimulationSetup } from './simulator.js';
import { wallAt, type BuildTiming } from '../estimate/speedup.js';

export interface SimulationInput {
  readonly graph: ParsedDepgraph;
  readonly history: readonly HistoryRecord[];
  /** How long jobs really take; the history when not given. */
  readonly actual?: readonly HistoryRecord[];
  readonly slots?: number;
  readonly cores?: number;
  readonly hosts?: readonly HostLine[];
  readonly policy: PolicyName;
  /** With a core budget: model kiln's make jobserver (free cores lent to running jobs). */
  readonly jobserver?: boolean;
}

export interface SimulationBounds {
  /** Longest chain of actual times, on the fastest host. */
  readonly criticalPathS: number;
  /** Sum of actual times, on the fastest host. */
  readonly workS: number;
  /** max(critical path, work / slots), slots counted in fastest-host equivalents. */
  readonly lowerBoundS: number;
  readonly slots: number;
  /** The core budget, or null when jobs take fixed times. */
  readonly cores: number | null;
  /**
   * With a core budget: max(critical path with every MAKE_JOBS_SAFE job at
   * the largest host's cores, least core-seconds of all jobs / cores). Null otherwise.
   */
  readonly coreBoundS: number | null;
}

export interface PreparedSimulation {
  readonly setup: SimulationSetup;
  readonly bounds: SimulationBounds;
}

const NOT_BUILT: BuildTiming = { wallS: 0, cpuS: 0, buildWallS: 0, buildCpuS: 0, makeJobs: 1 };

export function prepareSimulation(input: SimulationInput): PreparedSimulation {
  const shared = input.cores !== undefined || (input.hosts ?? []).some((h) => h.cores !== undefined);
  const hosts = hostSpecs(input, shared);
  const fastest = Math.max(...hosts.map((h) => h.speed));
  const actualOf = new Estimator(input.actual ?? input.history);
  const { pkgnames, deps } = input.graph;
  const estimator = new Estimator(input.history, scannedFacts(input, actualOf));
  const actual: BuildTiming[] = pkgnames.map((name) => {
    const record = actualOf.recorded(name);
    return record ? actualOf.estimate(name) : NOT_BUILT;
  });
  const plan: PlanEntry[] = pkgnames.map((pkgname, id) => {
    const pkgpath = estimator.recorded(pkgname)?.pkgpath || actualOf.recorded(pkgname)?.pkgpath || pseudoPath(pkgname);
    const estimate = scaled(estimator.estimate(pkgname, pkgpath), fastest);
    return { pkgname, pkgpath, deps: deps[id]!, initial: { status: 'open' }, estimate, makeJobsSafe: estimate.makeJobs > 1 };
  });
  const config: EngineConfig = {
    ...policySet(input.policy, shared), maxAttempts: 3,
    ...(!shared && { expect: (e: Estimate) => e.wallS }),
  };
  const real = shared
    ? (id: number, makeJobs: number, host: HostSpec): number => (wallAt(actual[id]!, makeJobs) * fastest) / host.speed
    : (id: number, _makeJobs: number, host: HostSpec): number => (actual[id]!.wallS * fastest) / host.speed;
  const jobserver = shared && input.jobserver === true;
  return { setup: { plan, hosts, config, actual: real, ...(jobserver && { jobserver, cpuSeconds: (id: number, host: HostSpec) => (actual[id]!.cpuS * fastest) / host.speed }) }, bounds: bounds(plan, actual, hosts, fastest, shared) };
}

/**
 * What a scan would know of each port of the graph, by pkgpath: its
 * dependencies, and MAKE_JOBS_SAFE (here: whether its actual record used
 * several make jobs). A port of the history missing from the graph has none,
 * nor has a package of the graph that no record knows.
 */
function scannedFacts(input: SimulationInput, actualOf: Estimator): (pkgpath: PkgPath) => PortFacts | undefined {
  let byPath: Map<PkgPath, PortFacts> | undefined;
  return (pkgpath) => {
    if (!byPath) {
      const { pkgnames, deps } = input.graph;
      const ids = new Map(pkgnames.map((name, id) => [name, id]));
      const known = new Estimator(input.history);
      const pathOf = (id: number): PkgPath => actualOf.recorded(pkgnames[id]!)?.pkgpath || known.recorded(pkgnames[id]!)?.pkgpath || pseudoPath(pkgnames[id]!);
      const facts = graphFacts(deps.map((list) => list.map((d) => ids.get(d)!)), pathOf,
        (id) => ((actualOf.recorded(pkgnames[id]!) ?? known.recorded(pkgnames[id]!))?.makeJobs ?? 1) > 1);
      // A package no record knows was already built in the recorded run: a real run would find it current, not guess it.
      byPath = new Map(facts.filter((_, id) => actualOf.recorded(pkgnames[id]!) ?? known.recorded(pkgnames[id]!)).map((f) => [f.pkgpath, f]));
    }
    return byPath.get(pkgpath);
  };
}

function hostSpecs(input: SimulationInput, shared: boolean): HostSpec[] {
  if (input.hosts && input.hosts.length > 0) {
    return input.hosts.map((h) => {
      const cores = shared ? h.cores ?? input.cores ?? h.slots : h.slots;
      return {
        name: h.name, slots: h.slots, speed: h.speed, cores, ...(h.memoryMiB !== undefined && { memoryMiB: h.memoryMiB }),
        ...(h.features !== undefined && { features: h.features }), ...(h.mandatory !== undefined && { mandatory: h.mandatory }),
      };
    });
  }
  const slots = input.slots ?? input.cores ?? 8;
  return [{ name: 'localhost', slots, speed: 1, cores: shared ? input.cores ?? slots : slots }];
}

function bounds(plan: readonly PlanEntry[], actual: readonly BuildTiming[], hosts: readonly HostSpec[], fastest: number,
  shared: boolean): SimulationBounds {
  const graph = BuildGraph.from(plan);
  const criticalPathS = criticalPath(graph, (id) => actual[id]!.wallS);
  let workS = 0;
  for (const t of actual) workS += t.wallS;
  let slots = 0;
  let equivalentSlots = 0;
  let cores = 0;
  let equivalentCores = 0;
  let largest = 1;
  for (const h of hosts) {
    slots += h.slots;
    equivalentSlots += (h.slots * h.speed) / fastest;
    cores += h.cores;
    equivalentCores += (h.cores * h.speed) / fastest;
    largest = Math.max(largest, h.cores);
  }
  const lowerBoundS = Math.max(criticalPathS, workS / equivalentSlots);
  if (!shared) return { criticalPathS, workS, lowerBoundS, slots, cores: null, coreBoundS: null };
  const widest = criticalPath(graph, (id) => wallAt(actual[id]!, plan[id]!.makeJobsSafe ? largest : actual[id]!.makeJobs));
  let least = 0;
  for (let id = 0; id < actual.length; id++) least += wallAt(actual[id]!, 1);
  return { criticalPathS, workS, lowerBoundS, slots, cores, coreBoundS: Math.max(widest, least / equivalentCores) };
}

/** An estimate at speed 1 from one measured on a host of speed `speed`. */
function scaled(e: Estimate, speed: number): Estimate {
  if (speed === 1) return e;
  return { ...e, wallS: e.wallS * speed, cpuS: e.cpuS * speed, buildWallS: e.buildWallS * speed, buildCpuS: e.buildCpuS * speed };
}

/**
 * A stand-in pkgpath for a package the history does not know: one of its
 * own (two versions of a name, nodejs-20 and nodejs-24, are two pkgpaths).
 */
function pseudoPath(pkgname: string): string {
  return `unknown/${pkgname}`;
}
