import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { main } from '../main.js';

const dir = mkdtempSync(join(tmpdir(), 'kiln-simulate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'timestamp,pkgpath,pkgname,outcome,stage,make_jobs,duration,disk_usage,pre-clean,build,install,cpu:pre-clean,cpu:build,cpu:install';
// a (10 s) -> b (20 s); c (15 s) alone. b is a parallel build recorded at 4 make jobs.
writeFileSync(join(dir, 'graph'), 'a-1 -> b-1\nc-1 -> d-1\n');
writeFileSync(join(dir, 'history.gz'), gzipSync([
  HEADER,
  '1,cat/a,a-1,success,-,1,10000,0,1000,8000,1000,1000,8000,1000',
  '1,cat/b,b-1,success,-,4,20000,0,1000,18000,1000,1000,72000,1000',
  '1,cat/c,c-1,success,-,1,15000,0,1000,13000,1000,1000,13000,1000',
  '1,cat/d,d-1,success,-,1,5000,0,1000,3000,1000,1000,3000,1000',
].join('\n')));
writeFileSync(join(dir, 'hosts'), 'fast jobs=1 sf=2\nslow jobs=1 sf=1\n');

async function kiln(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (b: Buffer) => { out += b.toString(); });
  stderr.on('data', (b: Buffer) => { err += b.toString(); });
  const status = await main(args, { stdout, stderr, cwd: dir });
  return { status, out, err };
}

void test('--json prints the contract fields; fixed durations on two slots', async () => {
  const { status, out } = await kiln('simulate', '--graph', 'graph', '--history', 'history.gz', '--slots', '2', '--json');
  assert.equal(status, 0);
  const report = JSON.parse(out) as Record<string, unknown>;
  for (const key of ['makespan_s', 'lower_bound_s', 'critical_path_s', 'work_s', 'slots', 'cores', 'engine_s']) assert.ok(key in report, key);
  // a then b: 30 s; c then d: 20 s. Work 50 s over 2 slots: 25 s. Bound: 30 s.
  assert.deepEqual([report.makespan_s, report.lower_bound_s, report.critical_path_s, report.work_s, report.slots, report.cores],
    [30, 30, 30, 50, 2, null]);
  assert.equal(typeof report.engine_s, 'number');
});

void test('--cores shares cores as make jobs: b gets the cores it can use', async () => {
  const { out } = await kiln('simulate', '--graph', 'graph', '--history', 'history.gz', '--slots', '2', '--cores', '8', '--json');
  const report = JSON.parse(out) as { makespan_s: number; cores: number };
  assert.equal(report.cores, 8);
  assert.ok(report.makespan_s < 30, `${report.makespan_s}`);
});

void test('--hosts: slots in fastest-host equivalents for the bound; the history counts as the fastest host\'s', async () => {
  type Report = { makespan_s: number; lower_bound_s: number; slots: number };
  const mixed = JSON.parse((await kiln('simulate', '--graph', 'graph', '--history', 'history.gz', '--hosts', 'hosts', '--json')).out) as Report;
  // 50 s of work over 1 + 1/2 fastest-host slots: 33.3 s, above the 30 s path.
  assert.deepEqual([mixed.slots, mixed.lower_bound_s], [2, 33.3]);
  assert.ok(mixed.makespan_s >= 33.3, `${mixed.makespan_s}`);
  writeFileSync(join(dir, 'one-host'), 'only jobs=2 sf=4\n');
  const one = JSON.parse((await kiln('simulate', '--graph', 'graph', '--history', 'history.gz', '--hosts', 'one-host', '--json')).out) as Report;
  assert.equal(one.makespan_s, 30, 'one host: its speed is the largest, jobs take their recorded time');
});

void test('every --policy runs; a bad one is a usage error', async () => {
  for (const policy of ['kiln', 'pbulk', 'dpb', 'poudriere']) {
    assert.equal((await kiln('simulate', '--graph', 'graph', '--history', 'history.gz', '--policy', policy)).status, 0, policy);
  }
  const bad = await kiln('simulate', '--graph', 'graph', '--history', 'history.gz', '--policy', 'fifo');
  assert.equal(bad.status, 2);
  assert.match(bad.err, /--policy wants one of kiln, pbulk, dpb, poudriere/);
});

void test('missing options and files: usage error 2, an unusable input 4', async () => {
  assert.equal((await kiln('simulate', '--history', 'history.gz')).status, 2);
  const missing = await kiln('simulate', '--graph', 'nope', '--history', 'history.gz');
  assert.equal(missing.status, 4);
  assert.match(missing.err, /nope: no such file/);
  assert.equal((await kiln('simulate', '--graph', 'graph', '--history', 'history.gz', '--hosts', 'hosts', '--slots', '2')).status, 2);
});

const DATA = '../../shared/data/pkgsrc-smartos';

void test('the recorded 1,669-package build on 8 slots: kiln finishes on its 10.49 h critical path', { skip: !existsSync(join(dir, DATA)) && !existsSync('../shared/data/pkgsrc-smartos') && 'no shared data' }, async () => {
  const data = join(process.cwd(), '../shared/data/pkgsrc-smartos');
  const { out } = await kiln('simulate', '--graph', join(data, 'depgraph-bulk-large.gz'), '--history', join(data, 'history-bulk-large.gz'), '--slots', '8', '--json');
  const report = JSON.parse(out) as { makespan_s: number; critical_path_s: number; packages: number };
  assert.equal(report.packages, 1815);
  assert.equal(Math.round(report.critical_path_s / 36) / 100, 10.49);
  assert.equal(report.makespan_s, report.critical_path_s);
});
