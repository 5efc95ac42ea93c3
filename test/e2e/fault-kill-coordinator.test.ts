// The coordinator SIGKILLed at many points of a real build, then the same
// command run again until it ends: every time the final statuses and the
// packages (byte for byte: SOURCE_DATE_EPOCH) are those of an uninterrupted
// run, no package was written twice, the repository holds no half-written
// file, no lock of a finished port is left, and the killed process's
// scratch directories are gone. The points are the named kill points
// (KILN_KILL_AT: the process kills itself there, as precisely as a test can
// ask) and kills from outside at seeded random moments.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { DIAMOND, makeDurableTree } from '../support/durable-tree.js';
import { buildToTheEnd, kilnBuild, outcomeOf, type RunDirs, type RunOutcome } from '../support/kiln-runs.js';
import { assertRecordsOnce } from '../support/records-check.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-faults-'));
const tree = join(work, 'tree');
let baseline: RunOutcome;
let n = 0;

function dirs(): RunDirs {
  const dir = join(work, `run${++n}`);
  return { tree, logdir: join(dir, 'logs'), packages: join(dir, 'packages') };
}

before(async () => {
  await makeDurableTree(tree, { ...DIAMOND, c: { deps: ['b'], delay: 0.2 }, e: { deps: ['b', 'd'], delay: 0.2 } });
  const d = dirs();
  const result = await kilnBuild(d);
  assert.equal(result.code, 1, result.stderr); // bad fails, as it should
  baseline = outcomeOf(d);
});
after(() => rmSync(work, { recursive: true, force: true }));

/** What every resumed build must end with. */
function assertSameAsUninterrupted(d: RunDirs, killed: readonly number[], what: string, outputs: readonly string[]): void {
  assertRecordsOnce(d.logdir, outputs, what);
  const outcome = outcomeOf(d);
  assert.deepEqual(outcome.statuses, baseline.statuses, `${what}: final statuses`);
  assert.equal(outcome.sums, baseline.sums, `${what}: packages and index`);
  for (const [pkgname, writes] of Object.entries(outcome.writes)) assert.ok(writes <= 1, `${what}: ${pkgname} written ${writes} times`);
  assert.deepEqual(outcome.partial, [], `${what}: half-written files in the repository`);
  assert.deepEqual(outcome.locks, ['cat/bad'], `${what}: only the failed port keeps its lock`);
  const report = JSON.parse(readFileSync(join(d.logdir, 'report.json'), 'utf8')) as { packages: { pkgname: string; status: string; host: string | null }[] };
  for (const p of report.packages) if (p.status === 'done') assert.notEqual(p.host, null, `${what}: the report knows where ${p.pkgname} was built`);
  const scratch = readdirSync(tmpdir()).filter((name) => killed.some((pid) => name.includes(`-${pid}-`) && name.startsWith('kiln-')));
  assert.deepEqual(scratch, [], `${what}: scratch directories of the killed process`);
}

export const KILL_POINTS = [
  'scanned-port:1', 'scanned-port:5', 'scanned-port:8', 'resolved', 'planned',
  'start-recorded:1', 'start-recorded:3', 'start-recorded:5',
  'phase-depends:2', 'phase-build:1', 'phase-build:4', 'phase-install:3', 'phase-package:1', 'phase-package:6',
  'job-result:1', 'job-result:4', 'job-result:7', 'job-recorded:2', 'job-recorded:5',
  'indexed', 'reporting', 'finishing',
];

describe('the coordinator killed at a named point, then resumed', { concurrency: 3 }, () => {
  for (const point of KILL_POINTS) {
    test(point, async () => {
      const d = dirs();
      const results = await buildToTheEnd(d, { env: { KILN_KILL_AT: point } });
      assert.equal(results[0]!.signal, 'SIGKILL', `${point} was reached`);
      assert.equal(results.length, 2, 'one more run finishes it');
      assert.equal(results[1]!.code, 1, results[1]!.stderr);
      assert.match(results[1]!.stdout, /run 1 resumed/);
      assertSameAsUninterrupted(d, [results[0]!.pid], point, results.map((r) => r.stdout));
    });
  }

  test('killed again while resuming, three times over', async () => {
    const d = dirs();
    const killed: number[] = [];
    const outputs: string[] = [];
    for (const point of ['start-recorded:2', 'phase-build:1', 'job-recorded:1']) {
      const r = await kilnBuild(d, { env: { KILN_KILL_AT: point } });
      assert.equal(r.signal, 'SIGKILL', point);
      killed.push(r.pid);
      outputs.push(r.stdout);
    }
    const last = await kilnBuild(d);
    assert.equal(last.code, 1, last.stderr);
    assertSameAsUninterrupted(d, killed, 'three kills', [...outputs, last.stdout]);
  });
});

describe('the coordinator killed from outside at random moments, then resumed', { concurrency: 2 }, () => {
  // A seeded generator, so a failing moment can be tried again.
  let seed = 20261121;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < 6; i++) {
    const delayMs = Math.round(200 + next() * 1600);
    test(`SIGKILL after ${delayMs} ms`, async () => {
      const d = dirs();
      let timer: NodeJS.Timeout | undefined;
      const first = await kilnBuild(d, { started: (pid) => { timer = setTimeout(() => process.kill(pid, 'SIGKILL'), delayMs); } });
      clearTimeout(timer); // a build that ended first is not killed (nor a process that later got its pid)
      const results = first.signal === 'SIGKILL' ? [first, await kilnBuild(d)] : [first];
      assert.equal(results.at(-1)!.code, 1, results.at(-1)!.stderr);
      assertSameAsUninterrupted(d, results.filter((r) => r.signal === 'SIGKILL').map((r) => r.pid), `killed after ${delayMs} ms`, results.map((r) => r.stdout));
    });
  }
});
