import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isContainedLink, isSafeFileName, isSafePkgPath, isSafeRelativePath } from './safe-path.js';
import { checkJobSpec } from './job-dir.js';
import type { JobSpec } from './protocol.js';

void test('pkgpaths: category/name only, nothing that leaves the tree', () => {
  for (const ok of ['devel/gmake', 'lang/gcc12', 'x11/libX11', 'www/p5-HTML-Parser', 'devel/py-setuptools_scm', 'cat/c++-lib', 'wip/a/b']) {
    assert.ok(isSafePkgPath(ok), ok);
  }
  for (const bad of ['', 'devel', '/devel/gmake', 'devel/gmake/', '../devel/gmake', 'devel/../gmake', 'devel/./gmake', 'devel//gmake',
    'devel/.hidden', 'devel/-opt', 'devel/g make', 'devel/g\nmake', 'devel/$(id)', 'devel/g;rm', 'a/b/c/d/e']) {
    assert.ok(!isSafePkgPath(bad), JSON.stringify(bad));
  }
});

void test('relative paths and file names', () => {
  assert.ok(isSafeRelativePath('files/patch-aa'));
  assert.ok(isSafeRelativePath('.hidden/x y'));
  for (const bad of ['', '/etc', 'a/../../b', 'a//b', 'a/./b', '..', 'a/\u0000', 'a/b\n']) assert.ok(!isSafeRelativePath(bad), JSON.stringify(bad));
  assert.ok(isSafeFileName('gmake-4.4.1.tgz'));
  for (const bad of ['', '.x', '-x', 'a/b', '..', 'x\u0001']) assert.ok(!isSafeFileName(bad), JSON.stringify(bad));
});

void test('links must stay inside the port', () => {
  assert.ok(isContainedLink('a', 'b'));
  assert.ok(isContainedLink('d/l', '../x'));
  assert.ok(isContainedLink('d/e/l', '../../x'));
  for (const [path, target] of [['l', '../x'], ['d/l', '../../x'], ['l', '/etc/passwd'], ['l', ''], ['d/l', 'a/../../../x']]) {
    assert.ok(!isContainedLink(path ?? '', target ?? ''), `${path} -> ${target}`);
  }
});

const spec = (port: JobSpec['port'], extra: Partial<JobSpec> = {}): JobSpec => ({
  pkgname: 'a-1', pkgpath: 'cat/a', makeJobs: 1, jobserver: null, distcc: [], timeoutS: 10, logCapBytes: 1024, port, dependencies: [], distfiles: [], pkgsrc: null,
  metadata: { comment: '', categories: '', maintainer: '', homepage: '', license: '', runDepends: [], buildDepends: [], inputs: '' }, ...extra,
});
const file = (path: string): JobSpec['port'][number] => ({ kind: 'file', path, hash: 'a'.repeat(64), size: 1, mode: 0o644 });

void test('the agent refuses job specs it cannot lay out safely', () => {
  assert.equal(checkJobSpec(spec([file('Makefile'), { kind: 'dir', path: 'files' }, file('files/p'), { kind: 'link', path: 'l', target: 'files/p' }])), undefined);
  assert.match(checkJobSpec(spec([file('../x')])) ?? '', /bad port file path/);
  assert.match(checkJobSpec(spec([file('a'), file('a')])) ?? '', /listed twice/);
  assert.match(checkJobSpec(spec([{ kind: 'link', path: 'l', target: '../../etc' }])) ?? '', /points outside/);
  assert.match(checkJobSpec(spec([{ kind: 'link', path: 'd', target: 'x' }, file('d/f')])) ?? '', /under a link/);
  assert.match(checkJobSpec(spec([], { pkgpath: '../a' })) ?? '', /bad pkgpath/);
  assert.match(checkJobSpec(spec([], { pkgname: '../../x' })) ?? '', /bad pkgname/);
  assert.match(checkJobSpec(spec([], { dependencies: [{ pkgname: 'x/../../y', hash: 'b'.repeat(64), size: 1 }] })) ?? '', /bad dependency/);
});

void test('the agent refuses a pkgsrc part whose distfiles would leave their directory, or a bad kit, make or block', () => {
  const part = (extra: Partial<NonNullable<JobSpec['pkgsrc']>>): Partial<JobSpec> => ({
    pkgsrc: { kit: { hash: 'c'.repeat(64), size: 1, prefix: '/usr/pkg' }, make: '/usr/pkg/bin/bmake', tree: 'd'.repeat(64), distfiles: [], block: [], ...extra },
  });
  assert.equal(checkJobSpec(spec([file('Makefile')], part({ distfiles: [file('foo-1.0.tar.gz')] }))), undefined);
  assert.match(checkJobSpec(spec([], part({ distfiles: [file('../../etc/passwd')] }))) ?? '', /bad distfile file path/);
  assert.match(checkJobSpec(spec([], part({ distfiles: [{ kind: 'link', path: 'd', target: 'x' }] }))) ?? '', /cannot be a link/);
  assert.match(checkJobSpec(spec([], part({ kit: { hash: 'c'.repeat(64), size: 1, prefix: 'usr/pkg' } }))) ?? '', /bad kit prefix/);
  assert.match(checkJobSpec(spec([], part({ make: '/usr/../bin/sh' }))) ?? '', /bad make/);
  assert.match(checkJobSpec(spec([], part({ block: [{ key: 'A;rm', value: '' }] }))) ?? '', /bad key/);
});
