import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { after, test } from 'node:test';

import { hashInput } from './input-hash.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kiln-input-hash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a file others may read is hashed by its bytes: same bytes, same hash', () => {
  writeFileSync(path.join(dir, 'a'), 'same');
  writeFileSync(path.join(dir, 'b'), 'same');
  assert.match(hashInput(dir, 'a'), /^file:/);
  assert.equal(hashInput(dir, 'a'), hashInput(dir, 'b'));
});

test('a file others may not read is never read: its hash does not follow its bytes, but a change still shows', () => {
  const secret = path.join(dir, 'secret');
  writeFileSync(secret, 'same', { mode: 0o600 });
  chmodSync(secret, 0o600);
  const before = hashInput(dir, 'secret');
  assert.match(before, /^private:/);
  assert.notEqual(before, hashInput(dir, 'a'), 'the hash of the bytes would tell what the file holds');
  writeFileSync(secret, 'changed');
  assert.notEqual(hashInput(dir, 'secret'), before);
});

test('a directory others may not list is not listed; a FIFO is not opened', () => {
  mkdirSync(path.join(dir, 'closed'), { mode: 0o700 });
  chmodSync(path.join(dir, 'closed'), 0o700);
  assert.match(hashInput(dir, 'closed'), /^private:/);
  execFileSync('mkfifo', [path.join(dir, 'pipe')]);
  assert.equal(hashInput(dir, 'pipe'), 'other');
});
