import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseIndex } from '../formats/pbulk-index.js';
import { resolveIndex, type ResolvedPackage } from './resolve.js';
import { sameResolution, settledPackages } from './settled.js';

/** An index from `pkgname location deps...` lines. */
function index(...ports: string[]): string {
  return ports.map((line) => {
    const [pkgname, location, ...deps] = line.split(' ');
    return [`PKGNAME=${pkgname}`, `PKG_LOCATION=${location}`, `ALL_DEPENDS=${deps.join(' ')}`, 'PKG_SKIP_REASON=', 'PKG_FAIL_REASON='].join('\n') + '\n';
  }).join('');
}

const resolve = (...ports: string[]): ResolvedPackage[] => resolveIndex(parseIndex(index(...ports)).entries, { strict: false }).packages;
const names = (packages: readonly ResolvedPackage[]): string[] => packages.map((p) => p.pkgname).sort();

const LIB = 'lib-1.0 devel/lib';
const APP = 'app-1.0 misc/app lib>=1:../../devel/lib';
const TOOL = 'tool-2.0 devel/tool lib>=1:../../devel/lib gmake>=4:../../devel/gmake';

test('settled: a package whose dependencies are scanned, in the directories it names, and settled', () => {
  const partial = resolve(LIB, APP, TOOL);
  const scanned = new Set(['devel/lib', 'misc/app', 'devel/tool']);
  assert.deepEqual(names(settledPackages(partial, scanned, new Set())), ['app-1.0', 'lib-1.0'], 'tool waits for devel/gmake');
  assert.deepEqual(names(settledPackages(partial, scanned, new Set(['lib-1.0']))), ['app-1.0'], 'what was settled before is not given again');
});

test('not settled: a dependency matched in another directory than the one named, or on something unsettled', () => {
  // lib>=1 names devel/lib, but devel/lib is not scanned yet; lib-2.0 from devel/lib2 matches.
  const partial = resolve('lib-2.0 devel/lib2', APP, 'top-1 misc/top app-[0-9]*:../../misc/app');
  const scanned = new Set(['devel/lib2', 'misc/app', 'misc/top']);
  assert.deepEqual(names(settledPackages(partial, scanned, new Set())), ['lib-2.0']);
});

test('not settled: what cannot be built yet', () => {
  const partial = resolve(APP);
  assert.deepEqual(names(settledPackages(partial, new Set(['misc/app', 'devel/lib']), new Set())), [], 'lib>=1 matches nothing so far');
});

test('sameResolution: the whole tree may pick a better match elsewhere', () => {
  const early = resolve(LIB, APP).find((p) => p.pkgname === 'app-1.0')!;
  const same = resolve(LIB, APP, 'other-1 misc/other').find((p) => p.pkgname === 'app-1.0');
  const better = resolve(LIB, APP, 'lib-2.0 devel/lib-devel').find((p) => p.pkgname === 'app-1.0');
  assert.ok(sameResolution(early, same));
  assert.ok(!sameResolution(early, better));
  assert.ok(!sameResolution(early, undefined));
});
