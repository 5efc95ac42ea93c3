import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

import { BuildGraph } from '../resolve/graph.js';
import type { Estimate } from '../model.js';
import { dpbPriority, dpbWeights } from './priority-dpb.js';
import { pbulkPriority } from './priority-pbulk.js';
import { poudrierePriority } from './priority-poudriere.js';

const graphOf = (spec: Record<string, string[]>): BuildGraph =>
  BuildGraph.from(Object.entries(spec).map(([pkgname, deps]) => ({ pkgname, pkgpath: `c/${pkgname}`, deps })));
const est = (wallS: number, source: Estimate['source'] = 'history'): Estimate =>
  ({ wallS, cpuS: wallS, buildWallS: wallS, buildCpuS: wallS, makeJobs: 1, source });
const byName = (graph: BuildGraph, scores: Float64Array): Record<string, number> =>
  Object.fromEntries(graph.pkgnames.map((name, id) => [name, scores[id]!]));

//   lib -> p -> r          tool -> x
//   lib -> q               (w alone)
//   lib -> r
const shop = graphOf({ lib: [], tool: [], w: [], p: ['lib'], q: ['lib'], r: ['p', 'lib'], x: ['tool'] });

void test('pbulk: itself plus every package that depends on it, once each', () => {
  assert.deepEqual(byName(shop, pbulkPriority.priorities(shop, [])), { lib: 4, tool: 2, w: 1, p: 2, q: 1, r: 1, x: 1 });
});

void test('poudriere: the longest chain of dependents, in packages, itself included', () => {
  assert.deepEqual(byName(shop, poudrierePriority.priorities(shop, [])), { lib: 3, tool: 2, w: 1, p: 2, q: 1, r: 1, x: 1 });
});

void test('dpb: own past time plus every dependent\'s; an unknown time weighs as the heaviest known', () => {
  const times = [est(10), est(5), est(1000), est(20), est(7, 'estimate'), est(3), est(4)];
  assert.deepEqual([...dpbWeights(times)], [10, 5, 1000, 20, 1000, 3, 4]);
  assert.deepEqual(byName(shop, dpbPriority.priorities(shop, times)), {
    lib: 10 + 20 + 1000 + 3, tool: 5 + 4, w: 1000, p: 20 + 3, q: 1000, r: 3, x: 4,
  });
});

// pbulk's own limited build (../shared/data/pkgsrc/pbulk-limited-build): 53
// packages, every one needs cwrappers; these are the other dependencies
// (from packages.tsv of the same tree).
const LIMITED = [
  'bsdtar-3.3.2', 'pax-20080110nb2', 'bmake-20150505', 'cpuflags-1.43', 'nbpatch-20151107', 'sysexits-1.1',
  'fortune-strfile-0', 'nawk-20121220nb1', 'fetch-1.8nb3', 'hf6to4-1.3nb1', 'libfetch-2.38', 'binpatch-1.0',
  'bootstrap-extra-files-20070702', 'bootstrap-mk-files-20170802', 'compat_headers-0.2', 'createbuildlink-3.17',
  'cwrappers-20171108', 'dfdisk-1.0', 'digest-20160304', 'genpkgng-20140425', 'libnbcompat-20150615', 'mksandbox-1.7',
  'mtree-20130908', 'osabi-Linux-6.18.44', 'pbulk-base-0.53', 'pkg_alternatives-1.6', 'pkg_chk-2.0.8',
  'pkg_install-20171030', 'pkg_install-info-4.5nb3', 'pkg_leaves-1.2', 'pkg_regress-0.3', 'pkg_rolling-replace-0.24.3',
  'pkg_tarup-1.9.1', 'pkgclean-20051116', 'pkgfind-20111022', 'pkgsurvey-1.0', 'pkgtasks-1-1.15', 'plist-utils-20170813',
  'prereq-readme-20050521', 'rc.subr-20171024', 'rcorder-20120310', 'rdigest-20160304', 'shlock-20080529',
  'verifypc-1.6', 'papersize-1.0.8', 'multigest-20150211', 'netpgpverify-20171019', 'pdksh-5.2.14nb7',
  'bsdinstall-20160108', 'free-1.0', 'install-sh-20100824', 'lockf-1', 'nbsed-20120308',
];
const LIMITED_DEPS: Record<string, string[]> = {
  'bmake-20150505': ['bootstrap-mk-files-20170802'],
  'fetch-1.8nb3': ['libfetch-2.38'],
  'pkg_rolling-replace-0.24.3': ['nbpatch-20151107', 'pkg_chk-2.0.8', 'pkg_tarup-1.9.1'],
  'rdigest-20160304': ['digest-20160304', 'nbpatch-20151107'],
};
const limited = graphOf(Object.fromEntries(LIMITED.map((name) => [
  name, name.startsWith('cwrappers-') ? [] : ['cwrappers-20171108', ...(LIMITED_DEPS[name] ?? [])],
])));
const PBUILD = '../shared/data/pkgsrc/pbulk-limited-build/pbuild.txt';

void test('pbulk: the same depths as pbulk-build printed for its limited build', () => {
  const depth = byName(limited, pbulkPriority.priorities(limited, []));
  assert.deepEqual([depth['cwrappers-20171108'], depth['nbpatch-20151107'], depth['pkg_chk-2.0.8'], depth['libfetch-2.38'], depth['pax-20080110nb2']],
    [53, 3, 2, 2, 1]);
  if (!existsSync(PBUILD)) return;
  for (const line of readFileSync(PBUILD, 'utf8').trim().split('\n')) {
    const [pkgname, , , printed] = line.split('|');
    assert.equal(depth[pkgname!], Number(printed), pkgname);
  }
});
