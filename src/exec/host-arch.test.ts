// Where a build's ports are scanned, by the architecture it is for and the
// coordinator's own: a scan says what the machine that ran it is, so a
// build for another architecture is scanned on its hosts only.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { archProblem, scanPlace } from './host-arch.js';

void test('a build for this machine\'s architecture scans here (and on the hosts with --remote-scan); for another, on its hosts only', () => {
  const table: [string, string | undefined, string, boolean, string][] = [
    ['no --arch', undefined, 'x86_64', false, 'here'],
    ['this machine\'s', 'x86_64', 'x86_64', false, 'here'],
    ['this machine\'s, --remote-scan', 'x86_64', 'x86_64', true, 'pool'],
    ['i686 is pkgsrc\'s i386', 'i386', 'i686', false, 'here'],
    ['another', 'aarch64', 'x86_64', false, 'hosts-only'],
    ['another, --remote-scan changes nothing', 'aarch64', 'x86_64', true, 'hosts-only'],
  ];
  for (const [what, build, here, remote, kind] of table) assert.equal(scanPlace(build, here, remote).kind, kind, what);
  assert.deepEqual(scanPlace('aarch64', 'x86_64', false),
    { kind: 'hosts-only', why: 'the build is for aarch64 and this machine is x86_64: ports are scanned on hosts of aarch64 only' });
});

void test('a host is refused naming both what it is and what was wanted', () => {
  assert.equal(archProblem('x86_64', {}), undefined);
  assert.equal(archProblem('i686', { claimed: 'i386', build: 'i386' }), undefined);
  assert.equal(archProblem('x86_64', { claimed: 'sparc64' }), 'it is x86_64, the hosts file says arch=sparc64');
  assert.equal(archProblem('x86_64', { build: 'aarch64' }), 'it is x86_64, the build is for aarch64 (kiln build --arch)');
});
