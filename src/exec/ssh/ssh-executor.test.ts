// What SshExecutor does before any host answers (the e2e tests under
// test/e2e/ cover real hosts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SshExecutor } from './ssh-executor.js';
import type { BuildJob } from '../../job/build-job.js';

const signal = new AbortController().signal;
const job: BuildJob = {
  pkgname: 'a-1', pkgpath: 'cat/a', tree: '/nonexistent', dependencies: [], makeJobs: 1, timeoutS: 10,
  logDir: '/nonexistent/logs', logFile: '/nonexistent/log', packageDir: '/nonexistent/packages',
  metadata: { comment: '', categories: '', maintainer: '', homepage: '', license: '', runDepends: [], buildDepends: [] },
};

void test('a destination that ssh could read as an option is refused', () => {
  for (const bad of ['-oProxyCommand=touch /tmp/x', '', 'a b', 'h;reboot', 'h\n']) {
    assert.throws(() => new SshExecutor({ destination: bad }), /not an ssh destination/, JSON.stringify(bad));
  }
  assert.equal(new SshExecutor({ destination: 'builder@10.0.0.2' }).host, 'builder@10.0.0.2');
  assert.equal(new SshExecutor({ destination: 'b1', name: 'fast-box' }).host, 'fast-box');
});

void test('a job before connect ends as infrastructure, naming the host', async () => {
  const e = new SshExecutor({ destination: 'b1' });
  assert.deepEqual(await e.run(job, { phase: () => undefined, log: () => undefined }, signal),
    { outcome: { kind: 'infrastructure', reason: 'host b1 is not connected' } });
});

void test('connect says why it cannot: no agent bundle, no ssh program', async () => {
  const noBundle = new SshExecutor({ destination: 'b1', agentBundle: '/nonexistent/kiln-agent.mjs' });
  const r1 = await noBundle.connect(signal);
  assert.ok(!r1.ok && /agent bundle .* is missing \(run `npm run build`\)/.test(r1.reason), JSON.stringify(r1));
  await noBundle.close();
  const noSsh = new SshExecutor({ destination: 'b1', sshProgram: '/nonexistent/ssh' });
  const r2 = await noSsh.connect(signal);
  assert.ok(!r2.ok && /^cannot connect to b1: .*ENOENT/.test(r2.reason), JSON.stringify(r2));
  await noSsh.close();
});
