import assert from 'node:assert/strict';
import { test } from 'node:test';

import { type CurrencyFacts, contentText, inputsText, judge } from './build-stamp.js';
import { formatPackingList, parsePackingList, type PackingList } from '../package-format/packing-list.js';

const list: PackingList = {
  pkgname: 'libfoo-1.0', prefix: '/opt/kiln', pkgdeps: ['libbar>=1'], blddeps: ['tool-2.0'], conflicts: [],
  files: [{ path: 'lib/libfoo.so', md5: 'aa' }, { path: 'lib/libfoo.so.1', symlink: 'libfoo.so' }], pkgdirs: ['share/foo'],
  metaFiles: ['+COMMENT', '+BUILD_INFO'],
};

void test('content: files, links, run-time dependencies; not the exact build dependencies', () => {
  const text = contentText(parsePackingList(formatPackingList(list)));
  assert.equal(text, '@name libfoo-1.0\n@pkgdep libbar>=1\nlib/libfoo.so aa\nlib/libfoo.so.1 -> libfoo.so\n@pkgdir share/foo\n');
  assert.equal(contentText({ ...list, blddeps: ['tool-2.1'] }), text, 'a newer build tool that installs the same files changes nothing');
  assert.notEqual(contentText({ ...list, files: [{ path: 'lib/libfoo.so', md5: 'ab' }] }), text);
  assert.notEqual(contentText({ ...list, pkgdeps: ['libbar>=2'] }), text);
});

void test('inputs: the same whatever order the dependencies come in; a line break cannot forge a line', () => {
  const base = { pkgname: 'app-1', pkgpath: 'cat/app', portFiles: 'p', prefix: '/opt/kiln' };
  const one = inputsText({ ...base, dependencies: [['b-1', 'x'], ['a-1', 'y']] });
  assert.equal(one, inputsText({ ...base, dependencies: [['a-1', 'y'], ['b-1', 'x']] }));
  assert.notEqual(one, inputsText({ ...base, dependencies: [['a-1', 'y'], ['b-1', 'z']] }));
  assert.equal(inputsText({ ...base, pkgname: 'app-1\ndepends evil-1 x', dependencies: [] }).split('\n').filter((l) => l.startsWith('depends')).length, 0);
});

void test('judge: current, built here, forced, failed with the same inputs', () => {
  const facts: CurrencyFacts = { inputs: 'i1', stamped: 'i1', builtHere: false, forced: false, failed: undefined };
  const failed = { inputs: 'i1', phase: 'build', error: 'compiler error', reason: 'failed in run 1' };
  const cases: [Partial<CurrencyFacts>, string][] = [
    [{}, 'up-to-date'],
    [{ builtHere: true }, 'done'],
    [{ builtHere: true, forced: true }, 'done'],
    [{ forced: true }, 'open'],
    [{ stamped: 'i0' }, 'open'],
    [{ stamped: undefined }, 'open'],
    [{ stamped: undefined, failed }, 'failed'],
    [{ stamped: undefined, failed, forced: true }, 'open'],
    [{ stamped: undefined, failed: { ...failed, inputs: 'i0' } }, 'open'],
    [{ stamped: undefined, failed: { ...failed, inputs: undefined } }, 'open'],
    [{ stamped: undefined, failed: { ...failed, phase: 'infrastructure' } }, 'open'],
  ];
  for (const [change, status] of cases) assert.equal(judge({ ...facts, ...change }).status, status, JSON.stringify(change));
});
