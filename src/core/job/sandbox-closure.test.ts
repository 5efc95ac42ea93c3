import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dependencyPkgPath, isPkgPath, isSafePkgname } from '../pkgpath.js';
import { type DependencyInfo, sandboxContents } from './sandbox-closure.js';

test('the sandbox holds direct deps and the run deps of those, not their build-only deps', () => {
  const graph: Record<string, DependencyInfo> = {
    'app-1': { depends: ['libfoo-1', 'gen-1'], runDepends: ['libfoo-1'] },
    'libfoo-1': { depends: ['libbar-1', 'gen-1'], runDepends: ['libbar-1'] },
    'libbar-1': { depends: ['zlib-1'], runDepends: ['zlib-1'] },
    'gen-1': { depends: ['genlib-1'], runDepends: ['genlib-1'] },
    'genlib-1': { depends: [], runDepends: [] },
    'zlib-1': { depends: [], runDepends: [] },
    'top-1': { depends: ['app-1'], runDepends: ['app-1'] },
  };
  const lookup = (n: string): DependencyInfo | undefined => graph[n];
  assert.deepEqual(sandboxContents('app-1', lookup), ['zlib-1', 'libbar-1', 'libfoo-1', 'genlib-1', 'gen-1']);
  // top needs app to run, app needs libfoo (and so libbar, zlib) to run; gen was build-only for app and libfoo.
  assert.deepEqual(sandboxContents('top-1', lookup), ['zlib-1', 'libbar-1', 'libfoo-1', 'app-1']);
});

test('without a run-time subset (pkgsrc), every dependency is passed on', () => {
  const graph: Record<string, DependencyInfo> = {
    'a-1': { depends: ['b-1'], runDepends: undefined },
    'b-1': { depends: ['c-1'], runDepends: undefined },
    'c-1': { depends: [], runDepends: undefined },
  };
  assert.deepEqual(sandboxContents('a-1', (n) => graph[n]), ['c-1', 'b-1']);
});

test('pkgpaths and pkgnames that would leave their directories are refused', () => {
  assert.equal(isPkgPath('devel/gmake'), true);
  for (const bad of ['../etc', 'devel/../../etc', '/etc/passwd', 'devel', 'a/b/c', 'devel/.', '.hidden/x', 'devel/']) {
    assert.equal(isPkgPath(bad), false, bad);
  }
  assert.equal(isSafePkgname('gmake-4.4.1nb1'), true);
  for (const bad of ['../x-1', 'a/b-1', '.x-1', '', 'x\n-1']) assert.equal(isSafePkgname(bad), false, JSON.stringify(bad));
  assert.equal(dependencyPkgPath('misc/app', '../../devel/gmake'), 'devel/gmake');
  assert.equal(dependencyPkgPath('misc/app', '../../../../etc'), undefined);
  assert.equal(dependencyPkgPath('misc/app', '/usr/pkgsrc/devel/gmake'), undefined);
  assert.equal(dependencyPkgPath('misc/app', '../libfoo'), 'misc/libfoo');
});
