// A pkgsrc Makefile is code kiln runs as root: `kiln scan` of the fixture
// tree with a port whose Makefile reads a root-only canary of the host into
// its metadata, writes into the tree, and plants build options in pkgsrc's
// option cache (PBULK_CACHE_DIRECTORY) for a port scanned after it, which
// .sincludes them as pkgsrc's pkg-build-options.mk does.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { appendFile, chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

import { parseIndex } from '../../src/core/formats/pbulk-index.js';
import { fixtureCopy, noBmake } from './pkgsrc-fixture.js';
import { kiln } from './scan-fixtures.js';

const token = randomBytes(5).toString('hex');
const canary = `/usr/share/kiln-pkgsrc-canary-${token}`;
const secret = `canary ${token}`;

const THIEF = `_STOLEN!=\tcat ${canary} 2>&1 || :
_TREE!=\t(echo planted >\${.CURDIR}/planted && echo tree-written || echo tree-refused) 2>/dev/null
_CACHE!=\tmkdir -p \${PBULK_CACHE_DIRECTORY} && printf 'PKG_FAIL_REASON+=poisoned-by-thief\\n' >\${PBULK_CACHE_DIRECTORY}/build-options.libfoo && echo cache-written || echo cache-refused
PKGNAME=\tthief-1.0
CATEGORIES=\tdevel \${_TREE} \${_CACHE}
MAINTAINER=\tread: \${_STOLEN}
COMMENT=\tread: \${_STOLEN}

.include "../../mk/bsd.pkg.mk"
`;

// As pkgsrc's pkg-build-options.mk: a dependency's build options come from the option cache when there.
const VICTIM = `PKGNAME=\tvictim-1.0
CATEGORIES=\tdevel
DEPENDS+=\tlibfoo>=1.0:../../devel/libfoo
.sinclude "\${PBULK_CACHE_DIRECTORY}/build-options.libfoo"

.include "../../mk/bsd.pkg.mk"
`;

function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

void test('a pkgsrc Makefile cannot read a root-only host file into the index, write the tree, or plant options for other ports\' scans',
  { skip: noBmake || (process.getuid?.() !== 0 && 'runs as root') }, async (t) => {
    const { dir, tree, kit } = await fixtureCopy();
    t.after(() => rm(dir, { recursive: true, force: true }));
    t.after(() => rm(canary, { force: true }));
    await chmod(dir, 0o755); // reachable by the build user, as a ports tree is
    await writeFile(canary, `${secret}\n`, { mode: 0o600 });
    await mkdir(path.join(tree, 'devel/thief'));
    await writeFile(path.join(tree, 'devel/thief/Makefile'), THIEF);
    await mkdir(path.join(tree, 'devel/victim'));
    await writeFile(path.join(tree, 'devel/victim/Makefile'), VICTIM);
    await appendFile(path.join(tree, 'devel/Makefile'), 'SUBDIR+=\tthief\nSUBDIR+=\tvictim\n');
    const before = listing(tree);

    // One scan at a time, in pkgpath order: the thief's scan ends before the victim's starts.
    const run = await kiln(['scan', '--tree', tree, '--bootstrap-kit', kit, '--jobs', '1']);
    assert.equal(run.status, 1, 'devel/broken cannot be scanned');
    assert.equal(run.stdout.includes(secret), false, 'the canary is not in the index');
    assert.equal(run.stderr.includes(secret), false, 'nor in what kiln printed');
    assert.doesNotMatch(run.stderr, /warning/);
    const { entries, errors } = parseIndex(run.stdout);
    assert.deepEqual(errors, []);
    const thief = entries.find((e) => e.pkgname === 'thief-1.0')!;
    assert.match(thief.vars.get('MAINTAINER')!, /^read: cat: .*: Permission denied$/, 'the read was tried and refused');
    assert.equal(thief.vars.get('CATEGORIES'), 'devel tree-refused cache-written', 'the tree is read-only; the option cache is the scan\'s own');
    assert.deepEqual(listing(tree), before, 'nothing was written into the tree');
    assert.equal(await readFile(canary, 'utf8'), `${secret}\n`);

    const victim = entries.find((e) => e.pkgname === 'victim-1.0')!;
    assert.equal(victim.vars.get('PKG_FAIL_REASON'), '', 'the victim\'s scan read no option the thief planted');
    assert.equal(victim.vars.get('ALL_DEPENDS'), 'libfoo>=1.0:../../devel/libfoo ');
    assert.deepEqual(entries.map((e) => e.pkgname), [
      'badconf-0.1', 'broken', 'daemon-2.0', 'etcview-1.0', 'hello-1.0', 'libfoo-1.2', 'osname-1.0', 'secret-1.0', 'kilnsh-1.0',
      'thief-1.0', 'usesecret-1.0', 'victim-1.0', 'py311-thing-1.0', 'py310-thing-1.0', 'bootstrap-thing-1.0', 'pkg_install-20171030',
    ], 'every other port scanned as before');
    assert.equal(entries.find((e) => e.pkgname === 'hello-1.0')!.vars.get('ALL_DEPENDS'), 'libfoo>=1.0:../../devel/libfoo ');
  });

void test('a pkgsrc tree the build user cannot reach is scanned with kiln\'s own access, and kiln says so and how to mend it',
  { skip: noBmake || (process.getuid?.() !== 0 && 'runs as root') }, async (t) => {
    const { dir, tree, kit } = await fixtureCopy(); // under a 0700 temporary directory
    t.after(() => rm(dir, { recursive: true, force: true }));
    const run = await kiln(['scan', '--tree', tree, '--bootstrap-kit', kit, 'devel/hello']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, `kiln scan: warning: ${dir} is not searchable by the build user (uid 65534), so the scans of ${tree} run with root's access to files; make the tree readable by all (chmod a+rX) to scan it as that user\n`);
    assert.deepEqual(parseIndex(run.stdout).entries.map((e) => e.pkgname), ['hello-1.0', 'libfoo-1.2']);
  });
