// How a job ends when it does not give a package: the port's failures with
// their phase, class and log; the host's problems as infrastructure with
// what and where.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { buildPackage, makeBuilder } from '../../src/sandbox/builder.js';
import { defaultSandboxConfig } from '../../src/sandbox/sandbox-config.js';
import { workspace } from './sandbox-fixture.js';

const signal = new AbortController().signal;
const isRoot = process.getuid?.() === 0;

void test('a failing phase is recorded with its phase, class and log; later phases do not run', async (t) => {
  const ws = await workspace();
  t.after(() => ws.cleanup());
  await ws.port('misc/broken', 'PKGNAME=broken-1.0\nbuild() { echo compiling; echo "error: it broke" >&2; false; echo never; }\ninstall() { echo installing; }\n');
  const report = await buildPackage(ws.job('misc/broken', 'broken-1.0'), { signal, scratch: ws.scratch });
  assert.equal(report.outcome.kind, 'failed');
  if (report.outcome.kind !== 'failed') return;
  assert.equal(report.outcome.phase, 'build');
  assert.equal(report.outcome.error, 'exit status 1');
  assert.deepEqual(report.outcome.phases.map((p) => p.phase), ['depends', 'build']);
  assert.ok(report.outcome.phases.every((p) => p.wallS >= 0 && p.cpuS >= 0));
  assert.equal(report.packageFile, undefined);
  assert.equal(readFileSync(join(ws.logs, 'broken-1.0', 'build.log'), 'utf8'), 'compiling\nerror: it broke\n');
  assert.equal(existsSync(join(ws.logs, 'broken-1.0', 'install.log')), false);
  assert.equal(existsSync(join(ws.packages, 'broken-1.0.tgz')), false);
  const whole = readFileSync(join(ws.logs, 'broken-1.0.log'), 'utf8');
  assert.match(whole, /^===> kiln: depends for broken-1\.0 \(misc\/broken\) on \S+ at \S+Z\n/);
  assert.match(whole, /===> kiln: build for broken-1\.0 .*\ncompiling\nerror: it broke\n===> kiln: build failed in [\d.]+ s: exit status 1\n$/);
});

void test('an exit status is reported as such; a build that kills its runner is reported killed', async (t) => {
  const ws = await workspace();
  t.after(() => ws.cleanup());
  await ws.port('misc/three', 'PKGNAME=three-1.0\ninstall() { exit 3; }\n');
  await ws.port('misc/kill', 'PKGNAME=kill-1.0\nbuild() { kill -KILL $$; }\n');
  const three = await buildPackage(ws.job('misc/three', 'three-1.0'), { signal, scratch: ws.scratch });
  assert.deepEqual(three.outcome.kind === 'failed' && [three.outcome.phase, three.outcome.error], ['install', 'exit status 3']);
  const killed = await buildPackage(ws.job('misc/kill', 'kill-1.0'), { signal, scratch: ws.scratch });
  assert.deepEqual(killed.outcome.kind === 'failed' && [killed.outcome.phase, killed.outcome.error], ['build', 'killed']);
});

void test('build and install get PREFIX, DESTDIR, WRKSRC, MAKE_JOBS, PATH, HOME and TMPDIR, and nothing of the caller\'s environment', async (t) => {
  const ws = await workspace();
  t.after(() => ws.cleanup());
  process.env.KILN_E2E_SECRET = 'leak';
  t.after(() => delete process.env.KILN_E2E_SECRET);
  const show = 'env | grep -E "^(PREFIX|DESTDIR|WRKSRC|MAKE_JOBS|PATH|HOME|TMPDIR|KILN_E2E_SECRET)=" | LC_ALL=C sort; pwd';
  await ws.port('misc/env', `PKGNAME=env-1.0\nbuild() { ${show}; }\n`);
  await ws.port('misc/serial', `PKGNAME=serial-1.0\nMAKE_JOBS_SAFE=no\nbuild() { echo "MAKE_JOBS=$MAKE_JOBS"; }\n`);
  const report = await buildPackage(ws.job('misc/env', 'env-1.0', { makeJobs: 3 }), { signal, scratch: ws.scratch });
  assert.equal(report.outcome.kind, 'built');
  assert.equal(readFileSync(join(ws.logs, 'env-1.0', 'build.log'), 'utf8'), [
    'DESTDIR=/build/destdir', 'HOME=/build/home', 'MAKE_JOBS=3', 'PATH=/opt/kiln/bin:/opt/kiln/sbin:/usr/bin:/bin:/usr/sbin:/sbin',
    'PREFIX=/opt/kiln', 'TMPDIR=/tmp', 'WRKSRC=/build/work', '/build/work', '',
  ].join('\n'));
  await buildPackage(ws.job('misc/serial', 'serial-1.0', { makeJobs: 3 }), { signal, scratch: ws.scratch });
  assert.equal(readFileSync(join(ws.logs, 'serial-1.0', 'build.log'), 'utf8'), 'MAKE_JOBS=1\n');
});

void test('bubblewrap missing, or failing to set up, is the host\'s problem and says so', async (t) => {
  const ws = await workspace();
  t.after(() => ws.cleanup());
  await ws.port('misc/ok', 'PKGNAME=ok-1.0\n');
  const missing = makeBuilder({ ...defaultSandboxConfig(), bwrap: '/nonexistent/bwrap' });
  const report = await missing(ws.job('misc/ok', 'ok-1.0'), { signal, scratch: ws.scratch });
  assert.deepEqual(report.outcome, { kind: 'infrastructure', reason: 'bubblewrap (/nonexistent/bwrap) was not found on this host: install it (apt-get install bubblewrap)' });
  assert.deepEqual(readdirSync(ws.scratch), []);

  if (!isRoot) return;
  // As the unprivileged build user, bwrap cannot reach a directory inside a
  // root-only one: it fails before the runner starts.
  const closed = join(ws.root, 'closed');
  await mkdir(join(closed, 'inner'), { recursive: true });
  await chmod(closed, 0o700);
  const failing = makeBuilder({ ...defaultSandboxConfig(), hostPaths: ['/usr', '/bin', '/lib', '/lib64', '/etc', join(closed, 'inner')] });
  const setup = await failing(ws.job('misc/ok', 'ok-1.0'), { signal, scratch: ws.scratch });
  assert.equal(setup.outcome.kind, 'infrastructure');
  assert.match(setup.outcome.kind === 'infrastructure' ? setup.outcome.reason : '', /^bubblewrap could not set up the sandbox: bwrap: .*closed\/inner: Permission denied$/);
});

void test('an unusable scratch directory, a missing port directory and a bad name are reported before anything runs', async (t) => {
  const ws = await workspace();
  t.after(() => ws.cleanup());
  await ws.port('misc/ok', 'PKGNAME=ok-1.0\n');
  await writeFile(join(ws.root, 'a-file'), '');
  const notDir = await buildPackage(ws.job('misc/ok', 'ok-1.0'), { signal, scratch: join(ws.root, 'a-file') });
  assert.equal(notDir.outcome.kind, 'infrastructure');
  assert.match(notDir.outcome.kind === 'infrastructure' ? notDir.outcome.reason : '', new RegExp(`cannot create a scratch directory in ${join(ws.root, 'a-file')}: ENOTDIR`));
  if (isRoot) {
    const closed = join(ws.root, 'closed');
    await mkdir(join(closed, 'inner'), { recursive: true });
    await chmod(closed, 0o700);
    const hidden = await buildPackage(ws.job('misc/ok', 'ok-1.0'), { signal, scratch: join(closed, 'inner') });
    assert.equal(hidden.outcome.kind === 'infrastructure' && hidden.outcome.reason,
      `scratch directory ${join(closed, 'inner')}: ${closed} is not searchable by the build user (uid 65534); give a scratch directory under /tmp or /dev/shm`);
  }
  const noPort = await buildPackage(ws.job('misc/absent', 'absent-1.0'), { signal, scratch: ws.scratch });
  assert.deepEqual(noPort.outcome, { kind: 'infrastructure', reason: `port directory ${join(ws.tree, 'misc/absent')} does not exist on this host` });
  const badName = await buildPackage(ws.job('misc/ok', '../../evil-1.0'), { signal, scratch: ws.scratch });
  assert.equal(badName.outcome.kind === 'failed' && badName.outcome.error, 'invalid pkgname: "../../evil-1.0" cannot be a package name');
  const badPath = await buildPackage(ws.job('misc/../../etc', 'ok-1.0'), { signal, scratch: ws.scratch });
  assert.equal(badPath.outcome.kind === 'failed' && badPath.outcome.error, 'invalid pkgpath: "misc/../../etc"');
  assert.deepEqual(readdirSync(ws.scratch), []);
});

void test('a full disk while writing the package or the log names the full directory, so the job waits for space, and leaves no partial file', { skip: !isRoot && 'needs root to mount a small tmpfs' }, async (t) => {
  const ws = await workspace();
  const full = join(ws.root, 'full');
  await mkdir(full);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', full]);
  t.after(async () => {
    execFileSync('umount', [full]);
    await ws.cleanup();
  });
  await ws.port('misc/big', 'PKGNAME=big-1.0\ninstall() { mkdir -p "$DESTDIR$PREFIX/share"; head -c 2097152 /dev/urandom > "$DESTDIR$PREFIX/share/noise"; }\n');
  const report = await buildPackage(ws.job('misc/big', 'big-1.0', { packageDir: full }), { signal, scratch: ws.scratch });
  assert.equal(report.outcome.kind, 'infrastructure');
  assert.equal(report.outcome.kind === 'infrastructure' && report.outcome.reason, `cannot write package ${join(full, 'big-1.0.tgz')}: ENOSPC (disk full)`);
  assert.equal(report.outcome.kind === 'infrastructure' && report.outcome.full, full, 'the repository is full, not the job at fault');
  assert.deepEqual(readdirSync(full), []);
  assert.match(readFileSync(join(ws.logs, 'big-1.0', 'package.log'), 'utf8'), /ENOSPC/);

  // A build whose log fills the disk waits for space too, and is not left blocked on its output.
  await ws.port('misc/chatty', 'PKGNAME=chatty-1.0\nbuild() { head -c 4194304 /dev/zero | tr "\\0" x; echo; echo done-talking; }\n');
  const chatty = await buildPackage(ws.job('misc/chatty', 'chatty-1.0', { logDir: join(full, 'chatty'), logFile: join(full, 'chatty.log') }), { signal, scratch: ws.scratch });
  assert.equal(chatty.outcome.kind, 'infrastructure');
  assert.match(chatty.outcome.kind === 'infrastructure' ? chatty.outcome.reason : '', /ENOSPC/);
  assert.equal(chatty.outcome.kind === 'infrastructure' && chatty.outcome.full, join(full, 'chatty'));
  assert.deepEqual(readdirSync(ws.scratch), []);
});
