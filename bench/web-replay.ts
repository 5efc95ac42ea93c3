// A whole-tree build for the page's benchmarks: the SmartOS pkgsrc graph
// (28,509 packages) scheduled by the real engine in the simulator on 64
// slots, each job taking its time in the real 1,669-package history when
// there is one, else a time drawn from that history by a hash of its name.
// Replayed as run events one simulated second at a time, as the runtime
// would emit them: starts, phases, log growth every second, ends, and
// failures: one package in two hundred that nothing needs fails, and, when
// asked, a core package (perl) fails and every package that needs it
// becomes indirect-failed at that moment.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

import { parseDepgraph } from '../src/core/formats/depgraph.js';
import type { Job } from '../src/core/engine/engine-events.js';
import { parseHistoryCsv, type HistoryRecord } from '../src/core/formats/history-csv.js';
import type { RunEvent } from '../src/core/run-events.js';
import { prepareSimulation } from '../src/core/simulation/simulation-setup.js';
import { simulate, type SimulatedJob } from '../src/core/simulation/simulator.js';

export const RUN_START = 1_800_000_000;
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = process.env['KILN_SHARED_DATA'] ?? path.join(repo, '../shared/data');

export interface Replay {
  readonly packages: number;
  readonly jobs: number;
  readonly makespanS: number;
  /** The events of each simulated second, in order; `at` is the second's end. */
  steps(): Generator<{ readonly at: number; readonly events: RunEvent[] }>;
}

/** FNV-1a: a stable hash, so every run of the bench replays the same build. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const MAINTAINERS = ['pkgsrc-users@NetBSD.org', 'jperkin@pkgsrc.org', 'wiz@NetBSD.org', 'adam@NetBSD.org', 'taca@NetBSD.org', 'ryoon@NetBSD.org'];
const PHASES = ['depends', 'configure', 'build', 'install', 'package'];

export function wholeTreeReplay(options: { readonly slots: number; readonly failing?: string }): Replay {
  const graph = parseDepgraph(gunzipSync(readFileSync(path.join(data, 'pkgsrc-smartos/depgraph.gz'))).toString('utf8'));
  const recorded = parseHistoryCsv(gunzipSync(readFileSync(path.join(data, 'pkgsrc-smartos/history-bulk-large.gz'))).toString('utf8')).records;
  const byName = new Map(recorded.map((r) => [r.pkgname, r]));
  const history: HistoryRecord[] = graph.pkgnames.map((pkgname) => {
    const known = byName.get(pkgname);
    if (known) return known;
    const like = recorded[hash(pkgname) % recorded.length]!;
    return { ...like, pkgname, pkgpath: `${like.pkgpath.split('/')[0]!}/${pkgname.replace(/-[^-]*$/, '')}` };
  });
  const prepared = prepareSimulation({ graph, history, slots: options.slots, policy: 'kiln' });
  const result = simulate({ ...prepared.setup, trace: true });
  const plan = prepared.setup.plan;
  const index = new Map(plan.map((p, i) => [p.pkgname, i]));
  const dependents: number[][] = plan.map(() => []);
  plan.forEach((p, i) => { for (const d of p.deps) dependents[index.get(d)!]!.push(i); });
  const core = options.failing === undefined ? -1 : plan.findIndex((p) => p.pkgname.startsWith(`${options.failing}-`));
  const fails = (i: number): boolean => i === core || (dependents[i]!.length === 0 && hash(plan[i]!.pkgname) % 200 === 7);

  return {
    packages: plan.length, jobs: result.jobs.length, makespanS: result.makespanS,
    *steps() {
      const events: RunEvent[] = [
        { type: 'run-started', at: RUN_START, run: '20270115.0001', tree: '/usr/pkgsrc', logdir: '/var/kiln', packages: '/var/kiln/packages', resumed: false },
        {
          type: 'resolved', at: RUN_START, packages: plan.length, prefailed: 0, upToDate: 0,
          entries: plan.map((p) => ({
            pkgname: p.pkgname, pkgpath: p.pkgpath, maintainer: MAINTAINERS[hash(p.pkgpath) % MAINTAINERS.length]!, comment: '', categories: '',
            depends: p.deps, expectedS: p.estimate.wallS,
          })),
        },
        { type: 'host', at: RUN_START, host: 'localhost', state: 'up', slots: options.slots, speed: 1 },
      ];
      const boundaries = result.jobs.flatMap((job) => [{ at: job.start, job, end: false }, { at: job.end, job, end: true }])
        .sort((a, b) => a.at - b.at || Number(b.end) - Number(a.end));
      const blocked = new Map<number, string[]>();
      const running = new Map<number, { job: Job; sim: SimulatedJob }>();
      let next = 0;
      for (let t = 0; next < boundaries.length || running.size > 0; t++) {
        for (; next < boundaries.length && boundaries[next]!.at <= t; next++) {
          const { job: sim, end } = boundaries[next]!;
          const id = index.get(sim.pkgname)!;
          if (blocked.has(id)) continue;
          const at = RUN_START + sim[end ? 'end' : 'start'];
          const job: Job = { id: sim.id, pkgname: sim.pkgname, pkgpath: sim.pkgpath, host: sim.host, slot: sim.slot, makeJobs: sim.makeJobs, attempt: 1, startedAt: RUN_START + sim.start };
          if (!end) {
            running.set(sim.id, { job, sim });
            events.push({ type: 'job-started', at, job, expectedS: plan[id]!.estimate.wallS, lastLogBytes: 40_000 + (hash(sim.pkgname) % 4_000_000) });
            events.push({ type: 'status', change: { type: 'status', at, pkgname: sim.pkgname, status: 'building', job: sim.id } });
            continue;
          }
          running.delete(sim.id);
          const durationS = sim.end - sim.start;
          const log = `/var/kiln/packages/${sim.pkgname}.log`;
          if (!fails(id)) {
            events.push({ type: 'job-ended', at, job, outcome: { kind: 'built', phases: [] }, durationS, log, logBytes: Math.round(durationS * 900) });
            events.push({ type: 'status', change: { type: 'status', at, pkgname: sim.pkgname, status: 'done', job: sim.id } });
            continue;
          }
          events.push({ type: 'job-ended', at, job, outcome: { kind: 'failed', phase: 'build', error: 'compiler error', phases: [] }, durationS, log, logBytes: Math.round(durationS * 900) });
          events.push({ type: 'status', change: { type: 'status', at, pkgname: sim.pkgname, status: 'failed', phase: 'build', error: 'compiler error', job: sim.id } });
          events.push({ type: 'message', at, level: 'warning', text: `${sim.pkgname} failed in build: compiler error` });
          const queue = [...dependents[id]!];
          const seen = new Set<number>();
          while (queue.length > 0) {
            const d = queue.pop()!;
            if (seen.has(d)) continue;
            seen.add(d);
            queue.push(...dependents[d]!);
            const roots = [...(blocked.get(d) ?? []), sim.pkgname];
            blocked.set(d, roots);
            events.push({ type: 'status', change: { type: 'status', at, pkgname: plan[d]!.pkgname, status: 'indirect-failed', blockedBy: roots } });
          }
        }
        const at = RUN_START + t;
        for (const { job, sim } of running.values()) {
          const share = (t - sim.start) / Math.max(1, sim.end - sim.start);
          const phase = PHASES[Math.min(PHASES.length - 1, Math.floor(share * PHASES.length))]!;
          if (Math.floor(t - sim.start) % 60 === 0) events.push({ type: 'job-phase', at, job: job.id, phase });
          events.push({ type: 'job-progress', at, job: job.id, logBytes: Math.round((t - sim.start) * 900), idleS: 0 });
        }
        yield { at, events: events.splice(0) };
      }
      yield { at: RUN_START + Math.ceil(result.makespanS) + 1, events: [{ type: 'run-finished', at: RUN_START + Math.ceil(result.makespanS) + 1, result: 'complete' }] };
    },
  };
}
