// The distcc farm on this machine: a compile-heavy Portfile port (FILES C
// files at -O2) built by `kiln build` on localhost without a farm, and with
// `distcc=` naming distccd on two network-namespace hosts. Prints the build
// phase's wall time of each, their ratio and the compilations sent.
//
//   npm run -s build && node dist/bench/distcc-farm.js [--pin]
//
// The namespaces share this machine's cores, so the farm brings no CPU of
// its own: a ratio near (or under) 1 is what it honestly shows here.
// `--pin` emulates separate machines on a 2-core box: kiln and its sandboxes
// on CPU 0 only, each distccd on CPU 1 (taskset), so the farm's core is one
// the builder could not use. Needs root and Debian's distcc. Nothing here is a test.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { createCluster } from '../test/support/netns-hosts.js';
import { makeTree } from '../test/support/fixture-tree.js';
import { KILN } from '../test/support/kiln-process.js';

const FILES = 16;
const { values } = parseArgs({ options: { pin: { type: 'boolean', default: false } } });
const pin = values.pin === true;

function heavySource(n: number): string {
  const fns = Array.from({ length: 60 }, (_, k) => `double g${n}_${k}(double *v, int len) {
  double s = 0; for (int i = 0; i < len; i++) { for (int j = 0; j < ${k % 7 + 2}; j++) s += v[i] * ${k + 1}.0 / (j + 1) + (s > 1e9 ? -s : 0); } return s;
}`).join('\n');
  return `${fns}\ndouble f${n}(double *v, int len) { return ${Array.from({ length: 60 }, (_, k) => `g${n}_${k}(v, len)`).join(' + ')}; }\n`;
}

const work = mkdtempSync(join(tmpdir(), 'kiln-bench-distcc-'));
chmodSync(work, 0o755);
const cluster = await createCluster({ prefix: 'kdb', subnet: 78, hosts: 2 });
try {
  for (const host of cluster.hosts) {
    await cluster.exec(host, ['sh', '-c', 'touch /tmp/distccd.log && chown nobody /tmp/distccd.log']);
    await cluster.exec(host, [...(pin ? ['taskset', '-c', '1'] : []), 'distccd', '--daemon', '--listen', host.address, '--allow', '10.231.78.0/24',
      '--user', 'nobody', '--jobs', '2', '--log-file', '/tmp/distccd.log', '--log-level', 'info']);
  }
  const files: Record<string, string> = {};
  for (let i = 1; i <= FILES; i++) files[`f${i}.c`] = heavySource(i);
  const objs = Array.from({ length: FILES }, (_, i) => `f${i + 1}.o`).join(' ');
  files['main.c'] = `#include <stdio.h>\n${Array.from({ length: FILES }, (_, i) => `double f${i + 1}(double *, int);`).join('\n')}\nint main(void) { double v[4] = {1, 2, 3, 4}; printf("%f\\n", f1(v, 4)); return 0; }\n`;
  files['Makefile'] = `CFLAGS = -O2\nheavy: ${objs} main.o\n\t$(CC) -o $@ ${objs} main.o\n`;
  files['Portfile'] = 'PKGNAME=heavy-1.0\nCOMMENT="Compile-heavy"\nUSE_DISTCC=yes\nbuild() { make -j"$MAKE_JOBS"; }\ninstall() { mkdir -p "$DESTDIR$PREFIX/bin" && cp heavy "$DESTDIR$PREFIX/bin/"; }\n';
  const tree = join(work, 'tree');
  await makeTree(tree, { 'devel/heavy': files });
  const run = (name: string, hostsLine: string): { buildS: number; log: string } => {
    writeFileSync(join(work, `${name}.hosts`), `${hostsLine}\n`);
    const argv = ['build', '--tree', tree, '--hosts', join(work, `${name}.hosts`), '--logdir', join(work, name), '--packages', join(work, `${name}-pk`), '--plain'];
    const done = spawnSync(pin ? 'taskset' : process.execPath, pin ? ['-c', '0', process.execPath, KILN, ...argv] : [KILN, ...argv], { encoding: 'utf8' });
    if (done.status !== 0) throw new Error(`${name}: kiln exited ${done.status}: ${done.stdout.slice(-2000)}${done.stderr}`);
    const log = readFileSync(join(work, name, 'packages', 'heavy-1.0.log'), 'utf8');
    const buildS = Number(/===> kiln: build done in ([\d.]+) s/.exec(log)?.[1]);
    return { buildS, log };
  };
  const [a, b] = cluster.hosts;
  const alone = run('alone', 'localhost jobs=1');
  const farm = run('farm', `localhost jobs=1 distcc=${a!.address}/2,${b!.address}/2`);
  const sent = /distcc: (\d+) compilations sent \(([^)]*)\)/.exec(farm.log);
  const jobs = /; (\d+) make jobs/.exec(farm.log)?.[1];
  console.log(`${pin ? 'pinned (builder CPU 0, distccd CPU 1)' : 'unpinned (all share 2 cores)'}: ${FILES + 1} C files`);
  console.log(`build phase without the farm: ${alone.buildS.toFixed(2)} s`);
  console.log(`build phase with the farm:    ${farm.buildS.toFixed(2)} s (${jobs ?? '?'} make jobs; ${sent?.[1] ?? '?'} compilations sent: ${sent?.[2] ?? '?'})`);
  console.log(`speedup: ${(alone.buildS / farm.buildS).toFixed(2)}x`);
} finally {
  await cluster.teardown();
  rmSync(work, { recursive: true, force: true });
}
