import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatRestricted, parseRestricted, restrictedPackages } from './restricted.js';

const pkg = (pkgname: string, depends: string[] = [], noBinOnFtp = '', restricted = '') => ({ pkgname, depends, noBinOnFtp, restricted });

test('restricted packages and everything that needs them, each naming the restricted one', () => {
  const reasons = restrictedPackages([
    pkg('acroread-9.5', [], '${RESTRICTED}', 'Redistribution not permitted'),
    pkg('pdf-tools-1.0', ['acroread-9.5']),
    pkg('viewer-2.0', ['pdf-tools-1.0', 'libfoo-1.0']),
    pkg('libfoo-1.0'),
    pkg('mplayer-1.3', [], '', 'Patent issues'),
    pkg('both-1.0', ['mplayer-1.3', 'pdf-tools-1.0']),
  ]);
  assert.deepEqual(Object.fromEntries(reasons), {
    'acroread-9.5': 'NO_BIN_ON_FTP: ${RESTRICTED}',
    'mplayer-1.3': 'RESTRICTED: Patent issues',
    'pdf-tools-1.0': 'needs acroread-9.5',
    'viewer-2.0': 'needs acroread-9.5',
    'both-1.0': 'needs mplayer-1.3',
  });
  assert.deepEqual(restrictedPackages([pkg('a-1', ['b-1']), pkg('b-1', ['a-1'])]).size, 0, 'a cycle of free packages is free');
});

test('restricted.txt round trip', () => {
  const reasons = new Map([['z-1', 'needs a-1'], ['a-1', 'RESTRICTED: tabs\tand\nnewlines']]);
  const text = formatRestricted(reasons);
  assert.equal(text, 'a-1\tRESTRICTED: tabs and newlines\nz-1\tneeds a-1\n');
  assert.deepEqual(parseRestricted(text), new Map([['a-1', 'RESTRICTED: tabs and newlines'], ['z-1', 'needs a-1']]));
});
