// The simulator: the real Engine, fed by a fake clock. Jobs end when the
// `actual` function says (their real duration for the make jobs and host
// they got), one `job-ended` event at a time in order of time, ties in the
// order they started. Every job succeeds: the simulator measures order,
// not failure handling. It measures the engine's CPU time when given a CPU
// clock.

import type { EngineCommand, Job } from '../engine/engine-events.js';
import { Engine, type EngineConfig, type PlanEntry } from '../engine/engine.js';
import type { HostSpec } from '../model.js';
import { SimulatedJobserver } from './simulated-jobserver.js';

export interface SimulationSetup {
  readonly plan: readonly PlanEntry[];
  readonly hosts: readonly HostSpec[];
  readonly config: EngineConfig;
  /** Real seconds of plan entry `id` with `makeJobs` make jobs on `host`. */
  readonly actual: (id: number, makeJobs: number, host: HostSpec) => number;
  /** A CPU clock in seconds; the engine's time is measured with it. */
  readonly cpuClock?: () => number;
  /** Keep every job in the result (for tests). */
  readonly trace?: boolean;
  /**
   * Model kiln's per-host make jobserver (simulated-jobserver.ts): free cores
   * are lent to running jobs, and a job's make jobs change as it runs.
   */
  readonly jobserver?: boolean;
  /** With the jobserver: the CPU seconds of plan entry `id` on `host`. */
  readonly cpuSeconds?: (id: number, host: HostSpec) => number;
}

/** One job as it ran in the simulation. */
export interface SimulatedJob extends Pick<Job, 'id' | 'pkgname' | 'pkgpath' | 'host' | 'slot' | 'makeJobs'> {
  readonly start: number;
  readonly end: number;
  /** With the jobserver: the most make jobs it ran with at any time. */
  readonly mostMakeJobs?: number;
}

export interface SimulationResult {
  readonly makespanS: number;
  readonly result: 'complete' | 'stopped';
  /** Events handed to the engine, begin() included. */
  readonly events: number;
  /**
   * CPU seconds of the engine: its construction and every event, measured
   * around the whole run (the fake clock's own heap of job ends is in it,
   * a few percent). 0 without a CPU clock.
   */
  readonly engineS: number;
  readonly jobsRun: number;
  /** Cores held by jobs, summed over time: sum of make jobs * seconds. */
  readonly coreSeconds: number;
  readonly jobs: readonly SimulatedJob[];
}

interface Ending {
  readonly at: number;
  readonly seq: number;
  readonly job: SimulatedJob;
}

export function simulate(setup: SimulationSetup): SimulationResult {
  const clock = setup.cpuClock;
  const built = clock?.() ?? 0;
  const engine = new Engine(setup.plan, setup.config);
  const hosts = new Map(setup.hosts.map((h) => [h.name, h]));
  const queue = new EndingQueue();
  const jobs: SimulatedJob[] = [];
  let events = 0;
  let seq = 0;
  let jobsRun = 0;
  let coreSeconds = 0;
  let finishedAt: number | undefined;
  let result: SimulationResult['result'] = 'complete';
  const jobserver = setup.jobserver === true ? new SimulatedJobserver({
    seconds: setup.actual, parallel: (id) => setup.plan[id]!.makeJobsSafe !== false,
    priority: (id) => engine.priorityOf(setup.plan[id]!.pkgname), ...(setup.cpuSeconds !== undefined && { cpuSeconds: setup.cpuSeconds }),
  }) : undefined;
  const traced = new Map<number, number>();

  const run = (step: () => EngineCommand[]): void => {
    events++;
    const commands = step();
    for (const command of commands) {
      if (command.type === 'finished') {
        finishedAt = command.at;
        result = command.result;
      }
      if (command.type !== 'start') continue;
      const { job } = command;
      const id = engine.graph.id(job.pkgname)!;
      const host = hosts.get(job.host)!;
      const end = jobserver ? jobserver.start(job, id, host) : job.startedAt + setup.actual(id, job.makeJobs, host);
      const simulated: SimulatedJob = {
        id: job.id, pkgname: job.pkgname, pkgpath: job.pkgpath, host: job.host, slot: job.slot,
        makeJobs: job.makeJobs, start: job.startedAt, end,
      };
      jobsRun++;
      coreSeconds += job.makeJobs * (end - job.startedAt);
      if (setup.trace) traced.set(job.id, jobs.push(simulated) - 1);
      queue.push({ at: simulated.end, seq: seq++, job: simulated });
    }
    if (!jobserver) return;
    // The tokens are lent anew; a job whose end moved is queued again, its old ending left stale.
    for (const moved of jobserver.rebalance(now)) {
      queue.push({ at: moved.end, seq: seq++, job: { ...moved.job, start: moved.job.startedAt, end: moved.end } });
    }
  };

  let now = 0;
  run(() => engine.begin(0, setup.hosts));
  while (finishedAt === undefined) {
    const next = queue.pop();
    if (!next) throw new Error('simulation stuck: nothing runs and the engine has not finished');
    if (jobserver) {
      if (jobserver.endOf(next.job.id) !== next.at) continue;
      const most = jobserver.end(next.job.id, next.at);
      const at = traced.get(next.job.id);
      if (at !== undefined) jobs[at] = { ...jobs[at]!, end: next.at, mostMakeJobs: most };
    }
    now = next.at;
    run(() => engine.handle({ type: 'job-ended', at: next.at, job: next.job.id, outcome: { kind: 'built', phases: [] } }));
  }
  const engineS = clock ? clock() - built : 0;
  return { makespanS: finishedAt, result, events, engineS, jobsRun, coreSeconds: jobserver?.coreSeconds ?? coreSeconds, jobs };
}

/** A binary min-heap of job endings by time, then by start order. */
class EndingQueue {
  private readonly items: Ending[] = [];

  push(item: Ending): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): Ending | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && before(items[right]!, items[left]!) ? right : left;
      if (!before(items[child]!, last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

function before(a: Ending, b: Ending): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
