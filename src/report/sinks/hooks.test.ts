import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { HOSTILE_MAINTAINER, HOSTILE_PKGNAME, HOSTILE_PKGPATH, sampleRun } from '../../../test/support/sample-run.js';
import { HookRunner, splitCommand } from './hooks.js';

const dir = mkdtempSync(join(tmpdir(), 'kiln-hooks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Parses `env -0` output: NUL-separated, so values with newlines or quotes come back whole. */
function readEnv(file: string): Map<string, string> {
  const entries = readFileSync(file, 'utf8').split('\0').filter((e) => e.startsWith('KILN_'));
  return new Map(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

void test('hooks run as argv with the run\'s and the package\'s fields in the environment, never through a shell', async () => {
  const out = join(dir, 'out');
  const script = join(dir, 'hook.sh');
  // Writes its environment to a file named by its event and the failing package's pkgname, hashed to stay a file name.
  writeFileSync(script, '#!/bin/sh\nn=$(printf %s "$KILN_PKGNAME" | cksum | cut -d" " -f1)\nenv -0 > "$1/$KILN_EVENT-$n"\n');
  rmSync('/tmp/kiln-pwned', { force: true });
  mkdirSync(out);
  const argv = ['/bin/sh', script, out];
  const hooks = new HookRunner({ hooks: { start: argv, end: argv, failed: argv }, logdir: dir, env: { PATH: process.env['PATH'] } });
  for (const e of sampleRun()) hooks.emit(e);
  await hooks.idle();

  const files = readdirSync(out).sort();
  assert.equal(files.filter((f) => f.startsWith('package-failed-')).length, 5, 'one per package that failed to build');
  assert.equal(files.filter((f) => f.startsWith('run-start-')).length, 1);
  assert.equal(files.filter((f) => f.startsWith('run-end-')).length, 1);
  const failed = files.filter((f) => f.startsWith('package-failed-')).map((f) => readEnv(join(out, f)));
  const icu = failed.find((e) => e.get('KILN_PKGNAME') === 'icu-75.1')!;
  assert.deepEqual(Object.fromEntries(icu), {
    KILN_EVENT: 'package-failed', KILN_RUN: '20261118.1053', KILN_LOGDIR: dir, KILN_TREE: '/usr/pkgsrc',
    KILN_PKGNAME: 'icu-75.1', KILN_PKGPATH: 'textproc/icu', KILN_PHASE: 'build', KILN_ERROR: 'compiler error', KILN_REASON: '',
    KILN_BREAKS: '3', KILN_MAINTAINER: 'adam@NetBSD.org', KILN_HOST: 'builder2', KILN_LOG: join(dir, 'packages/icu-75.1.log'),
  });
  const evil = failed.find((e) => e.get('KILN_PKGNAME') === HOSTILE_PKGNAME)!;
  assert.equal(evil.get('KILN_PKGPATH'), HOSTILE_PKGPATH);
  assert.equal(evil.get('KILN_MAINTAINER'), HOSTILE_MAINTAINER);
  assert.equal(existsSync('/tmp/kiln-pwned'), false, 'the $(...) in the maintainer was never run');
  const end = readEnv(join(out, files.find((f) => f.startsWith('run-end-'))!));
  assert.equal(end.get('KILN_RESULT'), 'complete');
  assert.equal(end.get('KILN_FAILED'), '5');
  assert.equal(end.get('KILN_INDIRECT'), '6');
  const log = readFileSync(join(dir, 'hooks.log'), 'utf8');
  assert.equal(log.match(/: exit status 0$/gm)?.length, 7);
});

void test('a missing hook program and a hanging hook are logged, and do not stop the run', async () => {
  const logdir = mkdtempSync(join(dir, 'b-'));
  const hooks = new HookRunner({
    hooks: { start: ['/nonexistent/kiln-hook'], end: ['/bin/sleep', '30'] }, logdir, env: {}, timeoutMs: 200,
  });
  hooks.emit({ type: 'run-started', at: 1, run: 'r', tree: 't', logdir, packages: 'p', resumed: false });
  hooks.emit({ type: 'run-finished', at: 2, result: 'stopped' });
  const started = Date.now();
  await hooks.idle();
  assert.ok(Date.now() - started < 5000);
  const log = readFileSync(join(logdir, 'hooks.log'), 'utf8');
  assert.match(log, /run-start: could not run: spawn \/nonexistent\/kiln-hook ENOENT/);
  assert.match(log, /run-end: killed by SIGTERM/);
});

void test('a hook command is split at blanks, with no shell quoting', () => {
  assert.deepEqual(splitCommand('  /usr/local/bin/notify  --room "builds" '), ['/usr/local/bin/notify', '--room', '"builds"']);
});
