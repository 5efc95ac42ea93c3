// The oracle: pbulk-resolve's own output for the whole SmartOS pkgsrc tree
// (presolve.gz), against kiln's resolver on the same scan (pscan.gz). And
// the 2017Q4 Linux scan, which pbulk-resolve -v resolved with no missing
// dependency and 51 warnings.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';

import { readIndexText } from '../../src/cli/index-input.js';
import type { IndexEntry } from '../../src/core/formats/pbulk-index.js';
import { IndexReader, parseIndex } from '../../src/core/formats/pbulk-index.js';
import { formatPresolveBlock } from '../../src/core/formats/presolve-format.js';
import type { ResolveOptions } from '../../src/core/resolve/resolve.js';
import { resolveIndex } from '../../src/core/resolve/resolve.js';
import { dataFile } from './shared-data.js';

async function resolveFile(path: string, options: ResolveOptions) {
  const reader = new IndexReader();
  const entries: IndexEntry[] = [];
  for await (const text of readIndexText(path, process.stdin)) entries.push(...reader.push(text));
  entries.push(...reader.end());
  assert.deepEqual(reader.errors, [], 'the index reads without a bad line');
  return resolveIndex(entries, options);
}

const pscan = dataFile('pkgsrc-smartos/pscan.gz');
const presolve = dataFile('pkgsrc-smartos/presolve.gz');

test('SmartOS: every DEPENDS= equals pbulk-resolve\'s, and the whole presolve is byte-identical', { skip: pscan.skip || presolve.skip }, async () => {
  const { packages, messages } = await resolveFile(pscan.path, { strict: false });
  const oracleText = gunzipSync(readFileSync(presolve.path)).toString('latin1');
  const oracle = new Map(parseIndex(oracleText).entries.map((e) => [e.pkgname, e.vars.get('DEPENDS')]));
  assert.equal(packages.length, 29022);
  assert.equal(oracle.size, 29022);

  let sameLine = 0;
  let sameSet = 0;
  const differ: string[] = [];
  for (const pkg of packages) {
    const expected = oracle.get(pkg.pkgname);
    const ours = pkg.complete && pkg.depends.length > 0 ? pkg.depends.join(' ') : undefined;
    if (ours === expected) sameLine++;
    const asSet = (line: string | undefined): string => [...new Set((line ?? '').split(' '))].sort().join(' ');
    if (asSet(ours) === asSet(expected)) sameSet++;
    else differ.push(`${pkg.pkgname}: ours ${ours ?? '(none)'}, pbulk's ${expected ?? '(none)'}`);
  }
  assert.deepEqual(differ.slice(0, 10), []);
  assert.equal(sameSet, 29022);
  assert.equal(sameLine, 29022);

  let offset = 0;
  for (const pkg of packages) {
    const block = formatPresolveBlock(pkg);
    if (!oracleText.startsWith(block, offset)) {
      assert.fail(`presolve differs in the block of ${pkg.pkgname} at byte ${offset}`);
    }
    offset += block.length;
  }
  assert.equal(offset, oracleText.length, 'nothing missing at the end');

  // The six packages pbulk could not resolve, each with the pattern it names.
  const unresolved = packages.filter((p) => p.cause === 'unresolvable').map((p) => `${p.pkgname} ${p.unresolved.join(' ')}`);
  assert.deepEqual(unresolved.sort(), [
    'py311-buildbot-badges-2.6.0nb1 py311-buildbot-[0-9]*',
    'py311-buildbot-waterfall-view-2.6.0nb1 py311-buildbot-[0-9]*',
    'py311-e3-core-22.10.0nb3 py311-stevedore>=1.20.0',
    'py312-libagent-0.15.0 py312-daemon>=2.3.0',
    'py313-libagent-0.15.0 py313-daemon>=2.3.0',
    'py314-libagent-0.15.0 py314-daemon>=2.3.0',
  ]);
  assert.equal(messages.length, 6);
  // README: 1,148 PKGNAMEs have a PKG_SKIP_REASON, 203 a PKG_FAIL_REASON.
  assert.equal(packages.filter((p) => p.cause === 'skip').length, 1148);
  assert.equal(packages.filter((p) => p.entry.vars.get('PKG_FAIL_REASON') !== '').length, 203);
  assert.equal(packages.filter((p) => p.cause === 'cycle').length, 0);
});

const linux = dataFile('pkgsrc/pscan.xz');

test('Linux 2017Q4: resolves with no missing dependency; -v gives pbulk-resolve\'s 51 warnings', { skip: linux.skip }, async () => {
  const { packages, messages } = await resolveFile(linux.path, { strict: true, verbose: true });
  assert.equal(packages.length, 19813);
  assert.deepEqual(messages.filter((m) => m.level === 'error'), []);
  assert.deepEqual(packages.filter((p) => !p.complete).map((p) => p.pkgname), []);
  assert.equal(messages.filter((m) => m.text.startsWith('Best matching ')).length, 51);
  assert.equal(messages.length, 51);
});
