// Ports that aim kiln's own file operations (run as root) at host files:
// the real `kiln build` on a tree this test writes, with canary files it
// plants. What a trusted builder must do: the canaries keep their owner,
// mode and content, no package holds their secret, each hostile port ends
// failed in the phase of its own fault, its log saying why (never host
// trouble, never retried), and the plain ports beside them build. (The
// error class is read from the log: `build error`, `package error`.)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { leaksIn, LONG_PKGNAME, plantCanaries, writeHostileTree } from '../support/hostile-tree.js';
import { kiln, type KilnRun } from './scan-fixtures.js';

interface ReportPackage {
  readonly pkgname: string; readonly pkgpath: string; readonly status: string; readonly phase: string | null;
  readonly error: string | null; readonly reason: string | null; readonly log: string | null;
}

const root = process.getuid?.() === 0;

void describe('kiln build of ports that aim at host files', { skip: root ? false : 'needs root: builds run as nobody and the canaries are root-only' }, () => {
  let work: string;
  let canaries: ReturnType<typeof plantCanaries>;
  let run: KilnRun;
  let report: { packages: ReportPackage[] };
  const pkg = (pkgpath: string): ReportPackage => {
    const found = report.packages.find((p) => p.pkgpath === pkgpath);
    assert.ok(found, `${pkgpath} is in report.json`);
    return found;
  };
  const logOf = (p: ReportPackage): string => readFileSync(path.join(work, 'logs', p.log!), 'utf8');

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'kiln-hostile-files-'));
    chmodSync(work, 0o755);
    canaries = plantCanaries(work);
    writeHostileTree(path.join(work, 'tree'), path.join(work, 'outside'), canaries);
    run = await kiln(['build', '--tree', path.join(work, 'tree'), '--jobs', '2', '--logdir', path.join(work, 'logs'), '--packages', path.join(work, 'packages'), '--plain']);
    report = JSON.parse(readFileSync(path.join(work, 'logs/report.json'), 'utf8')) as typeof report;
  });
  after(() => {
    canaries.remove();
    rmSync(work, { recursive: true, force: true });
  });

  void test('the canaries keep their owner, mode and content', () => {
    assert.deepEqual(canaries.changed(), []);
  });

  void test('no package holds a canary', () => {
    assert.ok(readdirSync(path.join(work, 'packages/All')).includes('links-1.0.tgz'), 'the port with the links built, without what they point at');
    assert.deepEqual(leaksIn(path.join(work, 'packages/All'), canaries.secrets), []);
    assert.match(execFileSync('tar', ['-xzOf', path.join(work, 'packages/All/links-1.0.tgz'), 'share/stolen'], { encoding: 'utf8' }), /^unreadable\nunreadable\n$/);
  });

  void test('a symlink on the way from DESTDIR to PREFIX fails the port in package, saying which', () => {
    const p = pkg('hostile/optlink');
    assert.deepEqual([p.status, p.phase, p.error], ['failed', 'package', 'package error']);
    assert.match(logOf(p), /refused: \$DESTDIR\/opt is a symlink/);
  });

  void test('a port directory or Portfile that is a symlink out of the tree is not built through it', () => {
    for (const pkgpath of ['hostile/dirlink', 'hostile/portfilelink']) {
      const p = report.packages.find((found) => found.pkgpath === pkgpath);
      assert.ok(p === undefined || p.status !== 'done', `${pkgpath} was built through a symlink: ${JSON.stringify(p)}`);
    }
    assert.ok(!readdirSync(path.join(work, 'packages/All')).some((name) => name.startsWith('dirlink-') || name.startsWith('portfilelink-')));
  });

  void test('a FIFO or a non-UTF-8 name in the port directory fails the port in build, with its log saying why', () => {
    const fifo = pkg('hostile/fifo');
    assert.deepEqual([fifo.status, fifo.phase, fifo.error], ['failed', 'build', 'build error']);
    assert.match(logOf(fifo), /the port file pipe is a FIFO/);
    const badname = pkg('hostile/badname');
    assert.deepEqual([badname.status, badname.phase, badname.error], ['failed', 'build', 'build error']);
    assert.match(logOf(badname), /not UTF-8/);
  });

  void test('a FIFO or a non-UTF-8 name installed into DESTDIR fails the port in package', () => {
    const fifo = pkg('hostile/fifoinstall');
    assert.deepEqual([fifo.status, fifo.phase, fifo.error], ['failed', 'package', 'package error']);
    assert.match(logOf(fifo), /share\/pipe is a FIFO/);
    const badname = pkg('hostile/badinstall');
    assert.deepEqual([badname.status, badname.phase, badname.error], ['failed', 'package', 'package error']);
    assert.match(logOf(badname), /not UTF-8/);
  });

  void test('a 250-character PKGNAME builds', () => {
    assert.equal(pkg('hostile/longname').status, 'done');
    assert.equal(pkg('hostile/longname').pkgname, LONG_PKGNAME);
    assert.ok(statSync(path.join(work, 'packages/All', `${LONG_PKGNAME}.tgz`)).isFile());
  });

  void test('a 250-character PKGNAME built again keeps its earlier log, under a shortened name', async () => {
    const again = await kiln(['build', '--tree', path.join(work, 'tree'), '--jobs', '2', '--logdir', path.join(work, 'logs'), '--packages', path.join(work, 'packages'),
      '--plain', '--force', 'hostile/longname', 'hostile/longname']);
    assert.equal(again.status, 0, again.stderr);
    const kept = readdirSync(path.join(work, 'logs/packages')).filter((name) => name.startsWith('l'.repeat(200)) && name.endsWith('.log.1'));
    assert.equal(kept.length, 1, 'the first attempt\'s log is kept');
    assert.ok(statSync(path.join(work, 'logs/packages', `${LONG_PKGNAME}.log`)).isFile());
  });

  void test('the plain port builds, no job is retried as host trouble, and the run says some packages failed', () => {
    assert.equal(pkg('misc/plain').status, 'done');
    assert.equal(run.status, 1, run.stderr);
    assert.doesNotMatch(readFileSync(path.join(work, 'logs/build.log'), 'utf8'), /lost/, 'a job was taken for host trouble');
  });
});
