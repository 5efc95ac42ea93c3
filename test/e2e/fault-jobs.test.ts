// Faults of single jobs with the real `kiln build`: a job's process killed
// from outside (a failure of its phase, `killed`; the rest goes on); a job
// whose log stops growing (`stuck`); one that runs past its time limit
// (`timeout`); and a coordinator SIGKILLed mid-job leaves no process of the
// job behind, and the job starts again on resume. Processes are found by a
// sleep whose length no other process uses.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { makeDurableTree, type FixturePort } from '../support/durable-tree.js';
import { kilnBuild, outcomeOf, type RunDirs } from '../support/kiln-runs.js';
import { waitFor } from '../support/run-command.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-jobfaults-'));
after(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

async function fresh(ports: Readonly<Record<string, FixturePort>>): Promise<RunDirs> {
  const dir = join(work, `case${++n}`);
  const d = { tree: join(dir, 'tree'), logdir: join(dir, 'logs'), packages: join(dir, 'packages') };
  await makeDurableTree(d.tree, ports);
  return d;
}

/** Pids of processes running `sleep <seconds>`. */
function sleepers(seconds: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8') === `sleep\0${seconds}\0`) found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

interface ReportPackage { pkgname: string; status: string; phase: string | null; error: string | null }
const reportOf = (d: RunDirs): Map<string, ReportPackage> =>
  new Map((JSON.parse(readFileSync(join(d.logdir, 'report.json'), 'utf8')) as { packages: ReportPackage[] }).packages.map((p) => [p.pkgname, p]));

describe('faults of one job', () => {
  test('a job process killed from outside fails its phase as killed; the rest is built', async () => {
    const d = await fresh({ victim: { delay: 7.71 }, after: { deps: ['victim'] }, other: { delay: 1 } });
    const running = kilnBuild(d);
    assert.ok(await waitFor(() => sleepers('7.71').length > 0, 20_000), 'the victim builds');
    for (const pid of sleepers('7.71')) process.kill(pid, 'SIGKILL');
    const result = await running;
    assert.equal(result.code, 1);
    const report = reportOf(d);
    assert.deepEqual([report.get('victim-1.0')?.status, report.get('victim-1.0')?.phase, report.get('victim-1.0')?.error], ['failed', 'build', 'killed']);
    assert.equal(report.get('after-1.0')?.status, 'indirect-failed');
    assert.equal(report.get('other-1.0')?.status, 'done');
    assert.deepEqual(outcomeOf(d).locks, ['cat/victim'], 'the failure keeps its lock');
  });

  test('a job whose log stops growing is killed as stuck, in the phase it was in', async () => {
    const d = await fresh({ quiet: { delay: 30.21 }, other: {} });
    const started = Date.now();
    const result = await kilnBuild(d, { args: ['--stuck-after', '2'] });
    assert.equal(result.code, 1, result.stderr);
    assert.ok(Date.now() - started < 20_000, 'not the 30 s the build would take');
    const quiet = reportOf(d).get('quiet-1.0');
    assert.deepEqual([quiet?.status, quiet?.phase, quiet?.error], ['failed', 'build', 'stuck']);
    assert.deepEqual(sleepers('30.21'), [], 'nothing of it runs');
    assert.equal(reportOf(d).get('other-1.0')?.status, 'done');
  });

  test('a job past its time limit is killed as timeout', async () => {
    const d = await fresh({ slow: { delay: 30.22 } });
    const result = await kilnBuild(d, { args: ['--timeout', '2'] });
    assert.equal(result.code, 1, result.stderr);
    const slow = reportOf(d).get('slow-1.0');
    assert.deepEqual([slow?.status, slow?.phase, slow?.error], ['failed', 'build', 'timeout']);
    assert.deepEqual(sleepers('30.22'), []);
  });

  test('a SIGKILLed coordinator leaves no process of its jobs; the resumed run builds them again', async () => {
    const d = await fresh({ long: { delay: 9.87 }, short: {} });
    const first = kilnBuild(d);
    assert.ok(await waitFor(() => sleepers('9.87').length > 0, 20_000));
    const log = join(d.logdir, 'packages', 'long-1.0.log');
    const pid = Number(readFileSync(join(d.logdir, 'kiln.lock'), 'utf8').match(/^kiln=(\d+) on /m)![1]);
    process.kill(pid, 'SIGKILL');
    assert.equal((await first).signal, 'SIGKILL');
    assert.ok(await waitFor(() => sleepers('9.87').length === 0, 5_000), 'the job died with its coordinator');
    const resumed = await kilnBuild(d);
    assert.equal(resumed.code, 0, resumed.stdout);
    assert.match(readFileSync(`${log}.1`, 'utf8'), /building long/, 'the killed attempt\'s log is kept');
    assert.equal(reportOf(d).get('long-1.0')?.status, 'done');
  });
});
