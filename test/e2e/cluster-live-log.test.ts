// A remote job's log streams back into the coordinator's run directory as
// it is written, so `kiln status` (another process) sees it grow on a
// namespaced host just as on this machine, with no false "unchanged" alarm
// past a shortened stuck threshold. Run under /tmp/kiln-netns.lock.

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { startKiln } from '../support/kiln-process.js';
import { clusterUnavailable, createCluster, type NetnsCluster } from '../support/netns-hosts.js';
import { kiln, makeTree, writeFiles } from './scan-fixtures.js';

const skip = clusterUnavailable();
let cluster: NetnsCluster;
let root: string;

before(async () => {
  if (skip) return;
  root = await makeTree({
    'tree/misc/chatty/Portfile': 'PKGNAME=chatty-1.0\nbuild() { for i in $(seq 1 14); do echo "line $i of the chatty build"; sleep 1; done; }\ninstall() { mkdir -p "$DESTDIR$PREFIX/share"; echo ok >"$DESTDIR$PREFIX/share/chatty"; }\n',
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
  assert.equal(await run.exited, 0, run.lines.slice(-20).join('\n'));
});
