// The package file: what pkg_create would make, checked with GNU tar as an
// independent reader.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { machine, type } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { buildPackage } from '../../src/sandbox/builder.js';
import { phaseText } from '../support/job-logs.js';
import { metadata, tarList, tarRead, workspace } from './sandbox-fixture.js';

const signal = new AbortController().signal;
const LONG = 'x'.repeat(120);
const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

const SHAPES = [
  'PKGNAME=shapes-2.0',
  'install() {',
  '  p="$DESTDIR$PREFIX"',
  `  mkdir -p "$p/bin" "$p/share/doc/shapes" "$p/lib" "$p/var/db/shapes" "$p/share/deep/${LONG}"`,
  "  printf '#!/bin/sh\\necho shapes\\n' > \"$p/bin/shapes\"; chmod 755 \"$p/bin/shapes\"",
  '  ln "$p/bin/shapes" "$p/bin/shapes-again"',
  '  echo readme > "$p/share/doc/shapes/README"',
  '  echo café > "$p/share/doc/shapes/café.txt"',
  '  echo lib > "$p/lib/libshapes.so.1"; ln -s libshapes.so.1 "$p/lib/libshapes.so"',
  `  echo deep > "$p/share/deep/${LONG}/file.txt"`,
  '  mkdir -p "$DESTDIR/etc"; echo stray > "$DESTDIR/etc/stray.conf"',
  '}',
].join('\n');

const shapesMetadata = {
  ...metadata, comment: 'Shapes of things', categories: 'graphics misc', license: 'mit',
  runDepends: ['liba>=1.0', 'tool-[0-9]*'], buildDepends: ['liba-1.0', 'tool-1.0'],
};

void test('a package holds +CONTENTS, +COMMENT, +DESC, +BUILD_INFO, +SIZE_PKG, +SIZE_ALL, then the files under PREFIX, as pkg_create lays them out', async (t) => {
  const ws = await workspace();
  const out = mkdtempSync(join(ws.root, 'x-'));
  t.after(() => ws.cleanup());
  await ws.port('misc/shapes', SHAPES, { DESCR: 'Shapes draws shapes.\nSecond line.\n' });
  const report = await buildPackage(ws.job('misc/shapes', 'shapes-2.0', { metadata: shapesMetadata }), { signal, scratch: ws.scratch });
  assert.equal(report.outcome.kind, 'built', readFileSync(join(ws.logs, 'shapes-2.0.log'), 'utf8'));
  const file = join(ws.packages, 'shapes-2.0.tgz');
  assert.equal(report.packageFile, file);

  const files = ['bin/shapes', 'bin/shapes-again', 'lib/libshapes.so', 'lib/libshapes.so.1', `share/deep/${LONG}/file.txt`,
    'share/doc/shapes/README', 'share/doc/shapes/café.txt'];
  assert.deepEqual(tarList(file), ['+CONTENTS', '+COMMENT', '+DESC', '+BUILD_INFO', '+SIZE_PKG', '+SIZE_ALL', ...files]);

  const script = '#!/bin/sh\necho shapes\n';
  assert.equal(tarRead(file, '+CONTENTS'), [
    '@cwd /opt/kiln', '@name shapes-2.0', '@pkgdep liba>=1.0', '@pkgdep tool-[0-9]*', '@blddep liba-1.0', '@blddep tool-1.0',
    'bin/shapes', `@comment MD5:${md5(script)}`, 'bin/shapes-again', `@comment MD5:${md5(script)}`,
    'lib/libshapes.so', '@comment Symlink:libshapes.so.1', 'lib/libshapes.so.1', `@comment MD5:${md5('lib\n')}`,
    `share/deep/${LONG}/file.txt`, `@comment MD5:${md5('deep\n')}`,
    'share/doc/shapes/README', `@comment MD5:${md5('readme\n')}`, 'share/doc/shapes/café.txt', `@comment MD5:${md5('café\n')}`,
    '@pkgdir var/db/shapes', '@cwd /opt/kiln',
    '@ignore', '+COMMENT', '@ignore', '+DESC', '@ignore', '+BUILD_INFO', '@ignore', '+SIZE_PKG', '@ignore', '+SIZE_ALL', '',
  ].join('\n'));
  assert.equal(tarRead(file, '+COMMENT'), 'Shapes of things\n');
  assert.equal(tarRead(file, '+DESC'), 'Shapes draws shapes.\nSecond line.\n\nHomepage:\nhttps://kiln.example/\n');
  const size = 2 * script.length + 'libshapes.so.1'.length + 'lib\n'.length + 'deep\n'.length + 'readme\n'.length + Buffer.byteLength('café\n');
  assert.equal(tarRead(file, '+SIZE_PKG'), `${size}\n`);
  assert.equal(tarRead(file, '+SIZE_ALL'), `${size}\n`);

  const info = tarRead(file, '+BUILD_INFO').trimEnd().split('\n');
  assert.deepEqual(info, [...info].sort(), '+BUILD_INFO is sorted');
  for (const line of ['PKGPATH=misc/shapes', 'CATEGORIES=graphics misc', 'LICENSE=mit', 'HOMEPAGE=https://kiln.example/', 'MAINTAINER=kiln@example.org',
    `OPSYS=${type()}`, `MACHINE_ARCH=${machine()}`, 'LOCALBASE=/opt/kiln', 'PKGTOOLS_VERSION=20091115']) {
    assert.ok(info.includes(line), `+BUILD_INFO has ${line}`);
  }
  assert.ok(info.some((line) => /^BUILD_DATE=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000$/.test(line)));
  assert.ok(info.some((line) => /^OS_VERSION=\d+\.\d+/.test(line)));

  // GNU tar extracts what the build installed: modes, the hard link, the symlink.
  execFileSync('tar', ['-xzf', file, '-C', out]);
  assert.equal(readFileSync(join(out, 'bin/shapes'), 'utf8'), script);
  assert.equal(lstatSync(join(out, 'bin/shapes')).mode & 0o777, 0o755);
  assert.equal(lstatSync(join(out, 'bin/shapes-again')).ino, lstatSync(join(out, 'bin/shapes')).ino);
  assert.equal(readlinkSync(join(out, 'lib/libshapes.so')), 'libshapes.so.1');
  assert.equal(readFileSync(join(out, `share/deep/${LONG}/file.txt`), 'utf8'), 'deep\n');
  assert.match(execFileSync('tar', ['-tvzf', file], { encoding: 'utf8' }), /^-rwxr-xr-x root\/root +\d+ \S+ \S+ bin\/shapes$/m);
  assert.match(phaseText(readFileSync(join(ws.logs, 'shapes-2.0.log')), 'package') ?? '', /left out, not under PREFIX \/opt\/kiln: etc\n/);
  rmSync(out, { recursive: true });
});

void test('with SOURCE_DATE_EPOCH set, building a port twice gives the same bytes', async (t) => {
  const ws = await workspace();
  const saved = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = '1700000000';
  t.after(async () => {
    if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved;
    await ws.cleanup();
  });
  await ws.port('misc/shapes', SHAPES);
  const first = await buildPackage(ws.job('misc/shapes', 'shapes-2.0'), { signal, scratch: ws.scratch });
  const bytes = readFileSync(first.packageFile ?? '');
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const second = await buildPackage(ws.job('misc/shapes', 'shapes-2.0'), { signal, scratch: ws.scratch });
  assert.ok(readFileSync(second.packageFile ?? '').equals(bytes));
  assert.match(tarRead(first.packageFile ?? '', '+BUILD_INFO'), /^BUILD_DATE=2023-11-14 22:13:20 \+0000$/m);
  assert.match(execFileSync('tar', ['-tvzf', first.packageFile ?? ''], { encoding: 'utf8' }), /2023-11-14 22:13 bin\/shapes\n/);
});

void test('metadata holding $(...), backticks and quotes is carried as text and executes nothing', async (t) => {
  const ws = await workspace();
  t.after(() => ws.cleanup());
  const evil = (n: number): string => `$(touch ${join(ws.root, `pwned-${n}`)})\`touch ${join(ws.root, `tick-${n}`)}\`'"; touch ${join(ws.root, `semi-${n}`)}`;
  const pkgpath = 'misc/q$(id)`id`\'"x';
  const depName = 'dep$(echo${IFS}INJ3CTED)`echo${IFS}TICKED`-1.0';
  await ws.port('misc/dep', 'PKGNAME=dep-1.0\ninstall() { mkdir -p "$DESTDIR$PREFIX/share"; echo dep > "$DESTDIR$PREFIX/share/dep"; }\n');
  assert.equal((await buildPackage(ws.job('misc/dep', depName), { signal, scratch: ws.scratch })).outcome.kind, 'built');
  await ws.port(pkgpath, 'PKGNAME=evil-1.0\ninstall() { mkdir -p "$DESTDIR$PREFIX/share"; ls "$PREFIX/.pkgdb" > "$DESTDIR$PREFIX/share/pkgdb"; }\n');
  const job = ws.job(pkgpath, 'evil$(touch${IFS}x)-1.0', {
    dependencies: [ws.dep(depName)],
    metadata: { ...metadata, comment: evil(1), homepage: evil(2), license: evil(3), maintainer: evil(4), categories: evil(5), runDepends: [evil(6)], buildDepends: [evil(7)] },
  });
  const report = await buildPackage(job, { signal, scratch: ws.scratch });
  assert.equal(report.outcome.kind, 'built', readFileSync(job.logFile, 'utf8'));
  assert.deepEqual(execFileSync('ls', [ws.root], { encoding: 'utf8' }).split('\n').filter((name) => /pwned|tick|semi/.test(name)), []);
  const file = report.packageFile ?? '';
  assert.equal(tarRead(file, '+COMMENT'), `${evil(1)}\n`);
  assert.match(tarRead(file, '+CONTENTS'), new RegExp(`^@pkgdep ${evil(6).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  assert.ok(tarRead(file, '+BUILD_INFO').includes(`PKGPATH=${pkgpath}\n`));
  assert.equal(tarRead(file, 'share/pkgdb'), `${depName}\n`);
  const depends = phaseText(readFileSync(job.logFile), 'depends');
  assert.equal(depends, `kiln: installing ${depName}\n`);
});
