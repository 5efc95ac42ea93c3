// A job's scratch size, measured at its end for the history (the disk the
// port's next build needs): what the directory holds, never what a link
// in it points to.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { scratchSizeMiB, type JobScratch } from './scratch.js';

void test('the scratch size counts its files, not what its links point to', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'kiln-scratch-size-'));
  const outside = mkdtempSync(join(tmpdir(), 'kiln-scratch-outside-'));
  t.after(() => { rmSync(root, { recursive: true, force: true }); rmSync(outside, { recursive: true, force: true }); });
  writeFileSync(join(root, 'object.o'), Buffer.alloc(3 * 2 ** 20, 1));
  writeFileSync(join(outside, 'big'), Buffer.alloc(20 * 2 ** 20, 1));
  symlinkSync(join(outside, 'big'), join(root, 'link'));
  symlinkSync(outside, join(root, 'dirlink'));
  const size = await scratchSizeMiB({ root } as JobScratch);
  assert.ok(size !== undefined && size >= 3 && size < 10, `3 MiB written, measured ${size}`);
  assert.equal(await scratchSizeMiB({ root: join(root, 'gone') } as JobScratch), undefined);
});
