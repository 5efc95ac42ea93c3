// examples/ is the demo and the fixture of the build tests, so it must build
// and fail exactly as its README says. This builds it with plain bash, port by
// port in dependency order, each in a prefix holding only what its Portfile
// declared (DEPENDS, BUILD_DEPENDS and their run-time DEPENDS), at one fixed
// path as in kiln's sandbox, its distfiles extracted into WRKSRC first. It
// checks the tree, not kiln's builder.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import type { PkgPath } from '../../src/core/model.js';
import { dependencies, type IndexEntry } from '../../src/core/formats/pbulk-index.js';
import { PortfileDriver } from '../../src/ports/portfile/portfile-driver.js';
import { dependencyPkgPath } from '../../src/core/pkgpath.js';
import { scanPorts } from '../../src/ports/scanner.js';
import { examples } from './scan-fixtures.js';

type Outcome = 'built' | 'failed' | 'prefailed' | 'blocked';

const depPaths = (entry: IndexEntry, key: string): PkgPath[] =>
  dependencies(entry, key).deps.map((dep) => dependencyPkgPath(entry.vars.get('PKG_LOCATION')!, dep.dir)!);

class ExampleBuild {
  readonly work = mkdtempSync(path.join(tmpdir(), 'kiln-examples-'));
  readonly prefix = path.join(this.work, 'prefix');
  readonly outcomes = new Map<PkgPath, Outcome>();
  readonly logs = new Map<PkgPath, string>();

  constructor(readonly entries: ReadonlyMap<PkgPath, IndexEntry>) {}

  /** What a port's prefix holds: its dependencies, and the run-time dependencies of those, transitively. */
  closure(pkgpath: PkgPath, direct: readonly PkgPath[]): Set<PkgPath> {
    const found = new Set<PkgPath>();
    const visit = (dep: PkgPath): void => {
      if (found.has(dep)) return;
      found.add(dep);
      depPaths(this.entries.get(dep)!, 'RUN_DEPENDS').forEach(visit);
    };
    direct.forEach(visit);
    found.delete(pkgpath);
    return found;
  }

  fillPrefix(ports: Iterable<PkgPath>): void {
    rmSync(this.prefix, { recursive: true, force: true });
    mkdirSync(this.prefix, { recursive: true });
    for (const dep of ports) cpSync(path.join(this.work, 'installed', dep), this.prefix, { recursive: true, verbatimSymlinks: true });
  }

  /** Runs build() then install() of one port, as the sandbox does, with plain bash. */
  phases(pkgpath: PkgPath, makeJobs: number): { ok: boolean; log: string } {
    const wrksrc = path.join(this.work, 'work', pkgpath);
    const destdir = path.join(this.work, 'dest', pkgpath);
    rmSync(wrksrc, { recursive: true, force: true });
    rmSync(destdir, { recursive: true, force: true });
    cpSync(path.join(examples, pkgpath), wrksrc, { recursive: true });
    mkdirSync(destdir, { recursive: true });
    // As before build() in the sandbox: the distfiles, from the tree's own DISTDIR, extracted into WRKSRC.
    for (const distfile of (this.entries.get(pkgpath)!.vars.get('DISTFILES') ?? '').split(' ').filter((f) => f !== '')) {
      const tar = spawnSync('tar', ['-xf', path.join(examples, 'distfiles', distfile), '-C', wrksrc], { encoding: 'utf8' });
      assert.equal(tar.status, 0, `${pkgpath}: ${tar.stderr}`);
    }
    const env = {
      PATH: `${this.prefix}/bin:/usr/bin:/bin`, PREFIX: this.prefix, DESTDIR: destdir, WRKSRC: wrksrc,
      MAKE_JOBS: String(makeJobs), HOME: this.work, LC_ALL: 'C',
    };
    let log = '';
    for (const phase of ['build', 'install']) {
      const run = spawnSync('bash', ['-c', 'source ./Portfile && "$1"', 'kiln-phase', phase], { cwd: wrksrc, env, encoding: 'utf8', timeout: 120_000 });
      log += run.stdout + run.stderr;
      if (run.status !== 0) return { ok: false, log };
    }
    cpSync(path.join(destdir, this.prefix), path.join(this.work, 'installed', pkgpath), { recursive: true, verbatimSymlinks: true });
    return { ok: true, log };
  }

  visit(pkgpath: PkgPath): Outcome {
    const known = this.outcomes.get(pkgpath);
    if (known) return known;
    const entry = this.entries.get(pkgpath)!;
    const direct = depPaths(entry, 'ALL_DEPENDS');
    let outcome: Outcome;
    if (entry.vars.get('PKG_SKIP_REASON') !== '' || entry.vars.get('PKG_FAIL_REASON') !== '') outcome = 'prefailed';
    else if (direct.map((dep) => this.visit(dep)).some((dep) => dep !== 'built')) outcome = 'blocked';
    else {
      this.fillPrefix(this.closure(pkgpath, direct));
      const result = this.phases(pkgpath, entry.vars.get('MAKE_JOBS_SAFE') === 'no' ? 1 : 2);
      this.logs.set(pkgpath, result.log);
      outcome = result.ok ? 'built' : 'failed';
    }
    this.outcomes.set(pkgpath, outcome);
    return outcome;
  }
}

void test('examples/ builds, fails and is blocked as its README says', async (t) => {
  const entries = new Map<PkgPath, IndexEntry>();
  for await (const port of scanPorts(new PortfileDriver(examples), { jobs: 2, signal: new AbortController().signal })) {
    entries.set(port.pkgpath, port.entries[0]!);
  }
  const build = new ExampleBuild(entries);
  t.after(() => rmSync(build.work, { recursive: true, force: true }));
  for (const pkgpath of [...entries.keys()].sort()) build.visit(pkgpath);
  const having = (outcome: Outcome): PkgPath[] => [...build.outcomes].filter(([, o]) => o === outcome).map(([p]) => p).sort();

  assert.deepEqual(having('failed'), ['graphics/libkimg'], [...build.logs].filter(([p]) => build.outcomes.get(p) === 'failed').join('\n'));
  assert.match(build.logs.get('graphics/libkimg')!, /error: 'struct kimg' has no member named 'depth'/);
  assert.deepEqual(having('prefailed'), ['net/kfetch', 'sysutils/libkdoor']);
  assert.deepEqual(having('blocked'), ['graphics/kgallery', 'graphics/kimgconv', 'net/kmirror', 'sysutils/kdoorctl']);
  assert.equal(having('built').length, 23);

  await t.test('kcalc runs with its run-time dependencies alone: kgen was needed only to build it', () => {
    build.fillPrefix(['lang/kcalc', ...build.closure('lang/kcalc', depPaths(entries.get('lang/kcalc')!, 'RUN_DEPENDS'))]);
    assert.equal(existsSync(path.join(build.prefix, 'bin/kgen')), false);
    const run = spawnSync(path.join(build.prefix, 'bin/kcalc'), { input: '6 4 gcd 3 mul\n', encoding: 'utf8' });
    assert.equal(run.stdout, '6\n', run.stderr);
  });

  await t.test('libkold is honest about MAKE_JOBS_SAFE=no: with two make jobs it does not build', () => {
    build.fillPrefix([]);
    const result = build.phases('devel/libkold', 2);
    assert.equal(result.ok, false);
    assert.match(result.log, /kold_version\.h: No such file or directory/);
  });
});
