// kiln's make jobserver in a real build: three ports build at once in
// bubblewrap sandboxes with GNU make. Each make's sub-jobs say when they
// start and end; the long build runs more sub-jobs at once after the short
// one ended than while it ran (the short build's tokens moved to it), and
// the MAKE_JOBS_SAFE=no port runs one at a time throughout. On a remote
// host (a network namespace with its own sshd; run under the netns lock)
// the agent owns the jobserver, not each job's runner: two builds there
// never run more make jobs in all than the host's cores, and the freed
// cores move there too.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { profile, subJobsMakefile } from '../support/make-profile.js';
import { clusterUnavailable, createCluster } from '../support/netns-hosts.js';
import { kiln, makeTree } from './scan-fixtures.js';

const port = (name: string, count: number, seconds: number, extra = ''): Record<string, string> => ({
  [`tree/misc/${name}/Portfile`]: `PKGNAME=${name}-1.0
${extra}
build() {
\tmake -f jobs.mk
\techo "build over $(date +%s.%N)"
}
install() { mkdir -p "$DESTDIR$PREFIX/share"; echo ok >"$DESTDIR$PREFIX/share/${name}"; }
`,
  [`tree/misc/${name}/jobs.mk`]: subJobsMakefile(count, seconds),
});

/** Builds misc/short, misc/long and misc/serial at once on `host` (6 cores) and checks how their make jobs moved. */
async function buildThree(host: string, more: readonly string[] = []): Promise<void> {
  const root = await makeTree({
    ...port('short', 12, 0.5),
    ...port('long', 48, 0.3),
    ...port('serial', 4, 0.3, 'MAKE_JOBS_SAFE=no'),
  });
  try {
    // Thresholds no machine reaches: the three start together however loaded the machine running the test is.
    const hosts = join(root, 'hosts');
    writeFileSync(hosts, `${host} jobs=3 cores=6 max-psi=100 max-load=10000\n`);
    const logdir = join(root, 'logs');
    const run = await kiln(['build', '--tree', join(root, 'tree'), '--logdir', logdir, '--packages', join(root, 'packages'), '--plain',
      '--hosts', hosts, ...more, 'misc/short', 'misc/long', 'misc/serial']);
    assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
    const logOf = (name: string): string => readFileSync(join(logdir, 'packages', `${name}-1.0.log`), 'utf8');
    const long = logOf('long');
    const short = profile(logOf('short'));
    const serial = profile(logOf('serial'));
    const grown = profile(long);
    const started = Number(/make jobserver: started with (\d+) make jobs of the host's 6, ran up to (\d+) at once/.exec(long)?.[1]);
    assert.ok(started >= 1 && started < 6, `the long build's log names its starting share: ${long.slice(-400)}`);

    // Idle tokens are lent at once: while the short build had not begun its
    // make, the long one may borrow them; it gives them back as its sub-jobs
    // end (0.3 s) and the next look (0.2 s) hands them to their owner.
    const settled = short.started + 0.8;
    const before = grown.most(settled, short.over - 0.1);
    const after = grown.most(short.over, grown.over);
    const all = profile(logOf('short') + logOf('long') + logOf('serial'));
    assert.ok(all.most(settled, Infinity) <= 6, `the three builds ran ${all.most(settled, Infinity)} sub-jobs at once on 6 cores`);
    assert.ok(short.over - settled > 0.5 && grown.over > short.over + 0.5, 'the builds overlapped as planned');
    assert.ok(after >= 5, `alone, the long build ran ${after} sub-jobs at once on 6 cores (it started with ${started} make jobs)`);
    assert.ok(after > before && after > started, `the long build ran ${before} at once beside the short one, ${after} after it ended`);
    assert.equal(serial.most(0, Infinity), 1, 'MAKE_JOBS_SAFE=no: one sub-job at a time');
    assert.ok(short.most(0, Infinity) >= 2, 'the short build ran in parallel too');
    assert.match(long, /make jobserver: started with \d+ make jobs of the host's 6, ran up to [56] at once/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

void test('freed cores move to the build still running; MAKE_JOBS_SAFE=no stays at one', () => buildThree('localhost'));

const skip = clusterUnavailable();

void test('on a remote host the agent shares its cores among the jobs of every runner', { skip, timeout: 120_000 }, async () => {
  const cluster = await createCluster({ prefix: 'kjs', subnet: 48, hosts: 1 });
  try {
    await buildThree(cluster.hosts[0]!.name, ['--ssh-config', cluster.sshConfig]);
  } finally {
    await cluster.teardown();
  }
});
