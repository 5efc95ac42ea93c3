// kiln's make jobserver in a pkgsrc build (the fixture under Debian's
// bmake, whose mk files choose the build's make and its -j as pkgsrc's
// do): a bmake-driven port (bmake's -J token pipe), a GNU make one
// (USE_TOOLS=gmake: --jobserver-auth) and a MAKE_JOBS_SAFE=no one build at
// once. The bmake build runs more sub-jobs at once after the GNU make one
// ended than while it ran (its tokens moved over), and the
// MAKE_JOBS_SAFE=no port runs one at a time: pkgsrc still decides.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { profile, subJobsMakefile } from '../support/make-profile.js';
import { fixtureCopy, noBmake } from './pkgsrc-fixture.js';
import { kiln } from './scan-fixtures.js';

async function addPort(tree: string, name: string, count: number, seconds: number, extra: string): Promise<void> {
  const dir = join(tree, 'devel', name);
  await mkdir(join(dir, 'files'), { recursive: true });
  await writeFile(join(dir, 'Makefile'), `PKGNAME=\t${name}-1.0\nCATEGORIES=\tdevel\n${extra}\n.include "../../mk/bsd.pkg.mk"\n`);
  await writeFile(join(dir, 'files', 'jobs.mk'), subJobsMakefile(count, seconds));
  await writeFile(join(dir, 'files', 'build.sh'),
    `set -e\n$BUILD_MAKE -f ${join(dir, 'files', 'jobs.mk')}\necho "build over $(date +%s.%N)"\nprintf '#!/bin/sh\\necho ${name}\\n' > ${name}\n`);
}

/** When a job's log says its last stage ended (epoch seconds). */
function jobEnd(log: string): number {
  const starts = [...log.matchAll(/^===> kiln: \S+ for .* at (\S+Z)$/gm)];
  const took = [...log.matchAll(/^===> kiln: \S+ done in (\d+\.\d+) s/gm)];
  return Date.parse(starts[starts.length - 1]?.[1] ?? '') / 1000 + Number(took[took.length - 1]?.[1]);
}

void test('pkgsrc builds take the host\'s make jobserver: bmake\'s -J and GNU make\'s pipe; MAKE_JOBS_SAFE=no stays at one', { skip: noBmake, timeout: 120_000 }, async (t) => {
  const work = await fixtureCopy();
  t.after(() => rm(work.dir, { recursive: true, force: true }));
  await chmod(work.dir, 0o755); // local builds run as nobody
  await addPort(work.tree, 'gnubuild', 12, 0.5, 'USE_TOOLS+=\tgmake');
  await addPort(work.tree, 'bmakebuild', 96, 0.3, '');
  await addPort(work.tree, 'serial', 4, 0.3, 'MAKE_JOBS_SAFE=\tno');
  // Thresholds no machine reaches: the three start together however loaded the machine running the test is.
  const hosts = join(work.dir, 'hosts');
  await writeFile(hosts, 'localhost jobs=3 cores=6 max-psi=100 max-load=10000\n');
  const logdir = join(work.dir, 'logs');
  const run = await kiln(['build', '--tree', work.tree, '--bootstrap-kit', work.kit, '--logdir', logdir, '--packages', join(work.dir, 'packages'),
    '--plain', '--hosts', hosts, 'devel/gnubuild', 'devel/bmakebuild', 'devel/serial']);
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  const logOf = (name: string): string => readFileSync(join(logdir, 'packages', `${name}-1.0.log`), 'utf8');
  const long = logOf('bmakebuild');
  const short = profile(logOf('gnubuild'));
  const serial = profile(logOf('serial'));
  const grown = profile(long);
  const started = Number(/make jobserver: started with (\d+) make jobs of the host's 6, ran up to \d+ at once/.exec(long)?.[1]);
  assert.ok(started >= 1 && started < 6, `the bmake build's log names its starting share: ${long.slice(-400)}`);

  // While the GNU make build ran, the bmake one had what was left of 6; once
  // every other job had ended (their install and package stages too), all 6.
  const settled = short.started + 0.8;
  const before = grown.most(settled, short.over - 0.1);
  const alone = Math.max(jobEnd(logOf('gnubuild')), jobEnd(logOf('serial')));
  const after = grown.most(alone, grown.over);
  assert.ok(short.over - settled > 0.5 && grown.over > alone + 1, 'the builds overlapped as planned');
  const all = profile(logOf('gnubuild') + long + logOf('serial'));
  assert.ok(all.most(settled, Infinity) <= 6, `the three builds ran ${all.most(settled, Infinity)} sub-jobs at once on 6 cores`);
  assert.ok(after >= 5, `alone, the bmake build ran ${after} sub-jobs at once on 6 cores (it started with ${started} make jobs)`);
  assert.ok(after > before && after > started, `the bmake build ran ${before} at once beside the GNU make one, ${after} once alone`);
  assert.ok(short.most(0, Infinity) >= 2, 'the GNU make build ran in parallel through the pipe');
  assert.equal(serial.most(0, Infinity), 1, 'MAKE_JOBS_SAFE=no: one sub-job at a time');
  assert.doesNotMatch(logOf('gnubuild'), /resetting jobserver mode/, 'GNU make kept the pipe: no -jN beside it');
});
