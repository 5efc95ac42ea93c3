// The live page at the scale of a whole pkgsrc tree: a simulated build of
// the full SmartOS graph (28,509 packages, 64 slots) replayed as run events
// into the web page's view; how large one pushed update is and how long it
// takes to make, at the start, the middle and the end of the run.
//
//   npm run bench:web-view [-- --slots N]

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';

import { parseDepgraph } from '../src/core/depgraph.js';
import type { RunEvent } from '../src/core/run-events.js';
import { prepareSimulation } from '../src/core/simulation-setup.js';
import { simulate } from '../src/core/simulator.js';
import { RunViewState } from '../src/report/run-view-state.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = process.env['KILN_SHARED_DATA'] ?? path.join(repo, '../shared/data');
const { values } = parseArgs({ options: { slots: { type: 'string', default: '64' } } });
const graph = parseDepgraph(gunzipSync(readFileSync(path.join(data, 'pkgsrc-smartos/depgraph.gz'))).toString('utf8'));
const prepared = prepareSimulation({ graph, history: [], slots: Number(values.slots), policy: 'kiln' });
const result = simulate({ ...prepared.setup, trace: true });

// The run as its events: resolved, then every job's start and end in time order.
const start = 1_800_000_000;
const events: RunEvent[] = [{ type: 'run-started', at: start, run: '1', tree: '/usr/pkgsrc', logdir: '/var/kiln', packages: '/var/kiln/packages', resumed: false }];
events.push({
  type: 'resolved', at: start, packages: graph.pkgnames.length, prefailed: 0, upToDate: 0,
  entries: prepared.setup.plan.map((p) => ({ pkgname: p.pkgname, pkgpath: p.pkgpath, maintainer: 'pkgsrc-users@NetBSD.org', comment: '', categories: '', depends: p.deps, expectedS: p.estimate.wallS })),
});
const timed: { at: number; event: RunEvent }[] = [];
for (const job of result.jobs) {
  const j = { id: job.id, pkgname: job.pkgname, pkgpath: job.pkgpath, host: job.host, slot: job.slot, makeJobs: job.makeJobs, attempt: 1, startedAt: start + job.start };
  timed.push({ at: start + job.start, event: { type: 'job-started', at: start + job.start, job: j, expectedS: job.end - job.start, lastLogBytes: undefined } });
  timed.push({ at: start + job.start, event: { type: 'status', change: { type: 'status', at: start + job.start, pkgname: job.pkgname, status: 'building', job: job.id } } });
  timed.push({ at: start + job.end, event: { type: 'job-ended', at: start + job.end, job: j, outcome: { kind: 'built', phases: [] }, durationS: job.end - job.start, log: `/var/kiln/packages/${job.pkgname}.log` } });
  timed.push({ at: start + job.end, event: { type: 'status', change: { type: 'status', at: start + job.end, pkgname: job.pkgname, status: 'done', job: job.id } } });
}
timed.sort((a, b) => a.at - b.at);

const state = new RunViewState();
for (const e of events) state.emit(e);
const marks = [0.1, 0.5, 0.99].map((f) => Math.floor(timed.length * f));
console.log(`${graph.pkgnames.length} packages, ${result.jobs.length} jobs on ${values.slots} slots`);
timed.forEach((t, i) => {
  state.emit(t.event);
  if (!marks.includes(i)) return;
  const t0 = performance.now();
  const json = JSON.stringify(state.view(t.at, { packages: false })); // what the server pushes each second
  const ms = performance.now() - t0;
  console.log(`after ${String(Math.round((i / timed.length) * 100)).padStart(3)} % of the events: one update ${(json.length / 2 ** 20).toFixed(2)} MiB, made in ${ms.toFixed(0)} ms`);
});
