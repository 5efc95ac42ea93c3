// `kiln build` on the example tree, as the README runs it: the real binary,
// real bash, gcc and bubblewrap. What a user relies on: every port's
// status, what each failure breaks and why, the packages and the run
// directory of DESIGN.md.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';

import Database from 'better-sqlite3';

import { bestMatch } from '../../src/core/resolve/pattern.js';
import { examples, kiln, type KilnRun } from './scan-fixtures.js';

interface ReportPackage {
  pkgname: string; pkgpath: string; status: string; breaks: number; phase: string | null; error: string | null;
  reason: string | null; blocked_by: string[]; duration_s: number | null; host: string | null; log: string | null;
}

void describe('kiln build --tree examples', () => {
  let dir: string;
  let run: KilnRun;
  let report: { summary: Record<string, unknown>; packages: ReportPackage[] };
  const pkg = (pkgpath: string): ReportPackage => {
    const found = report.packages.find((p) => p.pkgpath === pkgpath);
    assert.ok(found, `${pkgpath} is in report.json`);
    return found;
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kiln-examples-'));
    run = await kiln(['build', '--tree', examples, '--jobs', '2', '--logdir', `${dir}/logs`, '--packages', `${dir}/packages`, '--plain']);
    report = JSON.parse(readFileSync(path.join(dir, 'logs/report.json'), 'utf8')) as typeof report;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  void test('exits 1 because a port failed, and ends with the run complete', () => {
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /run complete\nbuilt \d+ .* total \d+\nreport: \S+\/report\.txt, \S+\/report\.html\n$/);
  });

  void test('the port that does not compile failed in its build phase, with a compiler error', () => {
    const libkimg = pkg('graphics/libkimg');
    assert.equal(libkimg.status, 'failed');
    assert.equal(libkimg.phase, 'build');
    assert.equal(libkimg.error, 'compiler error');
    assert.equal(libkimg.breaks, 2);
    assert.match(readFileSync(path.join(dir, 'logs', libkimg.log!), 'utf8'), /has no member named 'depth'/);
  });

  void test('what it breaks, directly and not, names it as the root cause', () => {
    for (const pkgpath of ['graphics/kimgconv', 'graphics/kgallery']) {
      const p = pkg(pkgpath);
      assert.equal(p.status, 'indirect-failed', pkgpath);
      assert.deepEqual(p.blocked_by, ['libkimg-0.8'], pkgpath);
    }
  });

  void test('skipped and broken ports are prefailed with their reason; their dependents are blocked by them', () => {
    assert.equal(pkg('sysutils/libkdoor').status, 'prefailed');
    assert.match(pkg('sysutils/libkdoor').reason ?? '', /\S/);
    assert.equal(pkg('net/kfetch').status, 'prefailed');
    assert.equal(pkg('sysutils/kdoorctl').status, 'indirect-prefailed');
    assert.equal(pkg('net/kmirror').status, 'indirect-prefailed');
    assert.deepEqual(pkg('net/kmirror').blocked_by, [pkg('net/kfetch').pkgname]);
  });

  void test('every other port is built into the repository, listed in pkg_summary and SHA512', () => {
    const built = report.packages.filter((p) => p.status === 'done');
    assert.equal(built.length, 23);
    const summary = gunzipSync(readFileSync(path.join(dir, 'packages/All/pkg_summary.gz'))).toString('utf8');
    const sha = readFileSync(path.join(dir, 'packages/All/SHA512'), 'utf8');
    for (const p of built) {
      assert.ok(existsSync(path.join(dir, 'packages/All', `${p.pkgname}.tgz`)), p.pkgname);
      assert.match(summary, new RegExp(`^PKGNAME=${p.pkgname.replace(/[.+]/g, '\\$&')}$`, 'm'));
      assert.match(sha, new RegExp(`^SHA512 \\(${p.pkgname.replace(/[.+]/g, '\\$&')}\\.tgz\\) = [0-9a-f]{128}$`, 'm'));
      assert.equal(p.host, 'localhost');
    }
    const kreport = summary.split('\n\n').find((block) => block.includes('PKGNAME=kreport-0.1'))!;
    assert.match(kreport, /^PKGPATH=misc\/kreport$/m);
    assert.match(kreport, /^DEPENDS=libkcfg>=1\.3$/m);
  });

  void test('a built program runs from the packages, at PREFIX, linked against its dependencies', () => {
    const root = path.join(dir, 'root');
    mkdirSync(root);
    // kreport and what it needs at run time, as pkg_add would follow pkg_summary's DEPENDS.
    const summary = gunzipSync(readFileSync(path.join(dir, 'packages/All/pkg_summary.gz'))).toString('utf8').split('\n\n');
    const names = summary.map((b) => /^PKGNAME=(.*)$/m.exec(b)?.[1]).filter((n) => n !== undefined);
    const wanted = new Set<string>();
    const add = (name: string): void => {
      if (wanted.has(name)) return;
      wanted.add(name);
      const block = summary.find((b) => b.includes(`PKGNAME=${name}\n`)) ?? '';
      for (const [, pattern] of block.matchAll(/^DEPENDS=(.*)$/gm)) add(bestMatch(pattern!, names)!);
    };
    add('kreport-0.1');
    assert.ok(wanted.size > 5, 'kreport needs several libraries at run time');
    for (const name of wanted) {
      execFileSync('tar', ['-xzf', path.join(dir, 'packages/All', `${name}.tgz`), '-C', root, '--exclude=+*'], { stdio: 'pipe' });
    }
    writeFileSync(path.join(root, 'report.cfg'), 'title = Build minutes\n');
    // The packages were built for PREFIX /opt/kiln: put them there, in a sandbox of our own.
    const out = execFileSync('bwrap', ['--ro-bind', '/', '/', '--tmpfs', '/opt', '--ro-bind', root, '/opt/kiln', '--dev', '/dev', '--',
      '/opt/kiln/bin/kreport', '/opt/kiln/report.cfg'], { input: '3\n3\n3\n9\n', encoding: 'utf8' });
    assert.match(out, /^\{"title":"Build minutes","count":4,"mean":4\.500,/);
  });

  void test('the run directory holds what DESIGN.md lists', () => {
    for (const file of ['report.json', 'report.html', 'report.txt', 'build.log', 'engine.log', 'kiln.db']) {
      assert.ok(existsSync(path.join(dir, 'logs', file)), file);
    }
    assert.equal(readlinkSync(path.join(dir, 'logs/paths/graphics/libkimg.log')), '../../packages/libkimg-0.8.log');
    const jobLog = readFileSync(path.join(dir, 'logs/packages/libkimg-0.8.log'), 'utf8');
    for (const phase of ['depends', 'build']) assert.match(jobLog, new RegExp(`^===> kiln: ${phase} for libkimg-0\\.8 `, 'm'), `its ${phase} section`);
    const buildLog = readFileSync(path.join(dir, 'logs/build.log'), 'utf8').trim().split('\n');
    assert.equal(buildLog.length, 24, 'one line per finished job');
    assert.equal(buildLog.filter((l) => l.includes('!')).length, 1, 'one failed job');
    const txt = readFileSync(path.join(dir, 'logs/report.txt'), 'utf8');
    assert.match(txt, /Packages breaking the most other packages/);
    assert.match(txt, /graphics\/libkimg +2 /);
  });

  void test('the history keeps every built and failed job as built for the run\'s architecture', () => {
    const db = new Database(path.join(dir, 'logs/kiln.db'), { readonly: true });
    const rows = db.prepare('SELECT arch, count(*) AS n FROM history GROUP BY arch').all();
    db.close();
    assert.match(String(report.summary.arch), /^\w+$/);
    assert.deepEqual(rows, [{ arch: report.summary.arch, n: 24 }]);
  });
});
