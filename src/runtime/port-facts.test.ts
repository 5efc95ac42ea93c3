import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseIndex } from '../core/formats/pbulk-index.js';
import { resolveIndex, type ResolvedPackage } from '../core/resolve/resolve.js';
import { ScannedFacts } from './port-facts.js';

/** Resolved packages from `pkgname location [MJS=no] deps...` lines. */
function resolve(...ports: string[]): ResolvedPackage[] {
  const text = ports.map((line) => {
    const [pkgname, location, ...rest] = line.split(' ');
    const unsafe = rest[0] === 'MJS=no';
    const deps = unsafe ? rest.slice(1) : rest;
    return [`PKGNAME=${pkgname}`, `PKG_LOCATION=${location}`, `ALL_DEPENDS=${deps.join(' ')}`, 'PKG_SKIP_REASON=', 'PKG_FAIL_REASON=',
      ...(unsafe ? ['MAKE_JOBS_SAFE=no'] : [])].join('\n') + '\n';
  }).join('');
  return resolveIndex(parseIndex(text).entries, { strict: false }).packages;
}

void test('facts of a scanned port by pkgpath: its dependencies, the chain below, MAKE_JOBS_SAFE', () => {
  const scanned = new ScannedFacts();
  assert.equal(scanned.add(resolve(
    'lib-1.0 devel/lib', 'gmake-4 devel/gmake MJS=no',
    'tool-2.0 devel/tool lib>=1:../../devel/lib gmake>=4:../../devel/gmake',
    'app-1.0 misc/app tool>=2:../../devel/tool lib>=1:../../devel/lib',
  )), true, 'the first ports: fit');
  assert.deepEqual(scanned.facts('misc/app'), { pkgpath: 'misc/app', deps: 2, depth: 2, makeJobsSafe: true });
  assert.deepEqual(scanned.facts('devel/gmake'), { pkgpath: 'devel/gmake', deps: 0, depth: 0, makeJobsSafe: false });
  assert.equal(scanned.facts('misc/none'), undefined);
  assert.equal(scanned.add(resolve('x-1 misc/x')), true, 'a quarter more ports: fit again');
  assert.equal(scanned.add(resolve('y-1 misc/y')), false, 'fewer: keep the model');
});

void test('a dependency cycle (the resolver fails it) gives facts, not an endless walk', () => {
  const scanned = new ScannedFacts();
  scanned.add(resolve('a-1 misc/a b>=1:../../misc/b', 'b-1 misc/b a>=1:../../misc/a', 'c-1 misc/c a>=1:../../misc/a'));
  assert.equal(scanned.facts('misc/a')?.depth, 1);
  assert.equal(scanned.facts('misc/c')?.depth, 2);
});
