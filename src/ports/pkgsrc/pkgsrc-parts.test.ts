import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { subdirNames } from './port-dirs.js';
import { hostInput, InputHashes, scanInput, scanInputs } from './scan-inputs.js';
import { scanOutput, withLocation } from './scan-output.js';
import { isPlainValue, TREE_VARIABLES, treeAssignments } from './tree-variables.js';

test('PKG_LOCATION goes after every PKGNAME; nothing else changes', () => {
  const out = 'PKGNAME=py27-foo-1.0\nALL_DEPENDS=  a>=1:../../x/a  \nMULTI_VERSION= PYTHON_VERSION_REQD=27\nPKGNAME=py36-foo-1.0\nALL_DEPENDS=\n';
  assert.deepEqual(withLocation('devel/py-foo', out), { kind: 'index', blocks: 2, index:
    'PKGNAME=py27-foo-1.0\nPKG_LOCATION=devel/py-foo\nALL_DEPENDS=  a>=1:../../x/a  \nMULTI_VERSION= PYTHON_VERSION_REQD=27\n' +
    'PKGNAME=py36-foo-1.0\nPKG_LOCATION=devel/py-foo\nALL_DEPENDS=\n' });
  assert.equal(withLocation('a/b', 'PKGNAME=x-1').kind, 'index', 'no final newline');
  assert.deepEqual(withLocation('a/b', ''), { kind: 'unrecognised', error: 'bmake pbulk-index printed nothing' });
  assert.deepEqual(withLocation('a/b', 'make: warning\nPKGNAME=x-1\n'),
    { kind: 'unrecognised', error: 'bmake pbulk-index output does not start with PKGNAME= ("make: warning")' });
});

test('KILN_HOST_FEATURES and _USE_DISTCC, the lines after the blocks, end each block as HOST_FEATURES and USE_DISTCC=yes; unset, the blocks are pbulk\'s', () => {
  const blocks = 'PKGNAME=py27-foo-1.0\nMULTI_VERSION= PYTHON_VERSION_REQD=27\nPKGNAME=py36-foo-1.0\nMULTI_VERSION= PYTHON_VERSION_REQD=36\n';
  assert.deepEqual(scanOutput('devel/py-foo', blocks + '\n\n'), withLocation('devel/py-foo', blocks));
  assert.deepEqual(scanOutput('devel/py-foo', blocks + '\nNO\n'), withLocation('devel/py-foo', blocks), 'distcc.mk said NO (devel/distcc itself, or no C)');
  assert.deepEqual(scanOutput('devel/py-foo', `${blocks}big-parallel kvm big-parallel\n\n`), { kind: 'index', blocks: 2, index:
    'PKGNAME=py27-foo-1.0\nPKG_LOCATION=devel/py-foo\nMULTI_VERSION= PYTHON_VERSION_REQD=27\nHOST_FEATURES=big-parallel kvm\n' +
    'PKGNAME=py36-foo-1.0\nPKG_LOCATION=devel/py-foo\nMULTI_VERSION= PYTHON_VERSION_REQD=36\nHOST_FEATURES=big-parallel kvm\n' });
  assert.deepEqual(scanOutput('devel/py-foo', `${blocks}\nYES\n`), { kind: 'index', blocks: 2, index:
    'PKGNAME=py27-foo-1.0\nPKG_LOCATION=devel/py-foo\nMULTI_VERSION= PYTHON_VERSION_REQD=27\nUSE_DISTCC=yes\n' +
    'PKGNAME=py36-foo-1.0\nPKG_LOCATION=devel/py-foo\nMULTI_VERSION= PYTHON_VERSION_REQD=36\nUSE_DISTCC=yes\n' });
  assert.deepEqual(scanOutput('a/b', 'PKGNAME=a-1\nkvm\nyes\n'), { kind: 'index', blocks: 1, index: 'PKGNAME=a-1\nPKG_LOCATION=a/b\nHOST_FEATURES=kvm\nUSE_DISTCC=yes\n' });
  assert.deepEqual(scanOutput('a/b', 'big-parallel, kvm\n\n'), { kind: 'unrecognised', error:
    'KILN_HOST_FEATURES (mk.conf) entry "big-parallel," is not a feature name: use letters, digits, \'.\', \'_\', \'+\', \'-\', as in a hosts file\'s features=' });
  assert.deepEqual(scanOutput('a/b', '\n\n'), { kind: 'unrecognised', error: 'bmake pbulk-index printed nothing' });
});

test('tree variables: one value a line in TREE_VARIABLES order; what make could expand is left to each scan', () => {
  const lines = ['Linux', '6.18.44', 'x86_64', 'linux', '/usr/pkgsrc', '20171030', '/usr/bin/cc', '12'];
  assert.equal(lines.length, TREE_VARIABLES.length);
  assert.deepEqual(treeAssignments(lines.join('\n') + '\n'), TREE_VARIABLES.map((name, i) => `${name}=${lines[i]!}`));
  const odd = [...lines];
  odd[1] = '';
  odd[4] = '/home/$USER/pkgsrc';
  odd[6] = '/usr/bin/cc -m64 ';
  assert.deepEqual(treeAssignments(odd.join('\n')).map((a) => a.split('=')[0]), ['OPSYS', 'HOST_MACHINE_ARCH', 'LOWER_OPSYS', 'PKGTOOLS_VERSION', '_GCC_VERSION']);
  assert.deepEqual(treeAssignments('Linux\n'), [], 'a short answer is no answer');
  for (const bad of ['${:!id!}', 'a`id`', "it's", 'a\\b', 'tab\there']) assert.equal(isPlainValue(bad), false, bad);
});

test('SCAN_DEPENDS words as cache inputs: tree-relative inside the tree, absolute outside, PREFIX read from the kit', () => {
  const root = '/usr/pkgsrc';
  assert.equal(scanInput(root, 'pkgtools/digest', 'Makefile'), 'pkgtools/digest/Makefile');
  assert.equal(scanInput(root, 'pkgtools/digest', '../../mk/bsd.prefs.mk'), 'mk/bsd.prefs.mk');
  assert.equal(scanInput(root, 'pkgtools/digest', '/usr/pkgsrc/pkgtools/digest/../../mk/defaults/mk.conf'), 'mk/defaults/mk.conf');
  assert.equal(scanInput(root, 'pkgtools/digest', '/usr/pkg/share/mk/sys.mk'), '/usr/pkg/share/mk/sys.mk');
  assert.equal(scanInput(root, 'pkgtools/digest', '../../../elsewhere.mk'), '/usr/elsewhere.mk');
  const kit = { dir: '/tmp/kiln-kit-x/usr/pkg', at: '/usr/pkg' };
  assert.equal(hostInput('/usr/pkg/etc/mk.conf', kit), '/tmp/kiln-kit-x/usr/pkg/etc/mk.conf');
  assert.equal(hostInput('/usr/pkgsrc-other/x', kit), '/usr/pkgsrc-other/x');
  assert.equal(hostInput('mk/bsd.pkg.mk', kit), 'mk/bsd.pkg.mk');
  // A build-options file of the option cache lay on the scan's own /tmp: no input, and the host's /tmp is never read for it.
  const index = 'PKGNAME=a-1\nSCAN_DEPENDS=Makefile ../../mk/a.mk /tmp/kiln-pbulk-cache/build-options.x\nPKGNAME=b-1\nSCAN_DEPENDS=Makefile ../../mk/b.mk\n';
  assert.deepEqual(scanInputs(root, 'cat/p', index), ['cat/p', 'cat/p/Makefile', 'mk/a.mk', 'mk/b.mk']);
  assert.deepEqual(subdirNames('  a b\tc ../x .hidden d/e\n'), ['a', 'b', 'c']);
});

test('input hashes are kept for the scan: a file is read once, and PREFIX is the kit\'s', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiln-hashes-'));
  try {
    writeFileSync(path.join(dir, 'mk.conf'), 'one\n');
    const hashes = new InputHashes({ dir, at: '/usr/pkg' });
    const first = hashes.hash('/nonexistent', '/usr/pkg/mk.conf');
    assert.match(first, /^file:/);
    writeFileSync(path.join(dir, 'mk.conf'), 'two\n');
    assert.equal(hashes.hash('/nonexistent', '/usr/pkg/mk.conf'), first, 'not read again');
    assert.notEqual(new InputHashes({ dir, at: '/usr/pkg' }).hash('/nonexistent', '/usr/pkg/mk.conf'), first, 'the next scan sees the change');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
