// pkgsrc packages carry their build inputs (KILN_INPUTS in +BUILD_INFO), as
// kiln's own packages do: a fresh run directory over an existing repository
// (how pbulk users work: a new report directory each run) builds nothing
// that is current, and after a change only the changed port and what was
// built against it.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

import { fixtureCopy, noBmake } from './pkgsrc-fixture.js';
import { kiln } from './scan-fixtures.js';

void test('a new run directory over a pkgsrc repository rebuilds only what changed', { skip: noBmake }, async (t) => {
  const { dir, tree, kit } = await fixtureCopy();
  t.after(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755); // the build user reads the tree
  const packages = path.join(dir, 'packages');
  const build = async (logs: string): Promise<Record<string, string>> => {
    const logdir = path.join(dir, logs);
    const run = await kiln(['build', '--tree', tree, '--bootstrap-kit', kit, '--jobs', '2', '--logdir', logdir, '--packages', packages, '--plain', 'devel/hello', 'lang/py-thing', 'devel/osname']);
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const rows = (JSON.parse(readFileSync(path.join(logdir, 'report.json'), 'utf8')) as { packages: { pkgname: string; status: string }[] }).packages;
    return Object.fromEntries(rows.map((r) => [r.pkgname, r.status]));
  };
  const names = ['hello-1.0', 'libfoo-1.2', 'osname-1.0', 'py310-thing-1.0', 'py311-thing-1.0'];
  const all = (status: string): Record<string, string> => Object.fromEntries(names.map((name) => [name, status]));

  assert.deepEqual(await build('logs-1'), all('done'));
  const file = path.join(packages, 'All', 'hello-1.0.tgz');
  const buildInfo = execFileSync('tar', ['-xzOf', file, '+BUILD_INFO'], { encoding: 'utf8' });
  assert.match(buildInfo, /^OPSYS=Linux\nPKGPATH=devel\/hello\nMACHINE_ARCH=x86_64\nKILN_INPUTS=[0-9a-f]{64}\n$/, 'pkgsrc\'s own lines kept, the inputs added');
  assert.ok(execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').includes('bin/hello'), 'the rest of the archive reads back');

  assert.deepEqual(await build('logs-2'), all('up-to-date'), 'a fresh run directory knows the packages are current');

  const install = path.join(tree, 'devel', 'libfoo', 'files', 'install.sh');
  // The fixture's packing lists have no MD5s: a new file is what changes libfoo's content for those built against it.
  writeFileSync(install, `${readFileSync(install, 'utf8')}echo more > "$DESTDIR$PREFIX/lib/libfoo-more.txt"\n`);
  assert.deepEqual(await build('logs-3'), { ...all('done'), 'osname-1.0': 'up-to-date' }, 'libfoo and what was built against it');
});
