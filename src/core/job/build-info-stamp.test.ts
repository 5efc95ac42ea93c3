import assert from 'node:assert/strict';
import { test } from 'node:test';

import { stampBuildInfo, withInputs } from './build-info-stamp.js';
import { TarScanner } from '../package-format/tar-scanner.js';
import type { TarHeader } from '../package-format/ustar.js';
import { encodeHeader, endOfArchive, paddingFor } from '../package-format/ustar.js';

const base: TarHeader = { path: '', type: 'file', mode: 0o644, uid: 0, gid: 0, uname: 'root', gname: 'root', size: 0, mtime: 1_700_000_000, linkname: '' };

function archive(entries: readonly (readonly [path: string, data: string])[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [path, data] of entries) {
    const bytes = new TextEncoder().encode(data);
    parts.push(encodeHeader({ ...base, path, size: bytes.length }), bytes, new Uint8Array(paddingFor(bytes.length)));
  }
  parts.push(endOfArchive());
  return join(parts);
}

const join = (parts: readonly Uint8Array[]): Uint8Array => Buffer.concat(parts);

function members(tar: Uint8Array): Record<string, string> {
  const step = new TarScanner(() => true).push(tar);
  assert.equal(step.error, undefined);
  assert.ok(step.ended);
  return Object.fromEntries(step.members.map((m) => [m.path, new TextDecoder().decode(m.data)]));
}

const INPUTS = 'a'.repeat(64);
const pkg = archive([
  ['+CONTENTS', '@name hello-1.0\n@cwd /usr/pkg\nbin/hello\n'],
  ['+BUILD_INFO', 'OPSYS=Linux\nPKGPATH=devel/hello\n'],
  ['bin/hello', '#!/bin/sh\necho hello\n'.repeat(40)],
]);

void test('the archive with KILN_INPUTS added to +BUILD_INFO reads back whole, every other member unchanged', () => {
  const stamp = stampBuildInfo(pkg, INPUTS);
  assert.equal(stamp.kind, 'stamped');
  if (stamp.kind !== 'stamped') return;
  const out = members(join([stamp.head, pkg.subarray(stamp.consumed)]));
  const before = members(pkg);
  assert.equal(out['+BUILD_INFO'], `OPSYS=Linux\nPKGPATH=devel/hello\nKILN_INPUTS=${INPUTS}\n`);
  assert.equal(out['+CONTENTS'], before['+CONTENTS']);
  assert.equal(out['bin/hello'], before['bin/hello']);
});

void test('a package stamped again keeps one KILN_INPUTS, the new one', () => {
  assert.equal(withInputs(`A=1\nKILN_INPUTS=old\nB=2\n`, 'new'), 'A=1\nB=2\nKILN_INPUTS=new\n');
});

void test('too few bytes ask for more; a package without a plain +BUILD_INFO up front is unstampable', () => {
  assert.deepEqual(stampBuildInfo(pkg.subarray(0, 700), INPUTS), { kind: 'more' });
  const none = archive([['+CONTENTS', '@name x-1\n'], ['bin/x', 'x']]);
  assert.equal(stampBuildInfo(none, INPUTS).kind, 'unstampable');
  const paxed = join([encodeHeader({ ...base, path: `+${'L'.repeat(120)}`, size: 0 }), archive([['+BUILD_INFO', 'A=1\n']])]);
  assert.match((stampBuildInfo(paxed, INPUTS) as { reason: string }).reason, /tar header of type x/);
  assert.equal(stampBuildInfo(new TextEncoder().encode('not a tar'.repeat(100)), INPUTS).kind, 'unstampable');
});
