import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { pkgsrcPortDistfiles } from './port-distfiles.js';

const work = realpathSync(mkdtempSync(join(tmpdir(), 'kiln-port-distfiles-')));
after(() => rmSync(work, { recursive: true, force: true }));
const tree = join(work, 'tree');
const port = join(tree, 'misc', 'figlet');
mkdirSync(port, { recursive: true });
const SUM = 'ab'.repeat(64);
writeFileSync(join(port, 'distinfo'), `$NetBSD$\n\nSHA512 (figlet/figlet-2.2.5.tar.gz) = ${SUM}\nSize (figlet/figlet-2.2.5.tar.gz) = 233201 bytes\n`
  + `SHA512 (figlet/fix.diff) = ${SUM}\nSize (figlet/fix.diff) = 12 bytes\nSHA1 (patch-aa) = ${'cd'.repeat(20)}\n`);
const files = [
  { name: 'figlet/figlet-2.2.5.tar.gz', urls: ['http://up.example/figlet-2.2.5.tar.gz'] },
  { name: 'figlet/fix.diff', urls: ['http://patches.example/fix.diff'] },
];

void test('a pkgsrc port\'s files (DIST_SUBDIR/name) are checked against its DISTINFO_FILE, the override first', async () => {
  const got = await pkgsrcPortDistfiles(tree, { distinfoFile: join(port, 'distinfo'), distSubdir: 'figlet', files }, ['http://127.0.0.1:1/m/']);
  assert.ok(got.ok, got.ok ? '' : got.reason);
  assert.deepEqual(got.requests.map((r) => [r.name, r.size, r.urls[0]]), [
    ['figlet/figlet-2.2.5.tar.gz', 233201, 'http://127.0.0.1:1/m/figlet/figlet-2.2.5.tar.gz'],
    ['figlet/fix.diff', 12, 'http://127.0.0.1:1/m/figlet/fix.diff'],
  ]);
});

void test('a pkgsrc port with no files needs no distinfo; one whose distinfo lacks a file, or is none, says so', async () => {
  assert.deepEqual(await pkgsrcPortDistfiles(tree, { distinfoFile: join(tree, 'none', 'distinfo'), distSubdir: '', files: [] }, []), { ok: true, requests: [] });
  const missing = await pkgsrcPortDistfiles(tree, { distinfoFile: join(tree, 'none', 'distinfo'), distSubdir: '', files: files.slice(0, 1) }, []);
  assert.deepEqual(missing, { ok: false, reason: 'the port lists distfile figlet/figlet-2.2.5.tar.gz but has no distinfo file to check it with' });
  const unlisted = await pkgsrcPortDistfiles(tree, { distinfoFile: join(port, 'distinfo'), distSubdir: '', files: [{ name: 'figlet-2.2.5.tar.gz', urls: [] }] }, []);
  assert.deepEqual(unlisted, { ok: false, reason: 'the distinfo lists no checksum for figlet-2.2.5.tar.gz' }, 'the name in distinfo carries DIST_SUBDIR');
});

void test('a DISTINFO_FILE outside the tree, or reached through a symlink out of it, is not read', async () => {
  const outside = join(work, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'distinfo'), 'secret\n');
  symlinkSync(outside, join(tree, 'escape'));
  for (const distinfoFile of [join(outside, 'distinfo'), join(tree, 'escape', 'distinfo'), join(port, '..', '..', '..', 'outside', 'distinfo')]) {
    const got = await pkgsrcPortDistfiles(tree, { distinfoFile, distSubdir: '', files }, []);
    assert.deepEqual(got, { ok: false, reason: `its DISTINFO_FILE ${JSON.stringify(distinfoFile)} is not a file of the tree` });
  }
});
