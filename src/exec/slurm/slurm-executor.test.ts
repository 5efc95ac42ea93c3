import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseHostsFile } from '../hosts-file.js';
import { entryOptions } from '../ssh/ssh-executor.js';

void test('a Slurm line takes what any host line says of the agent: distcc=, arch=, dir= and the STARTUP script', () => {
  const read = parseHostsFile('STARTUP=true\nslurm:batch nodes=2 arch=x86_64 dir=/var/tmp/k distcc=d1,d2:3633/8\n', 'hosts');
  assert.ok(read.ok, JSON.stringify(read));
  const entry = read.hostsFile.hosts[0]!;
  assert.ok(entry.slurm !== undefined);
  const options = entryOptions(entry, read.hostsFile);
  assert.equal(options.arch, 'x86_64');
  assert.equal(options.remoteDir, '/var/tmp/k');
  assert.equal(options.startup, read.hostsFile.startup);
  assert.deepEqual(options.distcc?.map((s) => s.host), ['d1', 'd2']);
});
