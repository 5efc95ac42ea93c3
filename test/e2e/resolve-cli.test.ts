// `kiln resolve` as a user runs it: the real binary, files plain, gzip'ed
// and xz'ed, stdin, exit statuses and messages.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { repoRoot } from './shared-data.js';

const kiln = join(repoRoot, 'bin', 'kiln.js');
const dir = mkdtempSync(join(tmpdir(), 'kiln-resolve-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], input?: Buffer | string) {
  const result = spawnSync(process.execPath, [kiln, 'resolve', ...args], { input: input ?? '', encoding: 'latin1' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const INDEX = [
  'PKGNAME=app-1.0', 'PKG_LOCATION=misc/app', 'ALL_DEPENDS=gmake>=4:../../devel/gmake perl>=5.36:../../lang/perl5',
  'PKG_SKIP_REASON=', 'PKG_FAIL_REASON=', 'MAINTAINER=Ren\xe9e <r@example.org>',
  'PKGNAME=gmake-4.4.1', 'PKG_LOCATION=devel/gmake', 'ALL_DEPENDS=', 'PKG_SKIP_REASON=', 'PKG_FAIL_REASON=',
  'PKGNAME=perl-5.42.0nb1', 'PKG_LOCATION=lang/perl5', 'ALL_DEPENDS=gmake-[0-9]*:../../devel/gmake', 'PKG_SKIP_REASON=', 'PKG_FAIL_REASON=',
  '',
].join('\n');
const EXPECTED = INDEX.replace('\nPKGNAME=gmake', '\nDEPENDS=gmake-4.4.1 perl-5.42.0nb1\nPKGNAME=gmake') + 'DEPENDS=gmake-4.4.1\n';

test('a plain, a gzip\'ed and an xz\'ed file, and stdin, give the same presolve, byte for byte', () => {
  const plain = join(dir, 'pscan');
  writeFileSync(plain, INDEX, 'latin1');
  writeFileSync(join(dir, 'pscan.gz'), gzipSync(Buffer.from(INDEX, 'latin1')));
  const outputs = [run([plain]), run([join(dir, 'pscan.gz')]), run([], Buffer.from(INDEX, 'latin1')), run(['-'], gzipSync(Buffer.from(INDEX, 'latin1')))];
  const xz = spawnSync('xz', ['-c', plain]);
  if (xz.status === 0) {
    writeFileSync(join(dir, 'pscan.xz'), xz.stdout);
    outputs.push(run([join(dir, 'pscan.xz')]));
  }
  for (const output of outputs) {
    assert.equal(output.stderr, '');
    assert.equal(output.status, 0);
    assert.equal(output.stdout, EXPECTED);
  }
});

const BROKEN = INDEX.replace('perl>=5.36', 'perl>=6').replace('PKG_SKIP_REASON=\n', 'PKG_SKIP_REASON=\nthis line is junk\n');

test('unresolvable dependencies and bad lines: reported with line numbers, written as pbulk does', () => {
  const file = join(dir, 'broken');
  writeFileSync(file, BROKEN, 'latin1');
  const { status, stdout, stderr } = run([file]);
  assert.equal(status, 0);
  assert.equal(stderr, [
    `kiln resolve: ${file}:5: warning: not a KEY=VALUE line: this line is junk`,
    `kiln resolve: ${file}:1: warning: No match found for dependency perl>=6 of package app-1.0`,
    '',
  ].join('\n'));
  assert.match(stdout, /^PKGNAME=app-1\.0\n(?:.*\n)*PKG_FAIL_REASON="could not resolve dependency "perl>=6""\nMAINTAINER=.*\nPKGNAME=gmake/);
});

test('--strict: nothing written, exit status 1', () => {
  const file = join(dir, 'broken-strict');
  writeFileSync(file, BROKEN, 'latin1');
  const { status, stdout, stderr } = run(['--strict', file]);
  assert.equal(status, 1);
  assert.equal(stdout, '');
  assert.match(stderr, /:1: error: No match found for dependency perl>=6 of package app-1\.0\n/);
  assert.match(stderr, /nothing written/);
});

test('-v warns when the best match lives in another directory', () => {
  const file = join(dir, 'moved');
  writeFileSync(file, INDEX.replace('../../lang/perl5', '../../lang/perl'), 'latin1');
  const { status, stderr } = run(['-v', file]);
  assert.equal(status, 0);
  assert.match(stderr, /:1: warning: Best matching perl-5\.42\.0nb1 differs from location lang\/perl for dependency perl>=5\.36 of package app-1\.0\n/);
});

test('--help, a missing file, and too many arguments', () => {
  const help = run(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^usage: kiln resolve \[--strict\] \[-v\] \[FILE\]/);
  const missing = run([join(dir, 'nonexistent')]);
  assert.equal(missing.status, 4);
  assert.match(missing.stderr, /nonexistent: no such file/);
  assert.equal(run(['a', 'b']).status, 2);
});
