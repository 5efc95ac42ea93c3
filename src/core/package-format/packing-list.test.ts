import assert from 'node:assert/strict';
import { test } from 'node:test';

import { formatBuildInfo, parseBuildInfo } from './build-info.js';
import type { PackingList } from './packing-list.js';
import { formatPackingList, parsePackingList, unlistableName } from './packing-list.js';
import { formatSummaryEntry } from './summary-entry.js';

const list: PackingList = {
  pkgname: 'hello-1.0', prefix: '/opt/kiln',
  pkgdeps: ['libgreet>=1.0'], blddeps: ['libgreet-1.2', 'gmake-4.4'], conflicts: [],
  files: [{ path: 'bin/hello', md5: 'd41d8cd98f00b204e9800998ecf8427e' }, { path: 'lib/libh.so', symlink: 'libh.so.1' }],
  pkgdirs: ['var/db/hello'],
  metaFiles: ['+COMMENT', '+DESC', '+BUILD_INFO', '+SIZE_PKG', '+SIZE_ALL'],
};

void test('+CONTENTS is written as pkg_create writes it and reads back', () => {
  const text = formatPackingList(list);
  assert.equal(text, [
    '@cwd /opt/kiln', '@name hello-1.0', '@pkgdep libgreet>=1.0', '@blddep libgreet-1.2', '@blddep gmake-4.4',
    'bin/hello', '@comment MD5:d41d8cd98f00b204e9800998ecf8427e', 'lib/libh.so', '@comment Symlink:libh.so.1',
    '@pkgdir var/db/hello', '@cwd /opt/kiln',
    '@ignore', '+COMMENT', '@ignore', '+DESC', '@ignore', '+BUILD_INFO', '@ignore', '+SIZE_PKG', '@ignore', '+SIZE_ALL', '',
  ].join('\n'));
  assert.deepEqual(parsePackingList(text), list);
});

void test('a real pkgsrc packing list reads: comments that are not checksums are passed over', () => {
  const parsed = parsePackingList('@comment $NetBSD: PLIST,v 1.9 $\n@cwd /usr/pkg\n@name t-1\n@blddep g-9\n@pkgdep g>=9\nbin/t\n@comment MD5:ab\n@comment bin/t-server\n@option preserve\n');
  assert.equal(parsed.prefix, '/usr/pkg');
  assert.deepEqual(parsed.files, [{ path: 'bin/t', md5: 'ab' }]);
  assert.deepEqual(parsed.pkgdeps, ['g>=9']);
});

void test('names a packing list cannot hold are named with the reason', () => {
  assert.equal(unlistableName('bin/ok'), undefined);
  assert.equal(unlistableName('bin/a\nb'), 'has a line break');
  assert.equal(unlistableName('@exec'), 'starts with @');
  assert.equal(unlistableName('a/../b'), 'has an empty, . or .. component');
});

void test('+BUILD_INFO is sorted and one line per value', () => {
  const text = formatBuildInfo([['PKGPATH', 'x/y'], ['COMMENT', 'two\nlines'], ['BUILD_DATE', '2026-01-01 00:00:00 +0000']]);
  assert.equal(text, 'BUILD_DATE=2026-01-01 00:00:00 +0000\nCOMMENT=two lines\nPKGPATH=x/y\n');
  assert.deepEqual(parseBuildInfo('REQUIRES=/a\nREQUIRES=/b\n').get('REQUIRES'), ['/a', '/b']);
});

void test('a pkg_summary entry follows pkg_info -X: name, depends, comment, size, build info, file, description', () => {
  const entry = formatSummaryEntry({
    contents: formatPackingList(list), comment: 'Says hello\n', description: 'Line one.\n\nHomepage:\nhttps://h.example/\n',
    buildInfo: formatBuildInfo([['PKGPATH', 'misc/hello'], ['MAINTAINER', 'm@example.org'], ['OPSYS', 'Linux'], ['CATEGORIES', 'misc']]),
    sizePkg: '1234\n',
  }, { fileName: 'hello-1.0.tgz', fileSize: 999 });
  assert.equal(entry, [
    'PKGNAME=hello-1.0', 'DEPENDS=libgreet>=1.0', 'COMMENT=Says hello', 'SIZE_PKG=1234',
    'CATEGORIES=misc', 'OPSYS=Linux', 'PKGPATH=misc/hello', 'FILE_NAME=hello-1.0.tgz', 'FILE_SIZE=999',
    'DESCRIPTION=Line one.', 'DESCRIPTION=', 'DESCRIPTION=Homepage:', 'DESCRIPTION=https://h.example/', '', '',
  ].join('\n'));
});
