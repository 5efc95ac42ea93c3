import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseIndex } from '../core/formats/pbulk-index.js';
import { formatBlock, quoteReason, unquoteReasons, unscannableBlock } from './index-block.js';

void test('reasons are written as pkgsrc writes them, and read back unchanged', () => {
  assert.equal(quoteReason('Platform does not support Wayland'), '"Platform does not support Wayland"');
  const awkward = ['say "hi"', 'back\\slash', 'two\nlines', 'tab\there', 'bell\u0007', '$(rm -rf /) `x` ;'];
  for (const reason of awkward) {
    const quoted = quoteReason(reason);
    assert.equal(quoted.includes('\n'), false);
    assert.deepEqual(unquoteReasons(quoted), [reason]);
  }
  assert.deepEqual(unquoteReasons(awkward.map(quoteReason).join(' ')), awkward);
});

void test('reason values from real pscan files read as lists', () => {
  assert.deepEqual(unquoteReasons('"Accepted versions are: emacs21 emacs21nox" "No valid Emacs version installed found"'),
    ['Accepted versions are: emacs21 emacs21nox', 'No valid Emacs version installed found']);
  assert.deepEqual(unquoteReasons(''), []);
  assert.deepEqual(unquoteReasons('bare words'), ['bare words']);
});

void test('a block has pscan keys in pscan order, then kiln keys, each on one line', () => {
  const block = formatBlock({
    pkgname: 'a-1.0', pkgpath: 'cat/a', allDepends: ['b>=1:../../cat/b', 'c-[0-9]*:../../cat/c'], skipReasons: [],
    failReasons: ['x'], noBinOnFtp: '', restricted: '', categories: 'cat', maintainer: 'me@example.org', scanDepends: ['Portfile'],
    runDepends: ['b>=1:../../cat/b'], comment: 'first\nsecond', homepage: '', license: 'isc', makeJobsSafe: 'no',
  });
  const keys = block.trimEnd().split('\n').map((line) => line.slice(0, line.indexOf('=')));
  assert.deepEqual(keys, ['PKGNAME', 'PKG_LOCATION', 'ALL_DEPENDS', 'PKG_SKIP_REASON', 'PKG_FAIL_REASON', 'NO_BIN_ON_FTP',
    'RESTRICTED', 'CATEGORIES', 'MAINTAINER', 'USE_DESTDIR', 'BOOTSTRAP_PKG', 'USERGROUP_PHASE', 'SCAN_DEPENDS',
    'RUN_DEPENDS', 'COMMENT', 'HOMEPAGE', 'LICENSE', 'MAKE_JOBS_SAFE']);
  assert.match(block, /^COMMENT=first\\nsecond$/m);
  assert.deepEqual(parseIndex(block).errors, []);
});

void test('an unscannable port gets a block named after its directory, failing with the error', () => {
  const { entries, errors } = parseIndex(unscannableBlock('cat/broken', 'Portfile: line 3: syntax error'));
  assert.deepEqual(errors, []);
  assert.equal(entries[0]!.pkgname, 'broken');
  assert.equal(entries[0]!.vars.get('PKG_LOCATION'), 'cat/broken');
  assert.equal(entries[0]!.vars.get('PKG_FAIL_REASON'), '"Portfile: line 3: syntax error"');
  assert.equal(entries[0]!.vars.get('KILN_SCAN_ERROR'), '"Portfile: line 3: syntax error"');
});
