import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checksumsFor, distfileNameProblem, isExtracted, parseDistinfo } from './distinfo.js';

const TEXT = `$NetBSD: distinfo,v 1.2 2017/01/01 00:00:00 x Exp $

SHA1 (foo-1.0.tar.gz) = 0123456789ABCDEF0123456789abcdef01234567
RMD160 (foo-1.0.tar.gz) = 00112233445566778899aabbccddeeff00112233
SHA512 (foo-1.0.tar.gz) = ${'ab'.repeat(64)}
Size (foo-1.0.tar.gz) = 18342 bytes
MD5 (old.tar.gz) = 0123
Size (old.tar.gz) = 7 bytes
SHA1 (patch-aa) = ${'cd'.repeat(20)}
`;

void test('a pkgsrc distinfo gives each distfile its size and the checksums kiln can compute', () => {
  const distinfo = parseDistinfo(TEXT);
  assert.deepEqual(distinfo.errors, []);
  assert.deepEqual([...distinfo.entries.values()].filter((e) => e.size !== undefined).map((e) => e.name), ['foo-1.0.tar.gz', 'old.tar.gz'], 'the distfiles have sizes, the patches none');
  const foo = checksumsFor(distinfo, 'foo-1.0.tar.gz');
  assert.ok(foo.ok);
  assert.equal(foo.size, 18342);
  assert.deepEqual(foo.digests.map((d) => d.algorithm), ['SHA1', 'RMD160', 'SHA512']);
  assert.equal(foo.digests[0]!.hex, '0123456789abcdef0123456789abcdef01234567');
});

void test('a distfile without a distinfo, a line, a checksum kiln can compute or a size cannot be fetched, and says why', () => {
  const distinfo = parseDistinfo(TEXT);
  const cases: Array<[ReturnType<typeof parseDistinfo> | undefined, string, RegExp]> = [
    [undefined, 'foo-1.0.tar.gz', /has no distinfo file/],
    [distinfo, 'bar-2.tar.gz', /lists no checksum for bar-2.tar.gz/],
    [distinfo, 'old.tar.gz', /no checksum kiln can compute for old.tar.gz/],
    [parseDistinfo(`SHA512 (x) = ${'00'.repeat(64)}\n`), 'x', /no Size for x/],
  ];
  for (const [info, name, reason] of cases) {
    const got = checksumsFor(info, name);
    assert.equal(got.ok, false, name);
    if (!got.ok) assert.match(got.reason, reason);
  }
});

void test('bad lines are named with their number; the good ones still count', () => {
  const distinfo = parseDistinfo('SHA512 (a) = zz\nSize (a) = many bytes\njunk\nSize (b) = 3 bytes\nSHA256 (b) = ' + 'ee'.repeat(32) + '\n');
  assert.deepEqual(distinfo.errors.map((e) => e.split(':')[0]), ['line 1', 'line 2', 'line 3']);
  assert.ok(checksumsFor(distinfo, 'b').ok);
});

void test('distfile names are plain segments under DISTDIR; archives by suffix', () => {
  for (const good of ['foo-1.0.tar.gz', 'sub/foo_1.0+x.zip', 'a,b=c@d%e~f']) assert.equal(distfileNameProblem(good), undefined, good);
  for (const bad of ['', '../x', 'a/../b', '/etc/passwd', 'a//b', 'a b', 'a\nb', '-rf', 'x/-y', '.', "a'b", 'a$b', 'a;b']) {
    assert.notEqual(distfileNameProblem(bad), undefined, JSON.stringify(bad));
  }
  assert.deepEqual(['a.tar.gz', 'a.tgz', 'a.tar.xz', 'a.tar.bz2', 'a.tar', 'a.zip', 'a.gz', 'a.tar.zst'].map(isExtracted),
    [true, true, true, true, true, false, false, false]);
});
