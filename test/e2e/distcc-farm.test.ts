// The distcc compile farm, end to end: two network-namespace hosts run
// Debian's distccd; a Portfile port of nine C files with USE_DISTCC=yes is
// built on this machine with `distcc=` naming them. Its compilations reach
// both servers (their logs, and the count kiln's relay notes in the job's
// log), its package is the one built without the farm, and the sandbox
// still reaches nothing else: the build's own TCP probes of a server's
// distccd and sshd fail.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { clusterUnavailable, createCluster, type NetnsCluster } from '../support/netns-hosts.js';
import { startKiln } from '../support/kiln-process.js';
import { buildResult, type Run } from '../support/build-result.js';
import { makeTree } from '../support/fixture-tree.js';
import { packageContents } from '../support/package-contents.js';

const FILES = 8;
const skip = clusterUnavailable() ?? (spawnSync('distccd', ['--version']).status === 0 ? undefined : 'distccd is not installed (apt-get install distcc)');
let cluster: NetnsCluster;
let work: string;
let tree: string;

function portFiles(probe: readonly string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= FILES; i++) files[`f${i}.c`] = `int f${i}(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * ${i}; return s; }\n`;
  const decls = Array.from({ length: FILES }, (_, i) => `int f${i + 1}(int);`).join('\n');
  const calls = Array.from({ length: FILES }, (_, i) => `f${i + 1}(5)`).join(' + ');
  files['main.c'] = `#include <stdio.h>\n${decls}\nint main(void) { printf("%d\\n", ${calls}); return 0; }\n`;
  const objs = [...Array.from({ length: FILES }, (_, i) => `f${i + 1}.o`), 'main.o'].join(' ');
  files['Makefile'] = `manyc: ${objs}\n\t$(CC) -o $@ ${objs}\n`;
  const probes = probe.map((to) => `if (exec 3<>/dev/tcp/${to.replace(':', '/')}) 2>/dev/null; then echo "probe ${to}: reached"; else echo "probe ${to}: refused"; fi`).join('\n');
  files['Portfile'] = `PKGNAME=manyc-1.0
COMMENT="Nine C files"
USE_DISTCC=yes
build() {
${probes}
make -j"$MAKE_JOBS" && ./manyc
}
install() { mkdir -p "$DESTDIR$PREFIX/bin" && cp manyc "$DESTDIR$PREFIX/bin/"; }
`;
  return files;
}

async function build(name: string, hostsLine: string): Promise<Run> {
  const file = join(work, `${name}.hosts`);
  writeFileSync(file, `${hostsLine}\n`);
  const running = startKiln(['build', '--tree', tree, '--logdir', join(work, name, 'logs'), '--packages', join(work, name, 'packages'), '--plain', '--hosts', file,
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
  const served = await Promise.all([a!, b!].map(async (host) => {
    const text = (await cluster.exec(host, ['cat', '/tmp/distccd.log'])).stdout.toString();
    return (text.match(/COMPILE_OK/g) ?? []).length;
  }));
  assert.deepEqual(served, [Number(sent[2]), Number(sent[3])], 'each server\'s own log counts the compilations kiln sent it');
  assert.ok(served.every((n) => n > 0), `both servers compiled: ${served.join(', ')}`);
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
