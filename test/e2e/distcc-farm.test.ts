// The distcc compile farm, end to end: two network-namespace hosts run
// Debian's distccd; a Portfile port of nine C files with USE_DISTCC=yes is
// built on this machine with `distcc=` naming them. Its compilations reach
// both servers (their logs, and the count kiln's relay notes in the job's
// log), its package is the one built without the farm, and the sandbox
// still reaches nothing else: the build's own TCP probes of a server's
// distccd and sshd fail. A pkgsrc port (the fixture tree, whose mk files
// follow pkgsrc's mk/compiler/distcc.mk) opts in through mk.conf's
// PKGSRC_COMPILER and compiles there the same way.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { appendFile, chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { clusterUnavailable, createCluster, type NetnsCluster } from '../support/netns-hosts.js';
import { startKiln } from '../support/kiln-process.js';
import { buildResult, type Run } from '../support/build-result.js';
import { makeTree } from '../support/fixture-tree.js';
import { packageContents } from '../support/package-contents.js';
import { fixture, fixtureCopy, makeKit, noBmake } from './pkgsrc-fixture.js';

const FILES = 8;
const skip = clusterUnavailable() ?? (spawnSync('distccd', ['--version']).status === 0 ? undefined : 'distccd is not installed (apt-get install distcc)');
let cluster: NetnsCluster;
let work: string;
let tree: string;

function sources(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= FILES; i++) files[`f${i}.c`] = `int f${i}(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * ${i}; return s; }\n`;
  const decls = Array.from({ length: FILES }, (_, i) => `int f${i + 1}(int);`).join('\n');
  const calls = Array.from({ length: FILES }, (_, i) => `f${i + 1}(5)`).join(' + ');
  files['main.c'] = `#include <stdio.h>\n${decls}\nint main(void) { printf("%d\\n", ${calls}); return 0; }\n`;
  const objs = [...Array.from({ length: FILES }, (_, i) => `f${i + 1}.o`), 'main.o'].join(' ');
  files['Makefile'] = `manyc: ${objs}\n\t$(CC) -o $@ ${objs}\n`;
  return files;
}

/** bash lines that try a TCP connection to each `address:port` and print whether it was reached. */
function probes(to: readonly string[]): string {
  return to.map((at) => `if (exec 3<>/dev/tcp/${at.replace(':', '/')}) 2>/dev/null; then echo "probe ${at}: reached"; else echo "probe ${at}: refused"; fi`).join('\n');
}

function portFiles(probe: readonly string[]): Record<string, string> {
  const files = sources();
  files['Portfile'] = `PKGNAME=manyc-1.0
COMMENT="Nine C files"
USE_DISTCC=yes
build() {
${probes(probe)}
make -j"$MAKE_JOBS" && ./manyc
}
install() { mkdir -p "$DESTDIR$PREFIX/bin" && cp manyc "$DESTDIR$PREFIX/bin/"; }
`;
  return files;
}

async function build(name: string, hostsLine: string, from: readonly string[] = ['--tree', tree]): Promise<Run> {
  const file = join(work, `${name}.hosts`);
  writeFileSync(file, `${hostsLine}\n`);
  const running = startKiln(['build', ...from, '--logdir', join(work, name, 'logs'), '--packages', join(work, name, 'packages'), '--plain', '--hosts', file,
    '--ssh-config', cluster.sshConfig]);
  const code = await running.exited;
  return buildResult(join(work, name, 'logs'), join(work, name, 'packages', 'All'), code, running.lines);
}

before(async () => {
  if (skip) return;
  work = await mkdtemp(join(tmpdir(), 'kiln-e2e-distcc-'));
  await chmod(work, 0o755); // local builds run as nobody
  cluster = await createCluster({ prefix: 'kdf', subnet: 77, hosts: 2 });
  for (const host of cluster.hosts) {
    await cluster.exec(host, ['sh', '-c', 'touch /tmp/distccd.log && chown nobody /tmp/distccd.log']);
    const started = await cluster.exec(host, ['distccd', '--daemon', '--listen', host.address, '--allow', '10.231.77.0/24', '--user', 'nobody',
      '--jobs', '2', '--log-file', '/tmp/distccd.log', '--log-level', 'info']);
    assert.equal(started.code, 0, started.stderr.toString());
  }
  const [a] = cluster.hosts;
  tree = join(work, 'tree');
  await makeTree(tree, { 'devel/manyc': portFiles([`${a!.address}:3632`, `${a!.address}:22`]) });
});

after(async () => {
  if (skip) return;
  await cluster.teardown();
  await rm(work, { recursive: true, force: true });
});

void test('a USE_DISTCC port compiles on the listed distccd servers, makes the same package, and its sandbox reaches nothing else', { skip, timeout: 120_000 }, async () => {
  const [a, b] = cluster.hosts;
  const farm = await build('farm', `localhost jobs=1 cores=1 distcc=${a!.address}/2,${b!.address}/2`);
  assert.equal(farm.code, 0, farm.lines.slice(-20).join('\n'));
  const log = await readFile(join(farm.logdir, 'packages', 'manyc-1.0.log'), 'utf8');
  assert.match(log, /distcc: compiling on .* 5 make jobs/, 'make jobs: its share (1) plus the farm\'s 4 slots');
  const sent = /distcc: (\d+) compilations sent \(\S+: (\d+), \S+: (\d+)\)/.exec(log);
  assert.ok(sent, log);
  assert.equal(Number(sent[1]), FILES + 1, log);
  const logged = await served();
  assert.deepEqual(logged, [Number(sent[2]), Number(sent[3])], 'each server\'s own log counts the compilations kiln sent it');
  assert.ok(logged.every((n) => n > 0), `both servers compiled: ${logged.join(', ')}`);
  assert.match(log, new RegExp(`probe ${a!.address}:3632: refused`));
  assert.match(log, new RegExp(`probe ${a!.address}:22: refused`));

  const alone = await build('alone', 'localhost jobs=1 cores=1');
  assert.equal(alone.code, 0, alone.lines.slice(-20).join('\n'));
  assert.doesNotMatch(await readFile(join(alone.logdir, 'packages', 'manyc-1.0.log'), 'utf8'), /distcc:/, 'a host without a farm compiles here');
  const [withFarm, without] = await Promise.all([farm, alone].map((run) => packageContents(join(run.all, 'manyc-1.0.tgz'))));
  assert.deepEqual(withFarm!.contents, without!.contents, 'the same files, byte for byte (+CONTENTS has their MD5s)');
});

void test('on an ssh host, the agent opens the same relay (its socket path short enough): its sandbox compiles on the farm and reaches nothing else', { skip, timeout: 120_000 }, async () => {
  const [a] = cluster.hosts;
  const remote = await build('remote', `${a!.name} jobs=1 distcc=${a!.address}/2`); // the hosts cannot reach each other: its own distccd
  assert.equal(remote.code, 0, remote.lines.slice(-20).join('\n'));
  assert.equal(remote.hosts.get('manyc-1.0'), a!.name);
  const log = await readFile(join(remote.logdir, 'packages', 'manyc-1.0.log'), 'utf8');
  assert.match(log, new RegExp(`distcc: ${FILES + 1} compilations sent`), log);
  assert.match(log, new RegExp(`probe ${a!.address}:3632: refused`));
});

/** How many compilations each server's distccd has logged so far. */
function served(): Promise<number[]> {
  return Promise.all(cluster.hosts.map(async (host) => {
    const text = (await cluster.exec(host, ['cat', '/tmp/distccd.log'])).stdout.toString();
    return (text.match(/COMPILE_OK/g) ?? []).length;
  }));
}

void test('a pkgsrc port whose mk.conf PKGSRC_COMPILER names distcc compiles on the farm through distcc.mk\'s own compiler links, and its sandbox reaches nothing else', { skip: skip ?? noBmake, timeout: 120_000 }, async (t) => {
  const [a, b] = cluster.hosts;
  const copy = await fixtureCopy();
  t.after(() => rm(copy.dir, { recursive: true, force: true }));
  await chmod(copy.dir, 0o755); // local builds run as nobody
  const port = join(copy.tree, 'devel', 'manyc');
  await mkdir(join(port, 'files', 'src'), { recursive: true });
  for (const [name, text] of Object.entries(sources())) await writeFile(join(port, 'files', 'src', name), text);
  await writeFile(join(port, 'Makefile'), 'PKGNAME=\tmanyc-1.0\nCATEGORIES=\tdevel\nUSE_TOOLS+=\tgmake\n\n.include "../../mk/bsd.pkg.mk"\n');
  await writeFile(join(port, 'files', 'build.sh'), `set -e\n${probes([`${a!.address}:3632`, `${a!.address}:22`])}\n` +
    'echo "CC is ${CC-unset}, cc is $(command -v cc)"\ncp "$(dirname "$0")"/src/* . && $BUILD_MAKE && ./manyc\n');
  await appendFile(join(copy.tree, 'devel', 'Makefile'), 'SUBDIR+=\tmanyc\n');
  const kitDir = join(copy.dir, 'kit-distcc');
  await cp(join(fixture, 'kit'), kitDir, { recursive: true, verbatimSymlinks: true });
  await appendFile(join(kitDir, 'usr/pkg/etc/mk.conf'), '.if ${PKGPATH} == "devel/manyc"\nPKGSRC_COMPILER=\tdistcc gcc\n.endif\n');
  const before = await served();
  const run = await build('pkgsrc', `localhost jobs=1 cores=1 distcc=${a!.address}/2,${b!.address}/2`,
    ['--tree', copy.tree, '--bootstrap-kit', makeKit(copy.dir, kitDir, 'kit-distcc.tgz'), 'devel/manyc']);
  assert.equal(run.code, 0, run.lines.slice(-20).join('\n'));
  const log = await readFile(join(run.logdir, 'packages', 'manyc-1.0.log'), 'utf8');
  assert.match(log, /distcc: compiling on .* 5 make jobs/, log);
  assert.match(log, /^CC is unset, cc is \/build\/work\/\S+\/\.distcc\/bin\/cc$/m, 'pkgsrc chose the compiler, not kiln');
  assert.match(log, new RegExp(`^${10 * FILES * (FILES + 1) / 2}$`, 'm'), 'the program ran: each fN(5) is 10 N');
  const sent = /distcc: (\d+) compilations sent \(\S+: (\d+), \S+: (\d+)\)/.exec(log);
  assert.ok(sent, log);
  assert.equal(Number(sent[1]), FILES + 1, log);
  const after = await served();
  assert.deepEqual(after.map((n, i) => n - before[i]!), [Number(sent[2]), Number(sent[3])], 'each server\'s own log counts the compilations kiln sent it');
  assert.match(log, new RegExp(`probe ${a!.address}:3632: refused`));
  assert.match(log, new RegExp(`probe ${a!.address}:22: refused`));
  assert.ok(existsSync(join(run.all, 'manyc-1.0.tgz')), 'the package is in the repository');
});
