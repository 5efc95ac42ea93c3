import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileHasher } from './file-hasher.js';

const HELLO = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03'; // sha256("hello\n")
const HOLLA = '3f3db268437868382900dba9aa4ace3f88a851c6f8f0212612390184710f2257';

void test('a saved table spares the next run reading unchanged files, and never hides a change', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-hasher-'));
  try {
    const tree = join(dir, 'tree');
    const table = join(dir, 'hashes.json');
    await mkdir(tree);
    await writeFile(join(tree, 'same'), 'hello\n');
    await writeFile(join(tree, 'edited'), 'hello\n');
    await writeFile(join(dir, 'outside'), 'hello\n');
    const first = new FileHasher();
    for (const f of [join(tree, 'same'), join(tree, 'edited'), join(dir, 'outside')]) assert.equal((await first.hash(f)).hash, HELLO);
    await first.save(table, tree);
    const saved = JSON.parse(await readFile(table, 'utf8')) as Record<string, unknown[]>;
    assert.deepEqual(Object.keys(saved).sort(), [join(tree, 'edited'), join(tree, 'same')], 'only the files under the tree');

    // A hash the table says is not read again: mark the unchanged file's row to see it come back.
    saved[join(tree, 'same')]![0] = 'f'.repeat(64);
    await writeFile(table, JSON.stringify(saved));
    await writeFile(join(tree, 'edited'), 'holla\n'); // same size, new content
    const next = new FileHasher();
    await next.load(table);
    assert.equal((await next.hash(join(tree, 'same'))).hash, 'f'.repeat(64));
    const edited = await next.hash(join(tree, 'edited'));
    assert.equal(edited.hash, HOLLA);
    assert.equal(edited.mode, 0o644);

    await writeFile(table, '{"broken');
    const fresh = new FileHasher();
    await fresh.load(table);
    await fresh.load(join(dir, 'none.json'));
    assert.equal((await fresh.hash(join(tree, 'same'))).hash, HELLO, 'an unreadable table is ignored');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
