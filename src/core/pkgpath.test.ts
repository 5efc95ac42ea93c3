import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dependencyPkgPath, isCanonicalDependencyDir, isPkgPath } from './pkgpath.js';

void test('a pkgpath is exactly two plain directory names', () => {
  for (const good of ['devel/gmake', 'x11/qt5-qtbase', 'lang/gcc_15', 'misc/p5+x']) assert.equal(isPkgPath(good), true, good);
  for (const bad of ['devel', 'a/b/c', '../etc', 'a/..', './a', 'a/.hidden', '/abs/x', 'a/b/', 'a b/c', 'a/b\n', '', 'a//b']) {
    assert.equal(isPkgPath(bad), false, JSON.stringify(bad));
  }
});

void test('dependency directories are normalised against the depending port, and may not leave the tree', () => {
  assert.equal(dependencyPkgPath('cat/a', '../../devel/gmake'), 'devel/gmake');
  assert.equal(dependencyPkgPath('cat/a', '../b'), 'cat/b');
  assert.equal(dependencyPkgPath('cat/a', '../../devel/x/../gmake'), 'devel/gmake');
  assert.equal(dependencyPkgPath('cat/a', '../../../etc/passwd'), undefined);
  assert.equal(dependencyPkgPath('cat/a', '/etc/passwd'), undefined);
  assert.equal(dependencyPkgPath('cat/a', '../../devel'), undefined);
  assert.equal(dependencyPkgPath('cat/a', '../../a/b/c'), undefined);
});

void test('Portfiles must write dependency directories as ../../category/name', () => {
  assert.equal(isCanonicalDependencyDir('../../devel/gmake'), true);
  for (const bad of ['../b', '../../devel/x/../gmake', '../../../etc/x', '/etc/x', 'devel/gmake', '../../devel']) {
    assert.equal(isCanonicalDependencyDir(bad), false, bad);
  }
});
