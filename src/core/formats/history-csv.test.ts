import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { parseHistoryCsv } from './history-csv.js';

const HEADER = 'timestamp,pkgpath,pkgname,outcome,stage,make_jobs,duration,disk_usage,pre-clean,depends,build,install,cpu:pre-clean,cpu:depends,cpu:build,cpu:install';

void test('reads a row: seconds from ms, "-" as not measured, phases in column order', () => {
  const { records, problems } = parseHistoryCsv(`${HEADER}\n1772211204,mail/mutt,mutt-2.2.16nb1,success,-,4,126187,40790933,559,20989,28279,5721,468,-,94471,6212\n`);
  assert.deepEqual(problems, []);
  assert.deepEqual(records, [{
    pkgpath: 'mail/mutt', pkgname: 'mutt-2.2.16nb1', host: '', makeJobs: 4, outcome: 'built',
    wallS: 126.187, cpuS: (468 + 94471 + 6212) / 1000, logBytes: undefined, at: 1772211204,
    phases: [
      { phase: 'pre-clean', wallS: 0.559, cpuS: 0.468 }, { phase: 'depends', wallS: 20.989, cpuS: 0 },
      { phase: 'build', wallS: 28.279, cpuS: 94.471 }, { phase: 'install', wallS: 5.721, cpuS: 6.212 },
    ],
  }]);
});

void test('a failed build, and make jobs "-" (none recorded) as one', () => {
  const { records } = parseHistoryCsv(`${HEADER}\n1,graphics/ImageMagick,ImageMagick-7.1.2.13,failed,configure,-,5000,0,1,2,-,-,1,-,-,-\n`);
  assert.equal(records[0]!.outcome, 'failed');
  assert.equal(records[0]!.makeJobs, 1);
  assert.deepEqual(records[0]!.phases.map((p) => p.phase), ['pre-clean', 'depends']);
});

void test('bad rows are reported with their line, the rest is read', () => {
  const { records, problems } = parseHistoryCsv(`${HEADER}\n1,a/b,b-1,success\n2,a/c,c-1,success,-,1,x,0,1,1,1,1,1,1,1,1\n3,a/d,d-1,success,-,1,1000,0,1,1,1,1,1,1,1,1\n`);
  assert.deepEqual(records.map((r) => r.pkgname), ['d-1']);
  assert.deepEqual(problems.map((p) => p.line), [2, 3]);
});

void test('a header without the needed columns is one problem, no records', () => {
  const { records, problems } = parseHistoryCsv('a,b,c\n1,2,3\n');
  assert.equal(records.length, 0);
  assert.match(problems[0]!.reason, /pkgpath, pkgname, duration/);
});

const BULK = '../shared/data/pkgsrc-smartos/history-bulk-large.gz';

void test('the recorded 1,669-package build reads whole: 65.7 h of wall work', { skip: !existsSync(BULK) && 'no shared data' }, () => {
  const { records, problems } = parseHistoryCsv(gunzipSync(readFileSync(BULK)).toString());
  assert.deepEqual(problems, []);
  assert.equal(records.length, 1669);
  const work = records.reduce((sum, r) => sum + r.wallS, 0);
  assert.equal(Math.round(work / 360) / 10, 65.7);
});
