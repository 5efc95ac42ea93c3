import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { lockDistfile } from './distfile-lock.js';
import { formatLock, readLock } from './lock-file.js';
import { thisProcess } from './process-owner.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-distfile-lock-'));
after(() => rmSync(work, { recursive: true, force: true }));
const signal = new AbortController().signal;
const lockPath = (file: string): string => `${file}.kiln-lock`;

void test("a dead process's lock is broken; a live one's is waited for", async () => {
  const file = join(work, 'locked.tar.gz');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(lockPath(file), formatLock([], { ...thisProcess(), pid: Number(dead.stdout) }, 0));
  const lock = await lockDistfile(file, signal, 10);
  assert.ok(lock && 'release' in lock);
  const held = readLock(lockPath(file));
  assert.equal(held.kind === 'lock' && held.owner.pid, process.pid, 'the lock names this process');
  const stop = new AbortController();
  const second = lockDistfile(file, stop.signal, 10);
  setTimeout(() => stop.abort(), 100);
  assert.equal(await second, undefined, 'our own live lock holds the second taker off');
  lock.release();
  assert.equal(existsSync(lockPath(file)), false);
});

void test('a lock of a pid now used by another process (another start time) is broken', async () => {
  const file = join(work, 'reused.tar.gz');
  writeFileSync(lockPath(file), formatLock([], { ...thisProcess(), start: '1' }, 0));
  const lock = await lockDistfile(file, signal, 10);
  assert.ok(lock && 'release' in lock);
  lock.release();
});

void test('a lock kiln cannot read is named, not waited for without end', async () => {
  const file = join(work, 'empty.tar.gz');
  writeFileSync(lockPath(file), '');
  const got = await lockDistfile(file, signal, 10);
  assert.ok(got && 'problem' in got);
  assert.match(got.problem, /empty\.tar\.gz\.kiln-lock is there but kiln cannot read it .*delete it/);
});
