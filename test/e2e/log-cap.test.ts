// Bounded logs with the real `kiln build`: a job's output is on disk once
// (its log, no copy per phase); past `--log-cap` the output is left out,
// the log says where it was cut and how much was left out, the job goes on
// (not taken for stuck while it writes) and is judged by its exit status.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { kiln, makeTree } from './scan-fixtures.js';

const MIB = 2 ** 20;
/** Writes `mib` MiB of text over about `seconds` seconds, then exits with `status`. */
const talker = (name: string, mib: number, seconds: number, status: number): string => `PKGNAME=${name}-1.0
build() {
  for i in $(seq 1 ${seconds * 4}); do head -c ${Math.round((mib * MIB) / (seconds * 4))} /dev/zero | tr "\\\\0" x; echo; sleep 0.25; done
  return ${status}
}
install() { mkdir -p "$DESTDIR$PREFIX/share"; echo ok >"$DESTDIR$PREFIX/share/${name}"; }
`;

/** Every file under `dir`, with its size. */
function sizes(dir: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const stat = statSync(join(dir, name));
    if (stat.isFile()) found.set(name, stat.size);
  }
  return found;
}

void test('each log is written once, cut at --log-cap with a marker; the job goes on and is judged by its exit', async () => {
  const root = await makeTree({
    'tree/misc/once/Portfile': talker('once', 3, 1, 0),
    'tree/misc/flood/Portfile': talker('flood', 4, 6, 0),
    'tree/misc/floodfail/Portfile': talker('floodfail', 2, 1, 1),
  });
  try {
    const logdir = join(root, 'logs');
    const run = await kiln(['build', '--tree', join(root, 'tree'), '--jobs', '3', '--logdir', logdir, '--packages', join(root, 'packages'),
      '--plain', '--log-cap', '256K', '--stuck-after', '3', 'misc/flood', 'misc/floodfail']);
    assert.equal(run.status, 1, `floodfail fails by its exit status\n${run.stdout}${run.stderr}`);
    const report = JSON.parse(readFileSync(join(logdir, 'report.json'), 'utf8')) as { packages: { pkgname: string; status: string; error: string | null }[] };
    const status = Object.fromEntries(report.packages.map((p) => [p.pkgname, [p.status, p.error]]));
    assert.deepEqual(status['flood-1.0'], ['done', null], 'wrote past the cap for 6 s with --stuck-after 3: built, not stopped as stuck');
    assert.equal(status['floodfail-1.0']?.[0], 'failed');
    assert.notEqual(status['floodfail-1.0']?.[1], 'stuck');

    for (const name of ['flood-1.0', 'floodfail-1.0']) {
      const log = readFileSync(join(logdir, 'packages', `${name}.log`), 'utf8');
      assert.ok(log.length < 256 * 1024 + 4096, `${name}: ${log.length} bytes, the cap and kiln's lines`);
      assert.match(log, /===> kiln: the log is cut here: it reached --log-cap 256 KiB; the build goes on and is judged by its exit status\n/);
      assert.match(log, /===> kiln: \d+ bytes \([\d.]+ MiB\) of output were left out of this log \(--log-cap\)\n/);
      assert.match(log, /===> kiln: build (done|failed) in/, `${name}: the phase's end is still told after the cut`);
    }

    // Without a cap in the way, a job's output is on disk once.
    const second = await kiln(['build', '--tree', join(root, 'tree'), '--jobs', '1', '--logdir', logdir, '--packages', join(root, 'packages'), '--plain', 'misc/once']);
    assert.equal(second.status, 0, second.stderr);
    const files = sizes(join(logdir, 'packages'));
    const total = [...files].filter(([name]) => name.startsWith('once-1.0')).reduce((sum, [, size]) => sum + size, 0);
    assert.ok(total > 3 * MIB && total < 3 * MIB + 64 * 1024, `once's 3 MiB of output take ${total} bytes on disk: ${[...files.keys()].filter((n) => n.startsWith('once')).join(' ')}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
