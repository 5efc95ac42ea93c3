// The farm's host classes and architecture, end to end (kiln build, real
// sshd in a network namespace, kiln's agent): ports that require a feature
// (HOST_FEATURES) are built only on the host offering it, which takes
// nothing else (mandatory=), the others here; pkg_summary and report.json
// say the build's architecture. A hosts file whose arch= disagrees, and a
// build for another architecture (--arch), refuse their hosts, naming both,
// and the run exits with status 5. A coordinator of another architecture
// than the build's (pretended: KILN_TEST_COORDINATOR_ARCH) scans on the
// hosts of the build's only. A host over a pressure threshold (here
// min-disk, from its agent's report) takes no job, and says so.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { machine, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { clusterUnavailable, createCluster, type NetnsCluster, type NetnsHost } from '../support/netns-hosts.js';
import { startKiln } from '../support/kiln-process.js';
import { kiln } from '../support/kiln-runs.js';
import { waitFor } from '../support/run-command.js';
import { buildResult, type Run } from '../support/build-result.js';
import { makeTree, portfile } from '../support/fixture-tree.js';
import type { ReportHost } from '../../src/report/sinks/report-json.js';

const skip = clusterUnavailable();
let cluster: NetnsCluster;
let work: string;
let tree: string;
let big: NetnsHost;
const arch = machine().replace(/^i[3-6]86$/, 'i386');

const install = (name: string): string => `mkdir -p "$DESTDIR$PREFIX/share"\necho ${name} > "$DESTDIR$PREFIX/share/${name}"`;
const needs = (...deps: string[]): string => `DEPENDS=(${deps.map((d) => `'${d}-[0-9]*:../../misc/${d}'`).join(' ')})\n`;
const BIG = 'HOST_FEATURES=(big-parallel)\n';

function start(name: string, hosts: readonly string[], args: readonly string[] = [], env: Record<string, string> = {}): ReturnType<typeof startKiln> {
  const file = join(work, `${name}.hosts`);
  writeFileSync(file, hosts.map((l) => `${l}\n`).join(''));
  return startKiln(['build', '--tree', tree, '--logdir', join(work, name, 'logs'), '--packages', join(work, name, 'packages'),
    '--plain', '--hosts', file, '--ssh-config', cluster.sshConfig, ...args], undefined, env);
}

async function build(name: string, hosts: readonly string[], args: readonly string[] = [], env: Record<string, string> = {}): Promise<Run> {
  const running = start(name, hosts, args, env);
  const code = await running.exited;
  return buildResult(join(work, name, 'logs'), join(work, name, 'packages', 'All'), code, running.lines);
}

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'kiln-e2e-features-'));
  await chmod(work, 0o755); // local builds run as nobody
  tree = join(work, 'tree');
  await makeTree(tree, {
    'misc/base': { Portfile: portfile('base-1.0', { install: install('base') }) },
    'misc/tool': { Portfile: portfile('tool-1.0', { install: install('tool') }, needs('base')) },
    'misc/huge': { Portfile: portfile('huge-1.0', { install: install('huge') }, BIG + needs('base')) },
    'misc/vast': { Portfile: portfile('vast-1.0', { install: install('vast') }, BIG) },
  });
  cluster = await createCluster({ prefix: 'kfm', subnet: 71, hosts: 1 });
  big = cluster.hosts[0]!;
});

after(async () => {
  if (skip) return;
  await cluster.teardown();
  await rm(work, { recursive: true, force: true });
});

void test('a port requiring a feature is built only on the host offering it, which builds nothing else; the packages say the arch', { skip, timeout: 120_000 }, async () => {
  const run = await build('classes', ['localhost jobs=2', `${big.name} jobs=2 features=big-parallel mandatory=big-parallel arch=${arch}`]);
  assert.equal(run.code, 0, run.lines.slice(-20).join('\n'));
  assert.deepEqual(Object.fromEntries([...run.hosts].sort()),
    { 'base-1.0': 'localhost', 'huge-1.0': big.name, 'tool-1.0': 'localhost', 'vast-1.0': big.name });
  const summary = gunzipSync(await readFile(join(run.all, 'pkg_summary.gz'))).toString('utf8');
  assert.deepEqual(summary.split('\n').filter((l) => l.startsWith('MACHINE_ARCH=')), Array<string>(4).fill(`MACHINE_ARCH=${arch}`));
  const report = JSON.parse(await readFile(join(run.logdir, 'report.json'), 'utf8')) as { summary: { arch: string }; hosts: ReportHost[] };
  assert.equal(report.summary.arch, arch);
  const checked = new RegExp(`^${arch}, linux \\S+, node ${process.versions.node}, \\d+ cores, \\d+ MiB$`);
  assert.match(report.hosts.find((h) => h.name === big.name)?.checked ?? '', checked, 'what the agent\'s check found');
  const status = await kiln(['status', '--logdir', run.logdir]);
  assert.match(status.stdout, new RegExp(`${big.name} up 0/2 \\[features=big-parallel mandatory=big-parallel\\] .*\\{${arch}, linux`), status.stdout);
});

void test('a hosts file whose arch= is wrong, and a build for another architecture: each host refused naming both, exit 5', { skip, timeout: 60_000 }, async () => {
  const run = await build('arch', [`${big.name} jobs=1 arch=sparc64`]);
  assert.equal(run.code, 5, run.lines.slice(-20).join('\n'));
  assert.match(run.lines.join('\n'), new RegExp(`host ${big.name}: it is ${arch}, the hosts file says arch=sparc64`));
  assert.equal([...run.hosts].length, 0, 'nothing was built');
  const report = JSON.parse(await readFile(join(run.logdir, 'report.json'), 'utf8')) as { hosts: ReportHost[] };
  assert.deepEqual(report.hosts.map((h) => [h.name, h.state, h.reason, h.checked]), [[big.name, 'down', `refused: it is ${arch}, the hosts file says arch=sparc64`, null]]);
  const status = await kiln(['status', '--logdir', run.logdir]);
  assert.match(status.stdout, new RegExp(`${big.name} down 0/1 \\(refused: it is ${arch}, the hosts file says arch=sparc64\\)`), status.stdout);
  // For another architecture than this machine's, the ports are scanned on hosts of it only: none here, so nothing starts.
  const other = arch === 'aarch64' ? 'x86_64' : 'aarch64';
  const foreign = start('foreign', ['localhost jobs=1', `${big.name} jobs=1`], ['--arch', other]);
  const said = [await foreign.exited, ...foreign.lines].join('\n');
  assert.match(said, /^5\n/, said);
  assert.match(said, new RegExp(`${big.name} does not scan: .*it is ${arch}, the build is for ${other} \\(kiln build --arch\\)`), said);
  assert.match(said, new RegExp(`kiln: the build is for ${other} and this machine is ${arch}: ports are scanned on hosts of ${other} only, and none is up`), said);
});

void test('a coordinator of another architecture scans and builds on the hosts of the build\'s only', { skip, timeout: 120_000 }, async () => {
  const run = await build('scan-there', ['localhost jobs=2', `${big.name} jobs=2 features=big-parallel`], ['--arch', arch],
    { KILN_TEST_COORDINATOR_ARCH: 'sparc64' });
  assert.equal(run.code, 0, run.lines.slice(-20).join('\n'));
  const said = run.lines.join('\n');
  assert.match(said, new RegExp(`kiln: the build is for ${arch} and this machine is sparc64: ports are scanned on hosts of ${arch} only`), said);
  assert.match(said, new RegExp(`kiln: ports scanned on localhost: 0, on ${big.name}: 4$`, 'm'), said);
  assert.match(said, new RegExp(`host localhost refused: it is sparc64, the build is for ${arch} \\(kiln build --arch\\)`), said);
  assert.deepEqual([...new Set(run.hosts.values())], [big.name], 'every package built there');
});

void test('a host over its min-disk threshold takes no job from its first report on, and kiln why says so', { skip, timeout: 60_000 }, async () => {
  const logdir = join(work, 'pressure', 'logs');
  const running = start('pressure', ['localhost jobs=2', `${big.name} jobs=2 features=big-parallel mandatory=big-parallel min-disk=1000T`]);
  const held = await running.line(new RegExp(`host ${big.name} up .*takes no new job: \\d+ MiB free where it builds, below min-disk \\(1048576000 MiB\\)`), 30_000);
  await running.line(/built misc\/tool/, 30_000);
  let why = await kiln(['why', 'misc/vast', '--logdir', logdir]);
  // kiln why reads what the build last recorded of its queue (every few seconds).
  assert.ok(await waitFor(async () => !(why = await kiln(['why', 'misc/vast', '--logdir', logdir])).stdout.includes('not said why yet'), 20_000, 500));
  assert.match(why.stdout, new RegExp(`the hosts that could take it take no new job for their load: ${big.name} \\(\\d+ MiB free where it builds, below min-disk`), why.stdout + why.stderr);
  assert.equal((await kiln(['stop', '--logdir', logdir])).code, 0);
  const run = await buildResult(logdir, join(work, 'pressure', 'packages', 'All'), await running.exited, running.lines);
  assert.equal(run.code, 3, 'stopped');
  assert.equal(running.lines.some((l) => new RegExp(`start .* on ${big.name}:`).test(l)), false, `nothing started on ${big.name} (${held})`);
  assert.equal(run.statuses.get('tool-1.0'), 'done');
});
