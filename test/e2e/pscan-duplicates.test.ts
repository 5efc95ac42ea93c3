// kiln scan's rule for duplicate PKGNAMEs (core/formats/pscan-blocks.ts) against the
// real pkgsrc-2017Q4 scan: every pbulk-index entry of the whole tree, port
// by port in scan order, filtered; what is kept must be the blocks of
// pbulk's meta/pscan (19,813 of 22,862), and what is dropped the entries
// the data marks as later duplicates (devel/waf's waf-2.0.2 three times).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

import { FirstPkgnames } from '../../src/core/formats/pscan-blocks.js';
import { dataFile } from './shared-data.js';

const packages = dataFile('pkgsrc/packages.tsv.xz');
const pscan = dataFile('pkgsrc/pscan.xz');

void test('later duplicate PKGNAMEs are dropped as pbulk\'s scan drops them', { skip: packages.skip || pscan.skip }, () => {
  const rows = execFileSync('xz', ['-dc', packages.path], { encoding: 'utf8', maxBuffer: 1 << 28 }).trim().split('\n').slice(1)
    .map((line) => line.split('\t')).map(([pkgpath, pkgname, duplicate, multi]) => ({ pkgpath: pkgpath!, pkgname: pkgname!, duplicate: duplicate === '1', multi: multi! }));
  // Each port's pbulk-index output, as kiln's scan of it gives it (PKG_LOCATION after PKGNAME).
  const ports = new Map<string, string>();
  for (const row of rows) {
    ports.set(row.pkgpath, `${ports.get(row.pkgpath) ?? ''}PKGNAME=${row.pkgname}\nPKG_LOCATION=${row.pkgpath}\nMULTI_VERSION=${row.multi}\n`);
  }
  const first = new FirstPkgnames();
  let kept = '';
  const dropped: string[] = [];
  for (const [pkgpath, index] of ports) {
    const result = first.keep(index);
    kept += result.text;
    dropped.push(...result.dropped.map((pkgname) => `${pkgpath} ${pkgname}`));
  }
  const keptBlocks = [...kept.matchAll(/^PKGNAME=(.*)\nPKG_LOCATION=(.*)\nMULTI_VERSION=(.*)\n/gm)].map((m) => `${m[2]} ${m[1]} ${m[3]}`);
  assert.equal(rows.length, 22862);
  assert.deepEqual(keptBlocks, rows.filter((r) => !r.duplicate).map((r) => `${r.pkgpath} ${r.pkgname} ${r.multi}`));
  assert.deepEqual(dropped, rows.filter((r) => r.duplicate).map((r) => `${r.pkgpath} ${r.pkgname}`));
  assert.deepEqual(dropped.filter((d) => d.startsWith('devel/waf ')), ['devel/waf waf-2.0.2', 'devel/waf waf-2.0.2', 'devel/waf waf-2.0.2']);
  assert.match(kept, /^PKGNAME=waf-2\.0\.2\nPKG_LOCATION=devel\/waf\nMULTI_VERSION=PYTHON_VERSION_REQD=27\n/m, 'the first of waf\'s versions is the one kept');

  // pbulk's pscan of the tree: the same PKGNAMEs, each once, from the same pkgpaths.
  const real = execFileSync('xz', ['-dc', pscan.path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const realBlocks = [...real.matchAll(/^PKGNAME=(.*)\nPKG_LOCATION=(.*)$/gm)].map((m) => `${m[2]} ${m[1]}`).sort();
  assert.equal(realBlocks.length, 19813);
  assert.deepEqual(keptBlocks.map((b) => b.split(' ').slice(0, 2).join(' ')).sort(), realBlocks);
});

void test('one port\'s later block of a name is left out; the next port\'s blocks are judged against all before', () => {
  const first = new FirstPkgnames();
  const a = first.keep('PKGNAME=x-1\nPKG_LOCATION=c/x\nMULTI_VERSION=V=1\nPKGNAME=x-1\nPKG_LOCATION=c/x\nMULTI_VERSION=V=2\nPKGNAME=y-1\nPKG_LOCATION=c/x\n');
  assert.equal(a.text, 'PKGNAME=x-1\nPKG_LOCATION=c/x\nMULTI_VERSION=V=1\nPKGNAME=y-1\nPKG_LOCATION=c/x\n');
  assert.deepEqual(a.dropped, ['x-1']);
  assert.deepEqual(first.keep('PKGNAME=y-1\nPKG_LOCATION=d/y\n'), { text: '', dropped: ['y-1'] });
  assert.deepEqual(first.keep('PKGNAME=z-1\nPKG_LOCATION=d/z\n'), { text: 'PKGNAME=z-1\nPKG_LOCATION=d/z\n', dropped: [] });
});
