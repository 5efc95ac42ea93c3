// A staged file the walk did not keep is read again for the package: read
// only as far as its walked size and one byte more, it is packed whole when
// unchanged and refused as changed when it grew or shrank since the walk,
// or when it became a symlink.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import type { StagedEntry } from './package-walk.js';
import { writePackage } from './package-write.js';

const signal = new AbortController().signal;

void test('a re-read staged file is packed whole, and refused when it changed size or became a link since the walk', async () => {
  const root = await mkdtemp(join(tmpdir(), 'kiln-package-write-'));
  try {
    const small = 'x'.repeat(2000);
    const big = Buffer.alloc(3 * 2 ** 20 + 7, 'y'); // streamed, past the read-ahead's size
    await writeFile(join(root, 'small'), small);
    await writeFile(join(root, 'big'), big);
    await writeFile(join(root, 'canary'), 'canary');
    await symlink(join(root, 'canary'), join(root, 'link'));
    const entry = (name: string, size: number): StagedEntry => ({ path: `share/${name}`, abs: join(root, name), kind: 'file', mode: 0o644, size });
    const pack = (entries: StagedEntry[]): ReturnType<typeof writePackage> => writePackage(join(root, 'All'), 'p-1', [], entries, 0, signal);

    const whole = await pack([entry('small', small.length), entry('big', big.length)]);
    assert.ok(whole.ok, JSON.stringify(whole));
    const listed = execFileSync('tar', ['tvzf', whole.file], { encoding: 'utf8' });
    assert.match(listed, new RegExp(` ${small.length} .* share/small\\n`));
    assert.match(listed, new RegExp(` ${big.length} .* share/big\\n`));
    assert.equal(execFileSync('tar', ['xOzf', whole.file, 'share/small'], { encoding: 'utf8' }), small);

    for (const [name, size] of [['small', small.length - 1], ['small', small.length + 1], ['big', big.length - 1], ['big', big.length + 1]] as const) {
      const changed = await pack([entry(name, size)]);
      assert.deepEqual(changed, { ok: false, kind: 'unreadable', detail: `share/${name} changed size while being packaged` }, `${name} walked at ${size} bytes`);
    }
    const link = await pack([entry('link', 'canary'.length)]);
    assert.ok(!link.ok && link.kind === 'unreadable' && /^cannot read share\/link: /.test(link.detail), JSON.stringify(link));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
