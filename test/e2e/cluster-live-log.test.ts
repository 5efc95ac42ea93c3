// A remote job's log streams back into the coordinator's run directory as
// it is written, so `kiln status` (another process) sees it grow on a
// namespaced host just as on this machine, with no false "unchanged" alarm
// past a shortened stuck threshold; and `--log-cap` holds there as here:
// the host cuts the log once, and the coordinator's copy ends as the host's
// does; the host's own load reaches kiln status too. Run under /tmp/kiln-netns.lock.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { startKiln } from '../support/kiln-process.js';
import { clusterUnavailable, createCluster, type NetnsCluster } from '../support/netns-hosts.js';
import { kiln, makeTree, writeFiles } from './scan-fixtures.js';

const skip = clusterUnavailable();
const HEADER_ERROR = 'spill.c:1:10: fatal error: spill.h: No such file or directory';
const SPILL = 2 ** 20;
let cluster: NetnsCluster;
let root: string;

before(async () => {
  if (skip) return;
  root = await makeTree({
    'tree/misc/chatty/Portfile': 'PKGNAME=chatty-1.0\nbuild() { for i in $(seq 1 14); do echo "line $i of the chatty build"; sleep 1; done; }\ninstall() { mkdir -p "$DESTDIR$PREFIX/share"; echo ok >"$DESTDIR$PREFIX/share/chatty"; }\n',
    // A missing header said first, then 1 MiB of output, then a failure.
    'tree-cap/misc/spill/Portfile': `PKGNAME=spill-1.0\nbuild() { echo "${HEADER_ERROR}"; head -c ${SPILL} /dev/zero | tr "\\\\0" x; return 1; }\n`,
  });
  cluster = await createCluster({ prefix: 'klv', subnet: 45, hosts: 1 });
  await writeFiles(root, { hosts: `${cluster.hosts[0]!.name} jobs=1\n` });
});
after(async () => {
  if (skip) return;
  await cluster.teardown();
  await rm(root, { recursive: true, force: true });
});

const sizeOf = (line: string): number => {
  const m = /([\d.]+) (B|KiB)/.exec(line);
  assert.ok(m, `a size in ${line}`);
  return Number(m[1]) * (m[2] === 'KiB' ? 1024 : 1);
};

void test('a remote job\'s growing log is measured by kiln status: growing, not "unchanged"', { skip, timeout: 240_000 }, async () => {
  const logdir = join(root, 'logs');
  const run = startKiln(['build', '--tree', join(root, 'tree'), '--logdir', logdir, '--packages', join(root, 'packages'), '--plain',
    '--hosts', join(root, 'hosts'), '--ssh-config', cluster.sshConfig, '--stuck-after', '4']);
  await run.line(/start misc\/chatty/, 180_000);
  const status = async (): Promise<string> => {
    const r = await kiln(['status', '--logdir', logdir, '--once', '--plain']);
    return r.stdout.split('\n').find((l) => l.includes('misc/chatty')) ?? assert.fail(`no running job in\n${r.stdout}`);
  };
  await new Promise((r) => setTimeout(r, 6000));
  const first = await status();
  await new Promise((r) => setTimeout(r, 2500));
  const second = await status();
  assert.match(first, new RegExp(`^${cluster.hosts[0]!.name}:0 `), 'it runs on the remote host');
  for (const line of [first, second]) assert.doesNotMatch(line, /unchanged/);
  assert.ok(sizeOf(first) > 0 && sizeOf(second) > sizeOf(first), `${first} -> ${second}`);
  // The load the agent measures on its host, kept by the build in its store, is read by kiln status as by kiln serve's /metrics.
  const shown = (await kiln(['status', '--logdir', logdir, '--once', '--plain'])).stdout;
  assert.match(shown, new RegExp(`^hosts: .*${cluster.hosts[0]!.name} up 1/1 load \\d+\\.\\d\\d`, 'm'), shown);
  assert.equal(await run.exited, 0, run.lines.slice(-20).join('\n'));
});

void test('--log-cap on a remote host: the log is cut once, ends with the failing phase\'s footer and the real count left out', { skip, timeout: 240_000 }, async () => {
  const logdir = join(root, 'logs-cap');
  const cap = 60 * 1024; // the whole cut log fits the tail the failure classifier reads
  const run = await kiln(['build', '--tree', join(root, 'tree-cap'), '--logdir', logdir, '--packages', join(root, 'packages-cap'), '--plain',
    '--hosts', join(root, 'hosts'), '--ssh-config', cluster.sshConfig, '--log-cap', '60K', 'misc/spill']);
  assert.equal(run.status, 1, `${run.stdout}${run.stderr}`);
  const log = readFileSync(join(logdir, 'packages', 'spill-1.0.log'), 'utf8');
  assert.match(log, new RegExp(`^===> kiln: build for spill-1.0 \\(misc/spill\\) on \\S+ at `, 'm'));
  assert.ok(log.length <= cap + 2048, `${log.length} bytes: the cap and kiln's own lines`);
  assert.equal(log.split('===> kiln: the log is cut here').length, 2, 'cut once, where the host cut it');
  // kiln's own notes (the make jobserver's line) may come between the footer and the count, as on a local host.
  const [footer, leftOut] = log.trimEnd().split('\n').filter((line) => !line.startsWith('kiln: ')).slice(-2);
  assert.match(footer ?? '', /^===> kiln: build failed in [\d.]+ s: /, 'the failing phase\'s end is in the log');
  const dropped = Number(/^===> kiln: (\d+) bytes \([\d.]+ (KiB|MiB)\) of output were left out of this log \(--log-cap\)$/.exec(leftOut ?? '')?.[1]);
  const written = HEADER_ERROR.length + 1 + SPILL;
  assert.ok(Math.abs(dropped - (written - cap)) < 1024, `${dropped} bytes said left out of the ${written} written past a ${cap}-byte cap`);
  const report = JSON.parse(readFileSync(join(logdir, 'report.json'), 'utf8')) as { packages: { pkgname: string; status: string; error: string | null }[] };
  assert.deepEqual(report.packages.map((p) => [p.pkgname, p.status, p.error]), [['spill-1.0', 'failed', 'missing header']]);
});
