// A port that still fails on the next run is not built again (its failed
// lock stands, with the same inputs), and the reports still name the log
// and host of the build that failed: report.txt, report.json and the page's
// snapshot in report.html.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { kiln, makeTree } from './scan-fixtures.js';

interface Row { pkgname: string; status: string; host: string | null; log: string | null }

void test('a port that still fails on a second run keeps its log and host in every report', async () => {
  const root = await makeTree({
    'tree/misc/oops/Portfile': 'PKGNAME=oops-1.0\nbuild() { echo "oops.c:1:10: fatal error: nothere.h: No such file or directory"; return 1; }\ninstall() { :; }\n',
    'tree/misc/fine/Portfile': 'PKGNAME=fine-1.0\nbuild() { :; }\ninstall() { mkdir -p "$DESTDIR$PREFIX/share"; echo ok >"$DESTDIR$PREFIX/share/fine"; }\n',
  });
  try {
    const logdir = join(root, 'logs');
    const args = ['build', '--tree', join(root, 'tree'), '--jobs', '1', '--logdir', logdir, '--packages', join(root, 'packages'), '--plain'];
    for (const run of ['first', 'second']) {
      const r = await kiln(args);
      assert.equal(r.status, 1, `${run} run: a port failed\n${r.stderr}`);
      const oops = (JSON.parse(readFileSync(join(logdir, 'report.json'), 'utf8')) as { packages: Row[] }).packages.find((p) => p.pkgname === 'oops-1.0');
      assert.equal(oops?.status, 'failed', run);
      assert.equal(oops?.log, 'packages/oops-1.0.log', `${run} run: report.json names the log`);
      assert.equal(oops?.host, 'localhost', `${run} run: report.json names the host`);
      assert.ok(existsSync(join(logdir, oops.log)), 'the log is there');
      const txt = readFileSync(join(logdir, 'report.txt'), 'utf8');
      assert.match(txt, /host: localhost\n\s+log: packages\/oops-1\.0\.log/, `${run} run: report.txt names log and host\n${txt}`);
      assert.match(readFileSync(join(logdir, 'report.html'), 'utf8'), /packages\/oops-1\.0\.log/, `${run} run: the page links the log`);
    }
    assert.equal(readFileSync(join(logdir, 'build.log'), 'utf8').split('\n').filter((l) => l.startsWith('misc/oops ')).length, 1, 'built once: the second run stood by the failure');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
