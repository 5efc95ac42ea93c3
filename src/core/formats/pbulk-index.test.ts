import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dependencies, formatEntry, IndexReader, indexValue, parseIndex } from './pbulk-index.js';

test('parses blocks, keeps their raw text, and reports bad lines by number', () => {
  const text = 'PKGNAME=a-1.0\nPKG_LOCATION=cat/a\nALL_DEPENDS=b>=1:../../cat/b  c-[0-9]*:../../cat/c\nPKGNAME=b-1.2\nthis is not valid\nPKG_LOCATION=cat/b\n';
  const { entries, errors } = parseIndex(text);
  assert.deepEqual(entries.map((e) => e.pkgname), ['a-1.0', 'b-1.2']);
  assert.equal(entries[0]!.raw, 'PKGNAME=a-1.0\nPKG_LOCATION=cat/a\nALL_DEPENDS=b>=1:../../cat/b  c-[0-9]*:../../cat/c\n');
  assert.equal(entries[1]!.vars.get('PKG_LOCATION'), 'cat/b');
  assert.deepEqual(errors, [{ line: 5, text: 'this is not valid', message: 'not a KEY=VALUE line' }]);
  assert.deepEqual(dependencies(entries[0]!).deps, [
    { pattern: 'b>=1', dir: '../../cat/b' }, { pattern: 'c-[0-9]*', dir: '../../cat/c' },
  ]);
  assert.equal(formatEntry(entries[1]!.vars), 'PKGNAME=b-1.2\nPKG_LOCATION=cat/b\n');
});

test('a line before any PKGNAME is an error, and values may hold = and quotes', () => {
  const { entries, errors } = parseIndex('CATEGORIES=x\nPKGNAME=q-1\nPKG_SKIP_REASON="a=b" \'c\'');
  assert.equal(errors[0]!.message, 'comes before any PKGNAME= line');
  assert.equal(entries[0]!.vars.get('PKG_SKIP_REASON'), '"a=b" \'c\'');
  assert.equal(entries[0]!.raw.endsWith('\n'), true);
});

test('malformed dependency tokens are named', () => {
  const { entries } = parseIndex('PKGNAME=a-1\nALL_DEPENDS=good>=1:../../x/good nocolon trailing:\n');
  assert.deepEqual(dependencies(entries[0]!).malformed, ['nocolon', 'trailing:']);
});

test('read in chunks of any size, the index gives the same blocks, lines and errors', () => {
  const text = 'junk before\nPKGNAME=a-1.0\nPKG_LOCATION=cat/a\nALL_DEPENDS=b>=1:../../cat/b\nPKGNAME=b-1.2\nnot valid\nPKG_LOCATION=cat/b\nALL_DEPENDS=\nPKGNAME=\nPKGNAME=c-2\nPKG_LOCATION=cat/c';
  const whole = parseIndex(text);
  assert.deepEqual(whole.entries.map((e) => [e.pkgname, e.line]), [['a-1.0', 2], ['b-1.2', 5], ['c-2', 10]]);
  assert.deepEqual(whole.errors.map((e) => e.line), [1, 6, 9]);
  for (const size of [1, 2, 3, 7, 9, 64]) {
    const reader = new IndexReader();
    const entries = [];
    for (let at = 0; at < text.length; at += size) entries.push(...reader.push(text.slice(at, at + size)));
    entries.push(...reader.end());
    assert.deepEqual(entries.map((e) => [e.pkgname, e.line, e.raw, [...e.vars]]), whole.entries.map((e) => [e.pkgname, e.line, e.raw, [...e.vars]]), `chunks of ${size}`);
    assert.deepEqual(reader.errors, whole.errors, `errors with chunks of ${size}`);
  }
});

test('indexValue reads what vars holds, later lines winning, without needing the map', () => {
  const { entries } = parseIndex('PKGNAME=a-1\nPKG_LOCATION=cat/a\nALL_DEPENDS=x:../../c/x\nPKG_FAIL_REASON=\nALL_DEPENDS=y:../../c/y\nCOMMENT=z\n');
  const entry = entries[0]!;
  for (const key of ['PKG_LOCATION', 'ALL_DEPENDS', 'PKG_FAIL_REASON', 'PKG_SKIP_REASON', 'DEPENDS', 'COMMENT', 'PKGNAME']) {
    assert.equal(indexValue(entry, key), entry.vars.get(key), key);
  }
  assert.equal(indexValue(entry, 'ALL_DEPENDS'), 'y:../../c/y');
  assert.equal(indexValue({ pkgname: 'b-1', raw: '', line: 1, vars: new Map([['ALL_DEPENDS', 'q']]) }, 'ALL_DEPENDS'), 'q');
});
