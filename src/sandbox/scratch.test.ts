// A job's scratch size, measured as its scratch directory is removed at
// its end, for the history (the disk the port's next build needs): what
// the directory holds, never what a link in it points to, a hard-linked
// file once; what a link points to is left alone.

import assert from 'node:assert/strict';
import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { removeScratch, type JobScratch } from './scratch.js';

void test('removing the scratch counts its files, a hard link once, not what its links point to, and leaves their targets', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'kiln-scratch-size-'));
  const outside = mkdtempSync(join(tmpdir(), 'kiln-scratch-outside-'));
  t.after(() => { rmSync(root, { recursive: true, force: true }); rmSync(outside, { recursive: true, force: true }); });
  mkdirSync(join(root, 'work', 'cache'), { recursive: true });
  writeFileSync(join(root, 'work', 'object.o'), Buffer.alloc(3 * 2 ** 20, 1));
  for (let i = 0; i < 4; i++) linkSync(join(root, 'work', 'object.o'), join(root, `also-${i}.o`));
  writeFileSync(join(root, 'work', 'cache', 'module'), 'read-only');
  chmodSync(join(root, 'work', 'cache'), 0o555);
  writeFileSync(join(outside, 'big'), Buffer.alloc(20 * 2 ** 20, 1));
  symlinkSync(join(outside, 'big'), join(root, 'link'));
  symlinkSync(outside, join(root, 'dirlink'));
  const size = await removeScratch({ root } as JobScratch);
  assert.ok(size !== undefined && size >= 3 && size < 6, `3 MiB written (and linked 4 more times), measured ${size}`);
  assert.equal(existsSync(root), false);
  assert.equal(existsSync(join(outside, 'big')), true);
  assert.equal(await removeScratch({ root: join(root, 'gone') } as JobScratch), undefined);
});
