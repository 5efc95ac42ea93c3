import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseIndex } from '../../core/formats/pbulk-index.js';
import { unquoteReasons } from '../index-block.js';
import { portfileBlock } from './portfile-block.js';
import type { PortfileVariable } from './scan-program.js';
import type { Value } from './scan-output.js';

const scalar = (value: string): Value => ({ kind: 'scalar', value });
const array = (...values: string[]): Value => ({ kind: 'array', values });

function block(values: Partial<Record<PortfileVariable, Value>>) {
  const result = portfileBlock({ pkgpath: 'cat/a', values: new Map(Object.entries(values) as [PortfileVariable, Value][]), scanDepends: ['Portfile'] });
  if (result.kind === 'unscannable') return { error: result.error };
  const { entries, errors } = parseIndex(result.index);
  assert.deepEqual(errors, []);
  assert.equal(entries.length, 1);
  return { vars: entries[0]!.vars };
}

void test('ALL_DEPENDS is DEPENDS then BUILD_DEPENDS; RUN_DEPENDS is DEPENDS alone', () => {
  const { vars } = block({
    PKGNAME: scalar('a-1.0'), DEPENDS: array('b>=1:../../cat/b', '{c,d}-[0-9]*:../../cat/c'), BUILD_DEPENDS: array('gen-1.{2,3}:../../devel/gen'),
  });
  assert.equal(vars?.get('ALL_DEPENDS'), 'b>=1:../../cat/b {c,d}-[0-9]*:../../cat/c gen-1.{2,3}:../../devel/gen');
  assert.equal(vars?.get('RUN_DEPENDS'), 'b>=1:../../cat/b {c,d}-[0-9]*:../../cat/c');
  assert.equal(vars?.get('PKG_FAIL_REASON'), '');
  assert.equal(vars?.get('CATEGORIES'), 'cat');
  assert.equal(vars?.get('MAKE_JOBS_SAFE'), 'yes');
});

void test('a PKGNAME that is missing, empty, an array or without a version makes the port unscannable', () => {
  assert.deepEqual(block({}), { error: 'the Portfile sets no PKGNAME' });
  assert.match(block({ PKGNAME: scalar('') }).error ?? '', /empty/);
  assert.match(block({ PKGNAME: array('a-1') }).error ?? '', /must be a string/);
  for (const bad of ['a', 'a-', 'a-b', 'a 1-2', 'a-1\n', 'a/b-1', 'a-1;rm', 'a*-1']) {
    assert.match(block({ PKGNAME: scalar(bad) }).error ?? '', /is not name-version/, bad);
  }
  assert.equal(block({ PKGNAME: scalar('py311-foo-2.0nb3') }).vars?.get('PKGNAME'), 'py311-foo-2.0nb3');
});

void test('each bad dependency entry is named in PKG_FAIL_REASON; the good ones stay', () => {
  const { vars } = block({
    PKGNAME: scalar('a-1.0'), PKG_FAIL_REASON: scalar('own reason'),
    DEPENDS: array('good>=1:../../cat/good', 'nocolon', ':../../cat/x', 'x-1:/etc/passwd', 'y-1:../../../etc', 'z-1:../z', 'w-1:../../cat/w/..', 'sp ace:../../cat/s'),
  });
  assert.equal(vars?.get('ALL_DEPENDS'), 'good>=1:../../cat/good');
  const reasons = unquoteReasons(vars?.get('PKG_FAIL_REASON') ?? '');
  assert.equal(reasons[0], 'own reason');
  for (const entry of ['nocolon', ':../../cat/x', 'x-1:/etc/passwd', 'y-1:../../../etc', 'z-1:../z', 'w-1:../../cat/w/..', 'sp ace:../../cat/s']) {
    assert.ok(reasons.some((reason) => reason.startsWith(`bad DEPENDS entry ${JSON.stringify(entry)}`)), entry);
  }
});

void test('metadata with a newline fails the port but never breaks the block', () => {
  const { vars } = block({ PKGNAME: scalar('a-1.0'), COMMENT: scalar('one\ntwo'), MAINTAINER: scalar('x\ry') });
  assert.equal(vars?.get('COMMENT'), 'one\\ntwo');
  assert.equal(vars?.get('MAINTAINER'), 'x\\ry');
  const reasons = unquoteReasons(vars?.get('PKG_FAIL_REASON') ?? '');
  assert.deepEqual(reasons.map((reason) => reason.split(' ')[0]), ['COMMENT', 'MAINTAINER']);
});

void test('reasons may be arrays, as pkgsrc lists them; MAKE_JOBS_SAFE is yes or no', () => {
  const { vars } = block({ PKGNAME: scalar('a-1.0'), PKG_SKIP_REASON: array('one', '', 'two'), MAKE_JOBS_SAFE: scalar('no'), CATEGORIES: array('devel', 'lang') });
  assert.equal(vars?.get('PKG_SKIP_REASON'), '"one" "two"');
  assert.equal(vars?.get('MAKE_JOBS_SAFE'), 'no');
  assert.equal(vars?.get('CATEGORIES'), 'devel lang');
  const bad = block({ PKGNAME: scalar('a-1.0'), MAKE_JOBS_SAFE: scalar('maybe') });
  assert.match(bad.vars?.get('PKG_FAIL_REASON') ?? '', /MAKE_JOBS_SAFE must be yes or no/);
});

void test('HOST_FEATURES: the features a build host must offer, each a feature name, or the port fails naming it', () => {
  assert.equal(block({ PKGNAME: scalar('a-1.0'), HOST_FEATURES: array('big-parallel', 'kvm', 'kvm') }).vars?.get('HOST_FEATURES'), 'big-parallel kvm');
  assert.equal(block({ PKGNAME: scalar('a-1.0') }).vars?.get('HOST_FEATURES'), undefined, 'none: no line');
  const bad = block({ PKGNAME: scalar('a-1.0'), HOST_FEATURES: scalar('kvm $(reboot)') });
  assert.equal(bad.vars?.get('HOST_FEATURES'), 'kvm');
  assert.deepEqual(unquoteReasons(bad.vars?.get('PKG_FAIL_REASON') ?? ''),
    ['bad HOST_FEATURES entry "$(reboot)": not a feature name (letters, digits, \'.\', \'_\', \'+\', \'-\', as in a hosts file\'s features=)']);
});

void test('USE_DISTCC=yes opts the port in to the compile farm; anything but yes or no fails it', () => {
  assert.equal(block({ PKGNAME: scalar('a-1.0'), USE_DISTCC: scalar('yes') }).vars?.get('USE_DISTCC'), 'yes');
  assert.equal(block({ PKGNAME: scalar('a-1.0'), USE_DISTCC: scalar('no') }).vars?.get('USE_DISTCC'), undefined);
  assert.deepEqual(unquoteReasons(block({ PKGNAME: scalar('a-1.0'), USE_DISTCC: scalar('maybe') }).vars?.get('PKG_FAIL_REASON') ?? ''), ['USE_DISTCC must be yes or no, not "maybe"']);
});
