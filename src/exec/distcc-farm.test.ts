import { test } from 'node:test';
import assert from 'node:assert/strict';

import type { BuildJob } from '../job/build-job.js';
import { parseDistccServers, withFarm } from './distcc-farm.js';
import { parseHostsFile } from './hosts-file.js';

void test('distcc= names servers as host[:port][/limit], with distcc\'s defaults 3632 and 4', () => {
  assert.deepEqual(parseDistccServers('10.0.0.7,big.example:3633/8,[fd00::1]/2'), [
    { host: '10.0.0.7', port: 3632, limit: 4 }, { host: 'big.example', port: 3633, limit: 8 }, { host: 'fd00::1', port: 3632, limit: 2 },
  ]);
  for (const bad of ['', 'a,,b', '-oProxyCommand=x', 'a:0', 'a:70000', 'a/0', 'a b', 'a,a:3632', '@a']) {
    assert.ok('problem' in parseDistccServers(bad), bad);
  }
});

void test('a hosts file gives each host its farm, from its line or a DEFAULT line; a bad one is a one-line error naming the line', () => {
  const parsed = parseHostsFile('DEFAULT distcc=10.0.0.7/2\nlocalhost\nb@h distcc=10.0.0.8\n', '/etc/kiln/hosts');
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.hostsFile.hosts.map((h) => h.distcc), [[{ host: '10.0.0.7', port: 3632, limit: 2 }], [{ host: '10.0.0.8', port: 3632, limit: 4 }]]);
  const bad = parseHostsFile('localhost distcc=h:99999\n', '/etc/kiln/hosts');
  assert.ok(!bad.ok);
  assert.match(bad.errors[0]!.message, /^distcc wants distccd servers .*port 99999 of "h:99999" is not from 1 to 65535$/);
});

const job = (over: Partial<BuildJob>): BuildJob => ({
  pkgname: 'a-1', pkgpath: 'cat/a', tree: '/t', dependencies: [], makeJobs: 3, timeoutS: 10, logDir: '/l', logFile: '/l.log', packageDir: '/p',
  metadata: { comment: '', categories: '', maintainer: '', homepage: '', license: '', runDepends: [], buildDepends: [] },
  jobserver: { cores: 4, priority: 10, parallel: true }, ...over,
});
const farm = [{ host: 'a', port: 3632, limit: 4 }, { host: 'b', port: 3632, limit: 2 }];

void test('a job that opts in gets its share of the host plus every farm slot as make jobs, and leaves the host jobserver', () => {
  const given = withFarm(job({ useDistcc: true }), farm);
  assert.equal(given.makeJobs, 3 + 6);
  assert.deepEqual(given.distcc, farm);
  assert.equal(given.jobserver, undefined);
  assert.equal(withFarm(job({ useDistcc: true, makeJobs: 1 }), farm).makeJobs, 7, 'a smaller share gets fewer: the engine\'s critical-path share still counts');
  assert.equal(withFarm(job({ useDistcc: true, jobserver: { cores: 4, priority: 1, parallel: false } }), farm).makeJobs, 1, 'MAKE_JOBS_SAFE=no stays one make job');
});

void test('a job that does not opt in, or a host without a farm, is left as it is', () => {
  const plain = job({});
  assert.equal(withFarm(plain, farm), plain);
  const opted = job({ useDistcc: true });
  assert.equal(withFarm(opted, undefined), opted);
  assert.equal(withFarm(opted, []), opted);
});
