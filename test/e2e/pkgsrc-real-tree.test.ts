// Out of CI: the pkgsrc driver on a real tree against the recorded scan of
// the same tree (../shared/data/pkgsrc/pscan.xz, pkgsrc-2017Q4 on Linux).
// Runs when KILN_PKGSRC_TREE (the tree) and KILN_PKGSRC_KIT (its bootstrap
// kit) are set; CI has neither. Blocks must be equal, SCAN_DEPENDS too once
// the machine paths are written as the recording wrote them.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { parseIndex } from '../../src/core/formats/pbulk-index.js';
import { PkgsrcDriver } from '../../src/ports/pkgsrc/pkgsrc-driver.js';
import { readBootstrapKit, unpackKit } from '../../src/sandbox/bootstrap-kit.js';
import { copyPublicEtc } from '../../src/sandbox/pkgsrc-etc.js';
import { xzDecompressed } from '../../bench/xz-text.js';
import { dataFile } from './shared-data.js';

const tree = process.env['KILN_PKGSRC_TREE'];
const kitFile = process.env['KILN_PKGSRC_KIT'];
const pscan = dataFile('pkgsrc/pscan.xz');
const skip = tree === undefined || kitFile === undefined ? 'set KILN_PKGSRC_TREE and KILN_PKGSRC_KIT to a pkgsrc-2017Q4 tree and its bootstrap kit' : pscan.skip;

// Plain tools, the pbulk tool with the most makefiles, MULTI_VERSION ports, one whose PKGNAME is set by hand,
// and one whose gawk dependency pkgsrc decides by /etc/debian_version.
const PORTS = ['pkgtools/digest', 'devel/bmake', 'lang/nawk', 'pkgtools/pbulk', 'devel/py-setuptools', 'lang/php56', 'pkgtools/osabi', 'security/libgpg-error'];

void test('bmake pbulk-index in kiln\'s sandbox gives the recorded blocks of a real pkgsrc tree', { skip }, async (t) => {
  const read = await readBootstrapKit(kitFile!);
  assert.ok(read.ok, read.ok ? '' : read.reason);
  const dir = await mkdtemp(path.join(tmpdir(), 'kiln-real-pkgsrc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(await unpackKit(read.kit, dir), undefined);
  const prefix = { dir: path.join(dir, read.kit.prefix), at: read.kit.prefix };
  const etc = path.join(dir, 'public-etc');
  await copyPublicEtc(etc);
  const signal = new AbortController().signal;
  const driver = await PkgsrcDriver.open(tree!, { make: `${read.kit.prefix}/bin/bmake`, makeIdentity: read.kit.sha256, prefix, etc }, signal);
  assert.ok(driver.assignments.some((a) => a.startsWith('OPSYS=')), 'the tree variables were asked once');
  const recorded = new Map(parseIndex(await xzDecompressed(pscan.path)).entries.map((e) => [e.pkgname, e.raw]));
  const asRecorded = (raw: string): string => raw.replaceAll(driver.root, '@PKGSRCDIR@').replaceAll(read.kit.prefix, '@LOCALBASE@');
  for (const pkgpath of PORTS) {
    const result = await driver.scanPort(pkgpath, signal);
    assert.equal(result.kind, 'scanned', pkgpath);
    if (result.kind !== 'scanned') continue;
    const entries = parseIndex(result.index).entries;
    assert.ok(entries.length > 0, pkgpath);
    for (const entry of entries) assert.equal(asRecorded(entry.raw), recorded.get(entry.pkgname), `${pkgpath}: ${entry.pkgname}`);
  }
});
