// `kiln scan` on small trees and on examples/: what is reported, what is
// scanned, what the cache reuses.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

import { parseIndex } from '../../src/core/formats/pbulk-index.js';
import { unquoteReasons } from '../../src/ports/index-block.js';
import { examples, kiln, makeTree, portfile } from './scan-fixtures.js';

void test('a broken Portfile is reported and blocks only itself; the other ports are scanned', async (t) => {
  const root = await makeTree({
    'cat/good/Portfile': portfile('good-1.0', "DEPENDS=('broken-[0-9]*:../../cat/broken')"),
    'cat/broken/Portfile': 'PKGNAME=broken-1.0\nif then fi\n',
    'cat/noname/Portfile': 'COMMENT="forgot the name"\n',
    'cat/noversion/Portfile': 'PKGNAME=noversion\n',
    'cat/exits/Portfile': 'echo "giving up" >&2\nexit 3\n',
    'cat/other/Portfile': portfile('other-2.0'),
    'cat/samename/Portfile': portfile('other-2.0'),
  });
  t.after(() => rm(root, { recursive: true, force: true }));
  const run = await kiln(['scan', '--tree', root, '--jobs', '2']);
  assert.equal(run.status, 1);
  const { entries, errors } = parseIndex(run.stdout);
  assert.deepEqual(errors, []);
  const byPath = new Map(entries.map((e) => [e.vars.get('PKG_LOCATION')!, e]));
  assert.deepEqual([...byPath.keys()], ['cat/broken', 'cat/exits', 'cat/good', 'cat/noname', 'cat/noversion', 'cat/other']);
  const broken = byPath.get('cat/broken')!;
  assert.equal(broken.pkgname, 'broken');
  assert.equal(broken.vars.get('KILN_SCAN_ERROR'), broken.vars.get('PKG_FAIL_REASON'));
  assert.match(unquoteReasons(broken.vars.get('KILN_SCAN_ERROR')!)[0]!, /^the Portfile failed to source \(status 2\): Portfile: line 2: syntax error/);
  assert.match(byPath.get('cat/noname')!.vars.get('KILN_SCAN_ERROR')!, /sets no PKGNAME/);
  assert.match(byPath.get('cat/noversion')!.vars.get('KILN_SCAN_ERROR')!, /not name-version/);
  assert.match(byPath.get('cat/exits')!.vars.get('KILN_SCAN_ERROR')!, /exit status 3: giving up/);
  assert.equal(byPath.get('cat/good')!.vars.get('PKG_FAIL_REASON'), '');
  assert.equal(byPath.get('cat/other')!.pkgname, 'other-2.0');
  for (const name of ['broken', 'noname', 'noversion', 'exits']) assert.match(run.stderr, new RegExp(`^kiln scan: cat/${name}: `, 'm'));
  assert.match(run.stderr, /4 of 7 ports could not be scanned/);
  assert.match(run.stderr, /^kiln scan: 1 later blocks left out, an earlier block having their PKGNAME \(as pbulk's scan does\): other-2\.0 \(cat\/samename\)$/m,
    'a later block of a PKGNAME is dropped, as pbulk-scan drops it');
});

void test('closure mode scans the listed ports and what they need, as pbulk does, and nothing else', async (t) => {
  const root = await makeTree({
    'app/top/Portfile': portfile('top-1.0', "DEPENDS=('mid>=1:../../lib/mid')\nBUILD_DEPENDS=('tool-[0-9]*:../../devel/tool')"),
    'lib/mid/Portfile': portfile('mid-1.0', "DEPENDS=('base>=1:../../lib/base' 'ghost-1:../../lib/ghost')"),
    'lib/base/Portfile': portfile('base-1.0'),
    'devel/tool/Portfile': portfile('tool-1.0', "DEPENDS=('base>=1:../../lib/base')"),
    'app/unrelated/Portfile': portfile('unrelated-1.0'),
  });
  t.after(() => rm(root, { recursive: true, force: true }));
  const run = await kiln(['scan', '--tree', root, 'app/top']);
  assert.equal(run.status, 1, 'lib/ghost does not exist');
  const entries = parseIndex(run.stdout).entries;
  assert.deepEqual(entries.map((e) => e.vars.get('PKG_LOCATION')), ['app/top', 'devel/tool', 'lib/base', 'lib/ghost', 'lib/mid']);
  assert.equal(entries[3]!.pkgname, 'ghost');
  assert.match(run.stderr, /lib\/ghost: there is no directory lib\/ghost in the tree/);
});

void test('the cache reuses a scan while the port directory is unchanged, by content', async (t) => {
  const root = await makeTree({
    // $RANDOM: a real scan gives a new PKGNAME each time, a cached one the old.
    'cat/dice/Portfile': 'PKGNAME=dice-1.$RANDOM$RANDOM\n',
    'cat/dice/src/main.c': 'int main(void) { return 0; }\n',
    'cat/other/Portfile': portfile('other-1.0'),
  });
  const cache = path.join(root, '.cache');
  t.after(() => rm(root, { recursive: true, force: true }));
  const pkgname = async (): Promise<string> => {
    const run = await kiln(['scan', '--tree', root, '--cache', cache]);
    assert.equal(run.status, 0, run.stderr);
    return parseIndex(run.stdout).entries[0]!.pkgname;
  };
  const first = await pkgname();
  assert.equal(await pkgname(), first, 'hit');
  await utimes(path.join(root, 'cat/dice/src/main.c'), new Date(2001, 1, 1), new Date(2001, 1, 1));
  assert.equal(await pkgname(), first, 'a new mtime alone is no change');
  await writeFile(path.join(root, 'cat/dice/src/main.c'), 'int main(void) { return 1; }\n');
  const second = await pkgname();
  assert.notEqual(second, first, 'a changed source file is a miss');
  assert.equal(await pkgname(), second);
  await writeFile(path.join(root, 'cat/dice/VERSION'), '1\n');
  assert.notEqual(await pkgname(), second, 'a new file is a miss');
  assert.deepEqual(readdirSync(path.join(cache, 'cat')).sort(), ['dice.json', 'other.json']);
});

void test('a file the Portfile sources from elsewhere in the tree is in SCAN_DEPENDS, and changing it is a miss', async (t) => {
  const root = await makeTree({
    'mk/version.sh': 'VERSION=1.0\n',
    'cat/shared/Portfile': 'source ../../mk/version.sh\nPKGNAME=shared-$VERSION\n',
  });
  const cache = path.join(root, '.cache');
  t.after(() => rm(root, { recursive: true, force: true }));
  const scan = async () => parseIndex((await kiln(['scan', '--tree', root, '--cache', cache])).stdout).entries[0]!;
  const first = await scan();
  assert.equal(first.pkgname, 'shared-1.0');
  assert.equal(first.vars.get('SCAN_DEPENDS'), '../../mk/version.sh Portfile');
  await writeFile(path.join(root, 'mk/version.sh'), 'VERSION=2.0\n');
  assert.equal((await scan()).pkgname, 'shared-2.0');
});

void test('a scan that hangs is killed after --timeout and reported; the rest of the tree is scanned', async (t) => {
  const root = await makeTree({
    'cat/hang/Portfile': 'PKGNAME=hang-1.0\nsleep 1000 &\nwhile :; do :; done\n',
    'cat/fine/Portfile': portfile('fine-1.0'),
  });
  t.after(() => rm(root, { recursive: true, force: true }));
  const started = Date.now();
  const run = await kiln(['scan', '--tree', root, '--timeout', '1']);
  assert.ok(Date.now() - started < 10_000);
  assert.equal(run.status, 1);
  const entries = parseIndex(run.stdout).entries;
  assert.deepEqual(entries.map((e) => e.pkgname), ['fine-1.0', 'hang']);
  assert.match(entries[1]!.vars.get('KILN_SCAN_ERROR')!, /took longer than 1 s and was killed/);
  const leftovers = readdirSync('/proc').filter((pid) => /^[0-9]+$/.test(pid)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(root);
    } catch {
      return false;
    }
  });
  assert.deepEqual(leftovers, [], 'the hung scan and what it started are gone');
});

void test('examples/ scans whole, with its skip and fail reasons and kiln keys', async () => {
  const run = await kiln(['scan', '--tree', examples]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  const { entries, errors } = parseIndex(run.stdout);
  assert.deepEqual(errors, []);
  assert.equal(entries.length, 30);
  const get = (pkgpath: string) => entries.find((e) => e.vars.get('PKG_LOCATION') === pkgpath)!.vars;
  assert.deepEqual(entries.filter((e) => e.vars.get('PKG_SKIP_REASON') !== '').map((e) => e.pkgname), ['libkdoor-1.0']);
  assert.deepEqual(unquoteReasons(get('sysutils/libkdoor').get('PKG_SKIP_REASON')!), ['libkdoor needs SunOS doors (door.h); this is Linux']);
  assert.deepEqual(entries.filter((e) => e.vars.get('PKG_FAIL_REASON') !== '').map((e) => e.pkgname), ['kfetch-0.1']);
  assert.deepEqual(entries.filter((e) => e.vars.get('MAKE_JOBS_SAFE') === 'no').map((e) => e.pkgname), ['libkold-0.1']);
  const kcalc = get('lang/kcalc');
  assert.equal(kcalc.get('ALL_DEPENDS'), 'libkmath>=1.4<2:../../math/libkmath libktok-0.[5-9]*:../../textproc/libktok kgen>=1.0:../../devel/kgen');
  assert.equal(kcalc.get('RUN_DEPENDS'), 'libkmath>=1.4<2:../../math/libkmath libktok-0.[5-9]*:../../textproc/libktok');
  assert.equal(get('math/kprimes').get('RUN_DEPENDS'), '', 'linked statically: a build dependency only');
  for (const entry of entries) {
    for (const key of ['COMMENT', 'MAINTAINER', 'CATEGORIES', 'HOMEPAGE', 'LICENSE']) assert.notEqual(entry.vars.get(key), '', `${entry.pkgname} ${key}`);
    assert.equal(entry.vars.get('CATEGORIES'), entry.vars.get('PKG_LOCATION')!.split('/')[0]);
  }
});

void test('kiln scan --help, and what it says to bad usage', async () => {
  const help = await kiln(['scan', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^usage: kiln scan \[--tree DIR\]/);
  assert.match(help.stdout, /exit status/);
  const noTree = await kiln(['scan', '--tree', '/nonexistent/tree']);
  assert.equal(noTree.status, 4);
  assert.match(noTree.stderr, /no tree at \/nonexistent\/tree/);
  const badJobs = await kiln(['scan', '--jobs', '0']);
  assert.equal(badJobs.status, 2);
});
