// `kiln build --hosts` on hosts that are network namespaces with their own
// sshd (real OpenSSH, kiln's agent shipped over the connection, no shared
// filesystem): the example tree built there gives the statuses and package
// contents of a build on this machine; a host whose link is cut mid-build
// has its jobs put back in the queue, the build completes, and nothing of
// the cut jobs runs on that host once it is back; hosts added while the
// build runs (hosts file, `kiln host add`) take jobs, and `kiln stop --host`
// drains one.

import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterUnavailable, createCluster, type NetnsCluster, type NetnsHost } from '../support/netns-hosts.js';
import { EXAMPLES, startKiln } from '../support/kiln-process.js';
import { buildResult, contentsOf, type Run } from '../support/build-result.js';
import { makeTree, portfile } from '../support/fixture-tree.js';
import { liveAsUser } from '../support/remote-jobs.js';
import { mustRun, waitFor } from '../support/run-command.js';

const skip = clusterUnavailable();
let cluster: NetnsCluster;
let work: string;
let local: Run;
/** The examples and two ports that keep a build going for a while (slowTree). */
let slow: string;
const SLOW_STATUSES = { 'kwait-1.0': 'done', 'kwaited-1.0': 'done' };

const host = (i: number): NetnsHost => cluster.hosts[i] ?? assert.fail(`no host ${i}`);

function finished(name: string, code: number | null, lines: readonly string[]): Promise<Run> {
  return buildResult(join(work, name, 'logs'), join(work, name, 'packages', 'All'), code, lines);
}

/** Starts `kiln build` of the example tree (or `tree`) into `<work>/<name>/`. */
function build(name: string, args: readonly string[], tree = EXAMPLES): ReturnType<typeof startKiln> {
  return startKiln(['build', '--tree', tree, '--logdir', join(work, name, 'logs'), '--packages', join(work, name, 'packages'),
    '--plain', ...args]);
}

async function buildToEnd(name: string, args: readonly string[]): Promise<Run> {
  const kiln = build(name, args);
  return finished(name, await kiln.exited, kiln.lines);
}

async function hostsFile(name: string, lines: readonly string[]): Promise<string> {
  const file = join(work, `${name}.hosts`);
  await writeFile(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

/** The local build's statuses, and `more` for ports the run's tree has beside the examples. */
function assertSameStatuses(run: Run, more: Readonly<Record<string, string>> = {}): void {
  assert.deepEqual(Object.fromEntries([...run.statuses].sort()), Object.fromEntries([...local.statuses, ...Object.entries(more)].sort()));
  assert.equal(run.code, local.code, 'the same exit status');
}

/**
 * The examples and two ports that keep the build going while a cut host
 * comes back, or hosts join and one is drained: `misc/kwait` sleeps,
 * `misc/kwaited` needs it, so a job is left for the host that is back.
 */
async function slowTree(): Promise<string> {
  const tree = join(work, 'tree-slow');
  await mustRun('cp', ['-R', EXAMPLES, tree]);
  await makeTree(tree, {
    'misc/kwait': { Portfile: portfile('kwait-1.0', { build: 'sleep 25', install: 'mkdir -p "$DESTDIR$PREFIX/share"\necho waited > "$DESTDIR$PREFIX/share/kwait"' }) },
    'misc/kwaited': { Portfile: portfile('kwaited-1.0', { install: 'mkdir -p "$DESTDIR$PREFIX/share"\ncp "$PREFIX/share/kwait" "$DESTDIR$PREFIX/share/kwaited"' },
      "DEPENDS=('kwait-[0-9]*:../../misc/kwait')\n") },
  });
  return tree;
}

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'kiln-e2e-cluster-'));
  await chmod(work, 0o755); // local builds run as nobody
  cluster = await createCluster({ prefix: 'kcb', subnet: 41, hosts: 3 });
  local = await buildToEnd('local', ['--jobs', '2']);
  slow = await slowTree();
  assert.equal(local.statuses.get('libkstr-1.2.0'), 'done', local.lines.slice(-20).join('\n'));
});

after(async () => {
  if (skip) return;
  await cluster.teardown();
  await rm(work, { recursive: true, force: true });
});

void test('the example tree scanned and built on two namespaced hosts: the statuses and package contents of a local build', { skip, timeout: 300_000 }, async () => {
  const file = await hostsFile('two', [`${host(0).name} jobs=2`, `${host(1).name} jobs=2`]);
  const run = await buildToEnd('two', ['--hosts', file, '--ssh-config', cluster.sshConfig, '--remote-scan', '--jobs', '1']);
  assertSameStatuses(run);
  const builtOn = new Set(run.hosts.values());
  assert.deepEqual([...builtOn].sort(), [host(0).name, host(1).name], 'both hosts built, and nothing was built here');
  const there = await contentsOf(run.all);
  const here = await contentsOf(local.all);
  assert.deepEqual([...there.keys()], [...here.keys()], 'the same package files');
  for (const [name, contents] of here) assert.deepEqual(there.get(name), contents, `${name}: the same files, bytes (MD5s) and metadata`);
  assert.equal((await readFile(join(run.all, 'SHA512'), 'utf8')).split('\n').length, (await readFile(join(local.all, 'SHA512'), 'utf8')).split('\n').length);
});

void test('a host whose link is cut mid-build: its jobs go back to the queue, nothing of them is left once it is back, it builds again, the build completes',
  { skip, timeout: 300_000 }, async (t: TestContext) => {
    const cut = host(0);
    // The faster host takes jobs first (and the last one, once it is back).
    const file = await hostsFile('cut', [`${cut.name} jobs=2 sf=2`, `${host(1).name} jobs=1`]);
    const kiln = build('cut', ['--hosts', file, '--ssh-config', cluster.sshConfig], slow);
    await kiln.line(new RegExp(`start .* on ${cut.name}:`), 120_000);
    // A job's sandbox runs under the agent on the host: those are the processes to find gone later.
    assert.ok(await waitFor(async () => (await liveAsUser(cluster, cut)).some((p) => p.comm === 'bwrap'), 20_000, 50), 'a job runs on the host');
    const jobPids = (await liveAsUser(cluster, cut)).filter((p) => p.comm !== 'sshd').map((p) => p.pid);
    const cutAt = Date.now();
    await cluster.cut(cut);
    const down = await kiln.line(new RegExp(`host ${cut.name} went down`), 30_000);
    t.diagnostic(`noticed ${Date.now() - cutAt} ms after the cut: ${down}`);
    const requeued = await kiln.line(new RegExp(`on ${cut.name} goes back to the queue`), 5000);
    t.diagnostic(requeued);
    const stillThere = (await liveAsUser(cluster, cut)).filter((p) => jobPids.includes(p.pid)).map((p) => p.comm);
    t.diagnostic(`at the restore, ${stillThere.length} of the ${jobPids.length} processes seen before the cut still ran: ${stillThere.join(' ')}`);
    await cluster.restore(cut);
    const upLine = await kiln.line(new RegExp(`host ${cut.name} came up`), 60_000);
    const cameUp = Date.now();
    assert.ok(await waitFor(async () => !(await liveAsUser(cluster, cut)).some((p) => jobPids.includes(p.pid)), 5000, 100),
      `processes of the cut jobs left on ${cut.name}: ${(await liveAsUser(cluster, cut)).filter((p) => jobPids.includes(p.pid)).map((p) => p.cmdline).join('; ')}`);
    t.diagnostic(`the cut jobs' ${jobPids.length} processes were gone ${Date.now() - cameUp} ms after the host came up`);
    await kiln.line(new RegExp(`start .* on ${cut.name}:`), 60_000, kiln.lines.indexOf(upLine));
    const run = await finished('cut', await kiln.exited, kiln.lines);
    assertSameStatuses(run, SLOW_STATUSES);
    const pkgname = / warning: (\S+) on /.exec(requeued)?.[1] ?? '';
    assert.equal(run.statuses.get(pkgname), local.statuses.get(pkgname), `${pkgname}, requeued, ends as it does in a local build`);
  });

void test('hosts added while the build runs take jobs; kiln stop --host drains one', { skip, timeout: 300_000 }, async () => {
  const [first, second, third] = [host(0), host(1), host(2)];
  const file = await hostsFile('join', [`${first.name} jobs=1`]);
  const logdir = join(work, 'join', 'logs');
  const kiln = build('join', ['--hosts', file, '--ssh-config', cluster.sshConfig], slow);
  await kiln.line(/ built /, 120_000);
  await mustRun(process.execPath, [join(EXAMPLES, '..', 'bin', 'kiln.js'), 'host', 'add', '--logdir', logdir, second.name, 'jobs=1']);
  await appendFile(file, `${third.name} jobs=1\n`);
  await kiln.line(new RegExp(`start .* on ${second.name}:`), 60_000);
  await kiln.line(new RegExp(`start .* on ${third.name}:`), 60_000);
  await mustRun(process.execPath, [join(EXAMPLES, '..', 'bin', 'kiln.js'), 'stop', '--logdir', logdir, '--host', first.name]);
  const drained = await kiln.line(new RegExp(`host ${first.name} draining`), 10_000);
  const from = kiln.lines.indexOf(drained);
  const run = await finished('join', await kiln.exited, kiln.lines);
  assertSameStatuses(run, SLOW_STATUSES);
  assert.ok(!kiln.lines.slice(from).some((l) => new RegExp(`start .* on ${first.name}:`).test(l)), `no job started on ${first.name} once drained`);
  const builtOn = new Set(run.hosts.values());
  for (const h of [second, third]) assert.ok(builtOn.has(h.name), `${h.name} built packages`);
});
