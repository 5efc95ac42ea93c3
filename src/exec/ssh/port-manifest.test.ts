import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileHasher } from './file-hasher.js';
import { portManifest } from './port-manifest.js';

const HELLO = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03'; // sha256("hello\n")

void test('a port becomes entries by content hash; what cannot travel safely is named', async () => {
  const tree = await mkdtemp(join(tmpdir(), 'kiln-manifest-'));
  try {
    const port = join(tree, 'cat', 'a');
    await mkdir(join(port, 'files'), { recursive: true });
    await mkdir(join(port, 'empty'));
    await writeFile(join(port, 'Makefile'), 'hello\n');
    await writeFile(join(port, 'files', 'run.sh'), 'hello\n');
    await chmod(join(port, 'files', 'run.sh'), 0o755);
    await symlink('files/run.sh', join(port, 'link'));
    const hasher = new FileHasher();
    const r = await portManifest(tree, 'cat/a', hasher);
    assert.ok(r.ok);
    assert.deepEqual(r.entries, [
      { kind: 'file', path: 'Makefile', hash: HELLO, size: 6, mode: 0o644 },
      { kind: 'dir', path: 'empty' },
      { kind: 'dir', path: 'files' },
      { kind: 'file', path: 'files/run.sh', hash: HELLO, size: 6, mode: 0o755 },
      { kind: 'link', path: 'link', target: 'files/run.sh' },
    ]);
    assert.equal(r.files.size, 1, 'one content, sent once');

    await symlink('../../../etc', join(port, 'out'));
    const out = await portManifest(tree, 'cat/a', hasher);
    assert.deepEqual(out, { ok: false, reason: 'port cat/a: out is a link out of the port (../../../etc)' });

    await mkdir(join(tree, 'cat2'));
    await symlink('/etc', join(tree, 'cat2', 'evil'));
    assert.deepEqual(await portManifest(tree, 'cat2/evil', hasher), { ok: false, reason: 'cat2/evil leads out of the tree' });
    assert.deepEqual(await portManifest(tree, '../x', hasher), { ok: false, reason: 'bad pkgpath "../x"' });
    const missing = await portManifest(tree, 'cat/none', hasher);
    assert.ok(!missing.ok && /cannot read the port cat\/none: ENOENT/.test(missing.reason));
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
});

void test('a directory of many files lists them in name order, each with its own content', async () => {
  const tree = await mkdtemp(join(tmpdir(), 'kiln-manifest-'));
  try {
    const names = Array.from({ length: 60 }, (_, i) => `f${String(i).padStart(2, '0')}`);
    await mkdir(join(tree, 'cat', 'many'), { recursive: true });
    // Larger files first in name order, so reading them at once would finish out of order.
    await Promise.all(names.map((n, i) => writeFile(join(tree, 'cat', 'many', n), `${n}\n`.repeat(2000 * (60 - i)))));
    const r = await portManifest(tree, 'cat/many', new FileHasher());
    assert.ok(r.ok);
    assert.deepEqual(r.entries.map((e) => e.path), names);
    for (const [i, e] of r.entries.entries()) {
      assert.ok(e.kind === 'file');
      assert.equal(e.size, 4 * 2000 * (60 - i));
      assert.equal(r.files.get(e.hash), join(await realpath(tree), 'cat', 'many', names[i]!));
    }
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
});
