import assert from 'node:assert/strict';
import { test } from 'node:test';

import { pkgsrcBuildFacts, usergroupStage } from './pkgsrc-build-facts.js';

// Values below are as bmake pbulk-index prints them in ../shared/data/pkgsrc/pscan.xz.

test('a presolve block as pkg-build reads it', () => {
  const read = pkgsrcBuildFacts({
    PKGNAME: 'py27-setuptools-38.2.4', MULTI_VERSION: ' PYTHON_VERSION_REQD=27', USE_DESTDIR: 'user-destdir', BOOTSTRAP_PKG: '',
    USERGROUP_PHASE: '', DEPENDS: 'python27-2.7.14 cwrappers-20171108',
  });
  assert.deepEqual(read, { ok: true, facts: {
    depends: ['python27-2.7.14', 'cwrappers-20171108'], multiVersion: ['PYTHON_VERSION_REQD=27'], userDestdir: true, bootstrap: false, usergroupBefore: undefined,
  } });
  const php = pkgsrcBuildFacts({ MULTI_VERSION: ' PKG_APACHE=apache24 PHP_VERSION_REQD=56', USE_DESTDIR: 'destdir', BOOTSTRAP_PKG: 'yes' });
  assert.ok(php.ok);
  assert.deepEqual(php.facts.multiVersion, ['PKG_APACHE=apache24', 'PHP_VERSION_REQD=56']);
  assert.equal(php.facts.userDestdir, false, 'USE_DESTDIR=destdir installs as root');
  assert.equal(php.facts.bootstrap, true);
  assert.deepEqual(pkgsrcBuildFacts({}), { ok: true, facts: { depends: [], multiVersion: [], userDestdir: false, bootstrap: false, usergroupBefore: undefined } });
});

test('MULTI_VERSION becomes make arguments, so anything but plain NAME=value is refused', () => {
  for (const bad of ['PYTHON_VERSION_REQD=${:!id!}', 'X=$(shell id)', 'X=`id`', 'X=a;b', 'X=a"b', '-j99', '=27', 'X', '.MAKEFLAGS=-n']) {
    const read = pkgsrcBuildFacts({ MULTI_VERSION: ` ${bad}` });
    assert.equal(read.ok, false, bad);
    if (!read.ok) assert.match(read.reason, /is not a plain NAME=value/);
  }
  const bad = pkgsrcBuildFacts({ DEPENDS: 'ok-1.0 ../x' });
  assert.deepEqual(bad, { ok: false, reason: 'dependency "../x" cannot be a package name' });
  assert.deepEqual(pkgsrcBuildFacts({ DEPENDS: '-f' }), { ok: false, reason: 'dependency "-f" cannot be a package name' });
});

test('USERGROUP_PHASE as pkg-build\'s run_usergroup reads it', () => {
  assert.equal(usergroupStage('configure'), 'configure');
  assert.equal(usergroupStage('pre-configure'), 'configure');
  assert.equal(usergroupStage('build'), 'build');
  assert.equal(usergroupStage('post-build'), 'build');
  assert.equal(usergroupStage('pre-install'), 'install');
  assert.equal(usergroupStage('install'), undefined, 'pkg-build knows pre-install only');
  assert.equal(usergroupStage(''), undefined);
});
