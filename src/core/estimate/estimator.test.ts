import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DEFAULT_ESTIMATE, Estimator, nameStem, recordsForArch, type RecordedJob } from './estimator.js';

const job = (pkgname: string, pkgpath: string, wallS: number, outcome: RecordedJob['outcome'] = 'built'): RecordedJob => ({
  pkgname, pkgpath, wallS, cpuS: wallS * 2, makeJobs: 4, outcome,
  phases: [{ phase: 'build', wallS: wallS / 2, cpuS: wallS }],
});

const history = [
  job('py313-six-1.17.0', 'lang/py-six', 30), job('gcc12-12.5.0', 'lang/gcc12', 7800),
  job('bash-5.3.9', 'shells/bash', 100), job('zsh-5.9', 'shells/zsh', 200), job('ksh-93', 'shells/ksh', 300),
  job('broken-1', 'x/broken', 5, 'failed'), job('broken-1', 'x/broken', 50),
];
const estimator = new Estimator(history);

void test('a package built before takes its recorded times', () => {
  assert.deepEqual(estimator.estimate('gcc12-12.5.0'), {
    wallS: 7800, cpuS: 15600, buildWallS: 3900, buildCpuS: 7800, makeJobs: 4, source: 'history',
  });
});

void test('a built record beats a failed one of the same package', () => {
  assert.equal(estimator.estimate('broken-1').wallS, 50);
});

void test('unknown ports: the same pkgpath, then the same name for another language version, then the median', () => {
  const table: [string, string | undefined, number][] = [
    ['gcc12-12.6.0', 'lang/gcc12', 7800],
    ['py312-six-1.17.0', undefined, 30],
    ['fish-3.0', 'shells/fish', 100],
  ];
  for (const [pkgname, pkgpath, wallS] of table) {
    const e = estimator.estimate(pkgname, pkgpath);
    assert.equal(e.wallS, wallS, pkgname);
    assert.equal(e.source, 'estimate', pkgname);
  }
});

void test('never zero: an empty history and a zero-time median give a default', () => {
  assert.deepEqual(new Estimator([]).estimate('x-1'), DEFAULT_ESTIMATE);
  assert.equal(new Estimator([job('zero-1', 'a/zero', 0)]).estimate('y-1').wallS, DEFAULT_ESTIMATE.wallS);
});

void test('name stems drop the version and a language-version prefix', () => {
  assert.deepEqual(['py312-six-1.17.0', 'gcc12-libs-12.5.0nb1', 'ruby33-rake-13.0', 'p5-Foo-1.0'].map(nameStem),
    ['six', 'gcc12-libs', 'rake', 'p5-Foo']);
});

void test('the disk a port needed last time comes only from its own builds, never from another port\'s', () => {
  const big = (pkgname: string, pkgpath: string, diskMiB: number): RecordedJob => ({ ...job(pkgname, pkgpath, 100), diskMiB });
  const e = new Estimator([big('gcc12-12.5.0', 'lang/gcc12', 4096), big('bash-5.3.9', 'shells/bash', 20), job('zsh-5.9', 'shells/zsh', 50)]);
  assert.equal(e.estimate('gcc12-12.5.0', 'lang/gcc12').diskMiB, 4096);
  assert.equal(e.estimate('gcc12-12.6.0', 'lang/gcc12').diskMiB, 4096, 'a new version of the same port');
  assert.equal(e.estimate('gcc13-13.1.0', 'lang/gcc13').diskMiB, undefined, 'another port guessed from its name stem');
  assert.equal(e.estimate('zsh-5.9', 'shells/zsh').diskMiB, undefined, 'never measured');
});

void test('a build for one arch estimates a port from its records of that arch, else from the others unscaled', () => {
  const on = (arch: string | undefined, record: RecordedJob): RecordedJob => ({ ...record, ...(arch !== undefined && { arch }) });
  const mixed = [
    on('aarch64', job('gcc12-12.5.0', 'lang/gcc12', 20000)), on('x86_64', job('gcc12-12.5.0', 'lang/gcc12', 7800)),
    on(undefined, job('bash-5.3.9', 'shells/bash', 100)), on('x86_64', job('zsh-5.9', 'shells/zsh', 200)),
  ];
  const arm = new Estimator(recordsForArch(mixed, 'aarch64'));
  assert.equal(arm.estimate('gcc12-12.5.0').wallS, 20000, 'its own arch, though an x86_64 record is later');
  assert.equal(arm.estimate('zsh-5.9').wallS, 200, 'no aarch64 record: the x86_64 one as it is');
  assert.equal(arm.estimate('bash-5.3.9').wallS, 100, 'no aarch64 record: one of unknown arch as it is');
  assert.equal(new Estimator(recordsForArch(mixed, 'x86_64')).estimate('gcc12-12.5.0').wallS, 7800);
  assert.equal(new Estimator(recordsForArch(mixed, undefined)).estimate('gcc12-12.5.0').wallS, 7800, 'no arch given: every record, the latest wins');
});
