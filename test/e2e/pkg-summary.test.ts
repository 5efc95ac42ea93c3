// The repository index, from packages the real builder made: pkg_summary.gz
// fields as pkg_info -X writes them, SHA512 as digest(1)/sha512sum compute.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { writeRepositoryIndex } from '../../src/report/repository/pkg-summary.js';
import { buildPackage } from '../../src/sandbox/builder.js';
import { metadata, tarRead, workspace } from './sandbox-fixture.js';

const signal = new AbortController().signal;

/** pkg_summary blocks as ordered lists of [variable, value]. */
function blocks(allDir: string): [string, string][][] {
  const text = gunzipSync(readFileSync(join(allDir, 'pkg_summary.gz'))).toString('utf8');
  assert.ok(text.endsWith('\n\n'));
  return text.slice(0, -2).split('\n\n').map((block) => block.split('\n').map((line) => {
    const at = line.indexOf('=');
    return [line.slice(0, at), line.slice(at + 1)] as [string, string];
  }));
}

void test('pkg_summary.gz and SHA512 describe every package file, are rebuilt from the files, and skip what is not a package', async (t) => {
  const ws = await workspace();
  t.after(() => ws.cleanup());
  await ws.port('devel/liba', 'PKGNAME=liba-1.0\ninstall() { mkdir -p "$DESTDIR$PREFIX/lib"; echo a > "$DESTDIR$PREFIX/lib/liba.txt"; }\n');
  await ws.port('misc/b', 'PKGNAME=b-2.0\ninstall() { mkdir -p "$DESTDIR$PREFIX/bin"; echo b > "$DESTDIR$PREFIX/bin/b"; }\n', { DESCR: 'B does b.\n\nReally.\n' });
  assert.equal((await buildPackage(ws.job('devel/liba', 'liba-1.0'), { signal, scratch: ws.scratch })).outcome.kind, 'built');
  const b = await buildPackage(ws.job('misc/b', 'b-2.0', {
    dependencies: [ws.dep('liba-1.0')],
    metadata: { ...metadata, comment: 'The b tool', categories: 'misc devel', license: 'mit', runDepends: ['liba>=1.0'], buildDepends: ['liba-1.0'] },
  }), { signal, scratch: ws.scratch });
  assert.equal(b.outcome.kind, 'built');

  assert.deepEqual(await writeRepositoryIndex(ws.packages, ws.scratch), { packages: 2, read: 2, skipped: [] });
  const [bBlock, liba] = blocks(ws.packages);
  assert.equal(liba?.[0]?.[1], 'liba-1.0');
  const bFile = join(ws.packages, 'b-2.0.tgz');
  const info = tarRead(bFile, '+BUILD_INFO');
  const value = (key: string): string => info.split('\n').find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1) ?? '';
  assert.deepEqual(bBlock, [
    ['PKGNAME', 'b-2.0'], ['DEPENDS', 'liba>=1.0'], ['COMMENT', 'The b tool'], ['SIZE_PKG', tarRead(bFile, '+SIZE_PKG').trim()],
    ['BUILD_DATE', value('BUILD_DATE')], ['CATEGORIES', 'misc devel'], ['HOMEPAGE', 'https://kiln.example/'], ['LICENSE', 'mit'],
    ['MACHINE_ARCH', value('MACHINE_ARCH')], ['OPSYS', value('OPSYS')], ['OS_VERSION', value('OS_VERSION')], ['PKGPATH', 'misc/b'],
    ['PKGTOOLS_VERSION', '20091115'], ['FILE_NAME', 'b-2.0.tgz'], ['FILE_SIZE', String(statSync(bFile).size)],
    ['DESCRIPTION', 'B does b.'], ['DESCRIPTION', ''], ['DESCRIPTION', 'Really.'], ['DESCRIPTION', ''], ['DESCRIPTION', 'Homepage:'],
    ['DESCRIPTION', 'https://kiln.example/'],
  ]);
  assert.equal(tarRead(bFile, '+SIZE_PKG'), '2\n');
  assert.equal(tarRead(bFile, '+SIZE_ALL'), '4\n', 'SIZE_ALL counts the dependency it was built against');

  const sums = execFileSync('sha512sum', ['b-2.0.tgz', 'liba-1.0.tgz', 'pkg_summary.gz'], { cwd: ws.packages, encoding: 'utf8' })
    .trim().split('\n').map((line) => {
      const [hex, name] = line.split(/\s+\*?/);
      return `SHA512 (${name}) = ${hex}`;
    });
  assert.equal(readFileSync(join(ws.packages, 'SHA512'), 'utf8'), `${sums.join('\n')}\n`);

  // Unchanged packages are not read again, and the index comes out the same.
  const before = readFileSync(join(ws.packages, 'pkg_summary.gz'));
  assert.deepEqual(await writeRepositoryIndex(ws.packages, ws.scratch), { packages: 2, read: 0, skipped: [] });
  assert.ok(readFileSync(join(ws.packages, 'pkg_summary.gz')).equals(before));
  assert.deepEqual(readdirSync(ws.packages).sort(), ['SHA512', 'b-2.0.tgz', 'liba-1.0.tgz', 'pkg_summary.gz'], 'All/ holds packages and index files only');

  // A package removed leaves the index; a file that is no package is skipped with the reason.
  unlinkSync(join(ws.packages, 'liba-1.0.tgz'));
  writeFileSync(join(ws.packages, 'junk-1.0.tgz'), 'not a package');
  const result = await writeRepositoryIndex(ws.packages, ws.scratch);
  assert.equal(result.packages, 1);
  assert.equal(result.read, 1);
  assert.equal(result.skipped[0]?.file, 'junk-1.0.tgz');
  assert.match(result.skipped[0]?.reason ?? '', /^not a gzip'd tar archive/);
  assert.deepEqual(blocks(ws.packages).map((block) => block[0]?.[1]), ['b-2.0']);
  assert.doesNotMatch(readFileSync(join(ws.packages, 'SHA512'), 'utf8'), /liba|junk/);
});
