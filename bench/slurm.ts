// bench:slurm — what a host from Slurm costs, against a real one-node Slurm
// started here (test/support/slurm-cluster.ts; real srun, real agent):
//   ask → ready: from asking for an allocation (srun) to its agent passing its checks
//   per job:     the same trivial job run by buildPackage in this process vs.
//                through the allocation's agent (bench:remote measures the same over ssh)
// Needs root (it starts munged, slurmctld, slurmd). Rerun: npm run bench:slurm

import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHostsFile } from '../src/exec/hosts-file.js';
import type { SshExecutor } from '../src/exec/ssh/ssh-executor.js';
import { slurmExecutor } from '../src/exec/slurm/slurm-executor.js';
import { buildPackage } from '../src/sandbox/builder.js';
import { jobFor, makeTree, portfile, recordingWatcher } from '../test/support/fixture-tree.js';
import { SlurmCluster, slurmUnavailable } from '../test/support/slurm-cluster.js';
import { row, summary, timed } from './timings.js';

const JOBS = 20;
const ASKS = 5;
const signal = new AbortController().signal;

async function main(): Promise<void> {
  const unavailable = slurmUnavailable();
  if (unavailable) {
    process.stderr.write(`bench:slurm: ${unavailable}\n`);
    process.exitCode = 2;
    return;
  }
  const loadStart = loadavg().map((x) => x.toFixed(2)).join(' ');
  const work = await mkdtemp(join(tmpdir(), 'kiln-bench-slurm-'));
  await chmod(work, 0o755);
  const slurm = await SlurmCluster.start(2);
  const executors: SshExecutor[] = [];
  try {
    const parsed = parseHostsFile(`slurm:${slurm.partition} nodes=1 jobs=1 cores=1\n`, 'bench.hosts');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const file = parsed.hostsFile;
    const make = (): SshExecutor => {
      const e = slurmExecutor(file.hosts[0]!, file, work);
      executors.push(e);
      return e;
    };
    const tree = join(work, 'tree');
    await makeTree(tree, { 'cat/trivial': { Portfile: portfile('trivial-1.0', { build: 'echo built', install: 'mkdir -p "$DESTDIR$PREFIX/share"\necho trivial > "$DESTDIR$PREFIX/share/trivial"' }) } });
    const asks: number[] = [];
    for (let i = 0; i < ASKS; i++) {
      const e = make();
      const [ms, r] = await timed(() => e.connect(signal));
      if (!r.ok) throw new Error(r.reason);
      asks.push(ms);
      await e.close();
    }
    const local: number[] = [];
    for (let i = 0; i < JOBS; i++) {
      const job = jobFor(tree, join(work, 'local', String(i)), 'cat/trivial', 'trivial-1.0');
      const [ms, r] = await timed(() => buildPackage(job, { signal }));
      if (r.outcome.kind !== 'built') throw new Error(JSON.stringify(r.outcome));
      local.push(ms);
    }
    const executor = make();
    const up = await executor.connect(signal);
    if (!up.ok) throw new Error(up.reason);
    const remote: number[] = [];
    for (let i = 0; i <= JOBS; i++) {
      const job = jobFor(tree, join(work, 'slurm', String(i)), 'cat/trivial', 'trivial-1.0');
      const [ms, r] = await timed(() => executor.run(job, recordingWatcher(), signal));
      if (r.outcome.kind !== 'built') throw new Error(JSON.stringify(r.outcome));
      remote.push(ms);
    }
    const first = remote.shift() ?? NaN;
    process.stdout.write([
      `bench:slurm — one-node Slurm started here (${slurm.partition}), agent through srun; node ${process.version}`,
      `load average at start ${loadStart}, at end ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${availableParallelism()} cores)`,
      `${'ms'.padStart(55)} ${'p50'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'n'.padStart(4)}`,
      row('ask → ready (srun + agent sent + checks)', summary(asks)),
      row('trivial job, local (buildPackage in-process)', summary(local)),
      row('trivial job, first on the allocation', summary([first])),
      row('trivial job, on the allocation', summary(remote)),
      '',
      `per-job overhead on an allocation: ${(summary(remote).mean - summary(local).mean).toFixed(1)} ms mean (allocation/local = ${(summary(remote).mean / summary(local).mean).toFixed(2)}×); compare bench:remote's over ssh`,
      'rerun: npm run bench:slurm   (as root)',
    ].join('\n') + '\n');
  } finally {
    for (const e of executors) await e.close();
    await slurm.stop();
    await rm(work, { recursive: true, force: true });
  }
}

void main();
