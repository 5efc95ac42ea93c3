// kiln's capacity from a real Slurm cluster (one node, started by the test
// as root): a hosts file with only a `slurm:` line builds the example tree
// with the statuses of a local build; Slurm shows kiln's allocations while
// it builds, never more than nodes=N of them, and none once it is done; an
// allocation Slurm cannot give yet (three asked of a 2-CPU node) shows in
// `kiln status` as pending with Slurm's reason, a running one with its job
// and node, as report.json does; an allocation cancelled mid-build
// (scancel) is a lost host: its job goes back to the queue and the build completes.

import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildResult, type Run } from '../support/build-result.js';
import { makeTree, portfile } from '../support/fixture-tree.js';
import { EXAMPLES, startKiln } from '../support/kiln-process.js';
import { mustRun } from '../support/run-command.js';
import { SlurmCluster, slurmUnavailable } from '../support/slurm-cluster.js';

const skip = slurmUnavailable();
let slurm: SlurmCluster;
let work: string;
let tree: string;
let local: Run;

async function build(name: string, args: readonly string[]): Promise<{ run: Run; kiln: ReturnType<typeof startKiln> }> {
  const kiln = startKiln(['build', '--tree', tree, '--logdir', join(work, name, 'logs'), '--packages', join(work, name, 'packages'), '--plain', ...args]);
  const code = await kiln.exited;
  return { run: await buildResult(join(work, name, 'logs'), join(work, name, 'packages', 'All'), code, kiln.lines), kiln };
}

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'kiln-e2e-slurm-'));
  await chmod(work, 0o755);
  tree = join(work, 'tree');
  await mustRun('cp', ['-R', EXAMPLES, tree]);
  // A port that builds long enough for its allocation to be cancelled under it.
  // Two, so that more is ready at the start than two allocations take: a third is asked for, which Slurm cannot give yet.
  const waits = (name: string): { Portfile: string } => ({ Portfile: portfile(`${name}-1.0`, { build: 'sleep 6', install: `mkdir -p "$DESTDIR$PREFIX/share"\necho waited > "$DESTDIR$PREFIX/share/${name}"` }) });
  await makeTree(tree, { 'misc/kwait': waits('kwait'), 'misc/kwait2': waits('kwait2') });
  slurm = await SlurmCluster.start(2);
  local = (await build('local', ['--jobs', '2'])).run;
  assert.equal(local.statuses.get('kwait-1.0'), 'done', local.lines.slice(-20).join('\n'));
});

after(async () => {
  if (skip) return;
  await slurm?.stop();
  await rm(work, { recursive: true, force: true });
});

/** The hosts line of `kiln status` while the build runs. */
async function statusHosts(logdir: string): Promise<string> {
  const status = startKiln(['status', '--logdir', logdir, '--once', '--plain']);
  await status.exited;
  return status.lines.find((l) => l.startsWith('hosts: ')) ?? '';
}

void test('a build on Slurm allocations: the statuses of a local build; at most nodes=N allocations, none after; one Slurm cannot give yet shown pending with its reason; a cancelled allocation\'s job is built again',
  { skip, timeout: 240_000 }, async (t: TestContext) => {
    const hosts = join(work, 'slurm.hosts');
    const logdir = join(work, 'slurm', 'logs');
    await writeFile(hosts, `slurm:${slurm.partition} nodes=3 jobs=1 cores=1\n`);
    const asked = Date.now();
    const kiln = startKiln(['build', '--tree', tree, '--logdir', logdir, '--packages', join(work, 'slurm', 'packages'), '--plain', '--hosts', hosts]);
    let most = 0;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        most = Math.max(most, (await slurm.jobs()).filter((j) => j.state === 'RUNNING' || j.state === 'PENDING').length);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    // kiln status, over and over until it has shown both, while the third allocation waits (until one is cancelled below).
    let shown: string[] = [];
    const statuses = (async () => {
      const seen = (re: RegExp): boolean => shown.some((l) => re.test(l));
      const until = Date.now() + 30_000;
      while (Date.now() < until && !(seen(/pending 0\/1 \(Resources\)/) && seen(/ up \d\/1 \[Slurm job/))) shown = [...shown, await statusHosts(logdir)];
    })();
    await kiln.line(/start \S+ .* on slurm-kilntest-\d+:/, 120_000);
    t.diagnostic(`first job on an allocation ${((Date.now() - asked) / 1000).toFixed(1)} s after kiln started`);
    // The third allocation stays pending until a CPU is freed: the cancel below, which waits for kiln status to have shown it.
    await statuses;
    const started = await kiln.line(/start misc\/kwait .* on slurm-kilntest-\d+:/, 120_000);
    const host = /on (slurm-kilntest-\d+):/.exec(started)![1]!;
    const allocation = (await slurm.jobs()).find((j) => j.name.endsWith(`-${host}`) && j.state === 'RUNNING');
    assert.ok(allocation, `Slurm shows the allocation of ${host} while it builds: ${JSON.stringify(await slurm.jobs())}`);
    t.diagnostic(`cancelling Slurm job ${allocation.id} (${host}) while misc/kwait builds there`);
    await slurm.cancel(allocation.id);
    const down = await kiln.line(new RegExp(`host ${host} went down`), 30_000);
    assert.match(down, /CANCELLED/, 'the message says what Slurm did to the allocation');
    await kiln.line(/kwait-1\.0 on slurm-kilntest-\d+ goes back to the queue/, 10_000);
    const code = await kiln.exited;
    t.diagnostic(kiln.lines.filter((l) => /went down|came up|goes back|run complete|start misc\/kwait|built misc\/kwait/.test(l)).join(' | '));
    watching = false;
    await watch;
    t.diagnostic(`kiln status showed: ${shown.find((l) => l.includes('pending')) ?? 'no pending allocation'}`);
    assert.ok(shown.some((l) => /slurm-kilntest-\d pending 0\/1 \(Resources\)/.test(l)), `the third allocation waits for a CPU, and kiln status says why: ${shown.join(' | ')}`);
    assert.ok(shown.some((l) => /slurm-kilntest-\d up \d\/1 \[Slurm job \d+ on \S+\]/.test(l)), 'a running allocation shows its Slurm job and node');
    const run = await buildResult(join(work, 'slurm', 'logs'), join(work, 'slurm', 'packages', 'All'), code, kiln.lines);
    assert.deepEqual(Object.fromEntries([...run.statuses].sort()), Object.fromEntries([...local.statuses].sort()), run.lines.slice(-30).join('\n'));
    assert.equal(run.code, local.code);
    assert.match(run.hosts.get('kwait-1.0') ?? '', /^slurm-kilntest-\d+$/);
    const report = JSON.parse(await readFile(join(logdir, 'report.json'), 'utf8')) as { packages: Array<{ pkgname: string; allocation: string | null }> };
    assert.match(report.packages.find((p) => p.pkgname === 'kwait-1.0')?.allocation ?? '', /^Slurm job \d+ on \S+$/, 'report.json says where it was built');
    assert.equal(most, 3, 'nodes=3 allocations at once (one pending), never more');
    assert.deepEqual(await slurm.jobs(), [], 'no allocation of kiln is left once the build is done');
  });
