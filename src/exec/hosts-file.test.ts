import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatHostsFileError, parseHostsFile, readHostsFile, toHostSpec } from './hosts-file.js';

const F = '/etc/kiln/hosts';

function hosts(text: string): unknown {
  const r = parseHostsFile(text, F);
  if (!r.ok) assert.fail(r.errors.map(formatHostsFileError).join('\n'));
  return r.hostsFile;
}

function errors(text: string): string[] {
  const r = parseHostsFile(text, F);
  assert.equal(r.ok, false, `expected errors for ${JSON.stringify(text)}`);
  return r.ok ? [] : r.errors.map(formatHostsFileError);
}

void test('the example of DESIGN.md', () => {
  assert.deepEqual(hosts('# one host a line: name, then properties\nlocalhost jobs=2\n'
    + 'builder@10.0.0.2 jobs=8 arch=x86_64 sf=3 timeout=30\nSTARTUP=/path/to/script\n'), {
    hosts: [
      { name: 'localhost', local: true, line: 2, speed: 1, jobs: 2 },
      { name: 'builder@10.0.0.2', local: false, line: 3, speed: 3, jobs: 8, arch: 'x86_64', connectTimeoutS: 30 },
    ],
    startup: '/path/to/script',
  });
});

void test('valid lines, one at a time', () => {
  const table: Array<[string, unknown]> = [
    ['b1', { name: 'b1', local: false, line: 1, speed: 1 }],
    ['b1 cores=16 mem=32G', { name: 'b1', local: false, line: 1, speed: 1, cores: 16, memoryMiB: 32768 }],
    ['b1 mem=512M', { name: 'b1', local: false, line: 1, speed: 1, memoryMiB: 512 }],
    ['b1 mem=1.5GiB', { name: 'b1', local: false, line: 1, speed: 1, memoryMiB: 1536 }],
    ['b1 mem=2048k', { name: 'b1', local: false, line: 1, speed: 1, memoryMiB: 2 }],
    ['b1 mem=1T', { name: 'b1', local: false, line: 1, speed: 1, memoryMiB: 1048576 }],
    ['b1 sf=0.5', { name: 'b1', local: false, line: 1, speed: 0.5 }],
    ['root@b1 dir=/var/tmp/kiln', { name: 'root@b1', local: false, line: 1, speed: 1, dir: '/var/tmp/kiln' }],
    ['b1 dir=work/kiln-agent', { name: 'b1', local: false, line: 1, speed: 1, dir: 'work/kiln-agent' }],
    ['b1 max-load=2.5 max-psi=60 min-disk=10G', { name: 'b1', local: false, line: 1, speed: 1, pressure: { maxLoad: 2.5, maxPsi: 60, minDiskMiB: 10240 } }],
    ['big features=big-parallel,kvm mandatory=big-parallel', { name: 'big', local: false, line: 1, speed: 1, features: ['big-parallel', 'kvm'], mandatory: ['big-parallel'] }],
    ['b1\tjobs=3  sf=.25   # trailing comment', { name: 'b1', local: false, line: 1, speed: 0.25, jobs: 3 }],
    ['build_er@host-1.example.org jobs=1', { name: 'build_er@host-1.example.org', local: false, line: 1, speed: 1, jobs: 1 }],
    ['root@fe80::1', { name: 'root@fe80::1', local: false, line: 1, speed: 1 }],
    ['b1 arch=amd64\r', { name: 'b1', local: false, line: 1, speed: 1, arch: 'amd64' }],
  ];
  for (const [line, entry] of table) assert.deepEqual(hosts(line), { hosts: [entry] }, line);
});

void test('DEFAULT gives properties to the hosts after it; a host overrides them', () => {
  assert.deepEqual(hosts('a\nDEFAULT jobs=4 sf=2\nb\nc jobs=1\nDEFAULT sf=5\nd'), {
    hosts: [
      { name: 'a', local: false, line: 1, speed: 1 },
      { name: 'b', local: false, line: 3, speed: 2, jobs: 4 },
      { name: 'c', local: false, line: 4, speed: 2, jobs: 1 },
      { name: 'd', local: false, line: 6, speed: 5, jobs: 4 },
    ],
  });
});

void test('comments, blank lines and CRLF are ignored; a relative STARTUP is anchored at the file', () => {
  assert.deepEqual(hosts('\r\n   \n# x\n\t# y\nSTARTUP= setup.sh \r\n'), { hosts: [], startup: '/etc/kiln/setup.sh' });
});

void test('every error names the file, the line and what is wrong', () => {
  const table: Array<[string, string]> = [
    ['b1 jobs=0', `${F}:1: jobs must be a whole number from 1 to 1024, not "0"`],
    ['b1 jobs=two', `${F}:1: jobs must be a whole number from 1 to 1024, not "two"`],
    ['b1 jobs=2 jobs=3', `${F}:1: property jobs is given twice`],
    ['b1 speed=3', `${F}:1: unknown property "speed" (known: jobs, sf, arch, timeout, cores, mem, dir, features, mandatory, max-load, max-psi, min-disk, distcc)`],
    ['b1 fast', `${F}:1: expected key=value, got "fast"`],
    ['b1 =3', `${F}:1: expected key=value, got "=3"`],
    ['b1 sf=0', `${F}:1: sf must be a number above 0 and at most 1000, not "0"`],
    ['b1 sf=-1', `${F}:1: sf must be a number above 0 and at most 1000, not "-1"`],
    ['b1 sf=1e3', `${F}:1: sf must be a number above 0 and at most 1000, not "1e3"`],
    ['b1 mem=16', `${F}:1: mem must be a size with a unit (K, M, G or T), like mem=16G, not "16"`],
    ['b1 mem=1K', `${F}:1: mem must be a size with a unit (K, M, G or T), like mem=16G, not "1K"`],
    ['b1 timeout=0', `${F}:1: timeout must be whole seconds from 1 to 3600, not "0"`],
    ['b1 cores=', `${F}:1: cores must be a whole number from 1 to 4096, not ""`],
    ['b1 arch=x86-64', `${F}:1: arch must be a name like x86_64 or amd64, not "x86-64"`],
    ['b1 dir=/var/tmp/../etc', `${F}:1: dir must be a directory path (absolute, or relative to the login user's home) of letters, digits, '.', '_', '+', '-', like dir=/var/tmp/kiln, not "/var/tmp/../etc"`],
    ['b1 dir=$(x)', `${F}:1: dir must be a directory path (absolute, or relative to the login user's home) of letters, digits, '.', '_', '+', '-', like dir=/var/tmp/kiln, not "$(x)"`],
    ['b1 features=big-parallel,', `${F}:1: features wants feature names separated by commas, like features=big-parallel,kvm: "" is not a feature name (letters, digits, '.', '_', '+', '-')`],
    ['b1 mandatory=$(x)', `${F}:1: mandatory wants feature names separated by commas, like mandatory=big-parallel,kvm: "$(x)" is not a feature name (letters, digits, '.', '_', '+', '-')`],
    ['b1 max-load=0', `${F}:1: max-load must be a load average per core above 0, like max-load=2.5, not "0"`],
    ['b1 max-psi=101', `${F}:1: max-psi must be a percentage from 0 to 100 (CPU or IO pressure, /proc/pressure's avg10), like max-psi=60, not "101"`],
    ['b1 min-disk=10', `${F}:1: min-disk must be a size with a unit (K, M, G or T), like min-disk=10G, not "10"`],
    ['b1 dir=', `${F}:1: dir must be a directory path (absolute, or relative to the login user's home) of letters, digits, '.', '_', '+', '-', like dir=/var/tmp/kiln, not ""`],
    ['-oProxyCommand=evil', `${F}:1: expected a host name first, got "-oProxyCommand=evil"`],
    ['-oProxyCommand', `${F}:1: bad host name "-oProxyCommand": letters, digits, '.', '-', '_' (or an IPv6 address), not starting with '-'`],
    ['a;b', `${F}:1: bad host name "a;b": letters, digits, '.', '-', '_' (or an IPv6 address), not starting with '-'`],
    ['$(x)@h', `${F}:1: bad user name "$(x)" in "$(x)@h"`],
    ['jobs=2', `${F}:1: expected a host name first, got "jobs=2"`],
    ['FOO=bar', `${F}:1: unknown setting "FOO" (known: STARTUP)`],
    ['STARTUP=', `${F}:1: STARTUP needs the path of a script: STARTUP=/path/to/script`],
    ['b1 \u0000', `${F}:1: unexpected control character U+0000`],
    ['\n\nb1\nb1 jobs=2', `${F}:4: host "b1" is already listed on line 3`],
    ['STARTUP=/a\nSTARTUP=/b', `${F}:2: STARTUP is already set on line 1`],
  ];
  for (const [text, message] of table) assert.deepEqual(errors(text), [message], text);
});

void test('all errors of a file are reported, each on its own line', () => {
  assert.deepEqual(errors('ok1\nb jobs=x\nok2\nc sf=y z'), [
    `${F}:2: jobs must be a whole number from 1 to 1024, not "x"`,
    `${F}:4: sf must be a number above 0 and at most 1000, not "y"`,
    `${F}:4: expected key=value, got "z"`,
  ]);
});

void test('readHostsFile reads a file and names it when it cannot', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-hosts-'));
  try {
    const file = join(dir, 'hosts');
    await writeFile(file, 'b1 jobs=2\n');
    const r = await readHostsFile(file);
    assert.ok(r.ok);
    const missing = await readHostsFile(join(dir, 'nope'));
    assert.ok(!missing.ok);
    assert.match(formatHostsFileError(missing.errors[0] ?? assert.fail()), /\/nope: cannot read: ENOENT/);
  } finally {
    await rm(dir, { recursive: true });
  }
});

void test('toHostSpec fills what the file leaves open from what the host reported', () => {
  const info = { arch: 'x86_64', os: 'linux', node: '20.20.2', cores: 6, memoryMiB: 8000 };
  assert.deepEqual(toHostSpec({ name: 'b', local: false, line: 1, speed: 2 }, info),
    { name: 'b', slots: 6, speed: 2, cores: 6, memoryMiB: 8000 });
  assert.deepEqual(toHostSpec({ name: 'b', local: false, line: 1, speed: 1, jobs: 2, cores: 4, memoryMiB: 100 }, info),
    { name: 'b', slots: 2, speed: 1, cores: 4, memoryMiB: 100 });
});

void test('a slurm: line stands for nodes=N hosts, each with the line\'s properties and its own index; its mistakes are named', () => {
  const parsed = parseHostsFile('DEFAULT sf=2\nslurm:batch nodes=3 jobs=4 cores=8 time=240 constraint=avx2&big wait=600 idle=30\n', 'h');
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.hostsFile.hosts.map((h) => [h.name, h.local, h.jobs, h.cores, h.speed, h.slurm]), [1, 2, 3].map((index) => [
    `slurm-batch-${index}`, false, 4, 8, 2, { partition: 'batch', index, timeMin: 240, constraint: 'avx2&big', waitS: 600, idleS: 30 },
  ]));
  const bad = parseHostsFile('slurm:batch jobs=2\nslurm:b@d nodes=1\nslurm:x nodes=2 timeout=5\nslurm:y nodes=0\nslurm:z nodes=1 constraint=$(id)\n', 'h');
  assert.ok(!bad.ok);
  assert.deepEqual(bad.errors.map((e) => [e.line, e.message.replace(/[,:(].*/, '')]), [
    [1, 'a slurm'], [2, 'bad Slurm partition "b@d"'], [3, 'timeout is ssh\'s connect timeout; a slurm'], [4, 'nodes must be a whole number from 1 to 1024'],
    [5, 'constraint must be a Slurm feature expression '],
  ]);
});
