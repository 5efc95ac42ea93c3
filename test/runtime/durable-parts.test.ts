// The parts that keep work from being lost, with real files and real
// processes: the run directory's lock against a second process and after
// a SIGKILL, a stale port lock taken away only if it is still the stale one,
// package heads read from real package files (long, truncated, garbage),
// and leftovers removed only for processes that are gone.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { breakLock, createLock, formatLock, readLock } from '../../src/runtime/lock-file.js';
import { cleanRepository, cleanScratch } from '../../src/runtime/leftovers.js';
import { readPackageHead } from '../../src/runtime/package-head.js';
import { ownerState, thisProcess } from '../../src/runtime/process-owner.js';
import { lockRunDir, RunDirBusy } from '../../src/runtime/run-lock.js';
import { writePackage } from '../../src/sandbox/package-write.js';
import type { StagedEntry } from '../../src/sandbox/package-walk.js';
import { waitFor } from '../support/run-command.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-durable-parts-'));
after(() => rmSync(work, { recursive: true, force: true }));
const runLockModule = fileURLToPath(new URL('../../src/runtime/run-lock.js', import.meta.url));

/** A pid that was just used by a process that is gone. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('the run directory lock', () => {
  test('another live process has it: refused, naming it; SIGKILLed: taken over', async () => {
    const logdir = join(work, 'runlock');
    mkdirSync(logdir);
    const holder = spawn(process.execPath, ['--input-type=module', '-e',
      `const { lockRunDir } = await import(${JSON.stringify(runLockModule)}); lockRunDir(${JSON.stringify(logdir)}, ['build'], Date.now() / 1000); console.log('locked'); setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    holder.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    assert.ok(await waitFor(() => out.includes('locked'), 10_000));
    assert.throws(() => lockRunDir(logdir, [], 0), (err: Error) => err instanceof RunDirBusy && err.message.includes(`kiln pid ${holder.pid}`));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('exit', resolve));
    const taken = lockRunDir(logdir, [], 0);
    assert.match(readFileSync(taken.file, 'utf8'), new RegExp(`^kiln=${process.pid} on `, 'm'));
    taken.release();
    assert.equal(readLock(taken.file).kind, 'none');
  });
});

describe('lock files', () => {
  test('a lock appears whole or not at all, and only once', () => {
    const file = join(work, 'locks', 'cat', 'x');
    const text = formatLock([['locked', 'cat/x'], ['status', 'building']], thisProcess(), 0);
    assert.equal(createLock(file, text), true);
    assert.equal(createLock(file, 'another'), false);
    assert.equal(readFileSync(file, 'utf8'), text);
    assert.deepEqual(readdirSync(join(work, 'locks', 'cat')), ['x'], 'no temporary file is left');
  });

  test('a stale lock is taken away only while it is the stale one', async () => {
    const file = join(work, 'locks', 'cat', 'y');
    const stale = formatLock([['locked', 'cat/y'], ['status', 'building']], { ...thisProcess(), pid: await deadPid(), start: undefined }, 0);
    const read = (() => { createLock(file, stale); return readLock(file); })();
    assert.equal(read.kind === 'lock' && ownerState(read.owner), 'gone');
    const live = formatLock([['locked', 'cat/y'], ['status', 'building']], thisProcess(), 1);
    writeFileSync(file, live); // another kiln took it meanwhile
    assert.equal(breakLock(file, stale), false);
    assert.equal(readFileSync(file, 'utf8'), live, 'the live lock is put back');
    writeFileSync(file, stale);
    assert.equal(breakLock(file, stale), true);
    assert.equal(readLock(file).kind, 'none');
  });

  test('a lock of another host is neither alive nor gone here', () => {
    assert.equal(ownerState({ ...thisProcess(), host: 'far-away-host' }), 'elsewhere');
    assert.equal(ownerState(thisProcess()), 'alive');
  });
});

describe('package heads', () => {
  test('read from a package with a long packing list, and refused for damaged files', async () => {
    const staged = join(work, 'staged');
    mkdirSync(staged, { recursive: true });
    const entries: StagedEntry[] = [];
    for (let i = 0; i < 3000; i++) {
      const path = `share/many/file-with-a-long-name-${String(i).padStart(5, '0')}`;
      writeFileSync(join(staged, String(i)), `${i}\n`);
      entries.push({ path, abs: join(staged, String(i)), kind: 'file', mode: 0o644, size: `${i}\n`.length, md5: 'd41d8cd98f00b204e9800998ecf8427e' });
    }
    const contents = entries.map((e) => `${e.path}\n@comment MD5:${e.md5 ?? ''}`).join('\n') + '\n';
    assert.ok(contents.length > 150_000, 'longer than the first read');
    const meta = [{ name: '+CONTENTS', text: contents, mode: 0o644 }, { name: '+BUILD_INFO', text: 'KILN_INPUTS=abc\n', mode: 0o444 }];
    const dir = join(work, 'All');
    const written = await writePackage(dir, 'many-1.0', meta, entries, 0, new AbortController().signal);
    assert.ok(written.ok);
    const head = readPackageHead(join(dir, 'many-1.0.tgz'));
    if (typeof head === 'string') assert.fail(head);
    assert.equal(head.get('+CONTENTS'), contents);
    assert.equal(head.get('+BUILD_INFO'), 'KILN_INPUTS=abc\n');
    writeFileSync(join(dir, 'garbage.tgz'), 'not a package at all');
    assert.equal(typeof readPackageHead(join(dir, 'garbage.tgz')), 'string');
    truncateSync(join(dir, 'many-1.0.tgz'), 2000);
    assert.equal(typeof readPackageHead(join(dir, 'many-1.0.tgz')), 'string');
    assert.equal(typeof readPackageHead(join(dir, 'missing.tgz')), 'string');
  });
});

describe('leftovers of killed processes', () => {
  test('removed for processes that are gone, kept for live ones', async () => {
    const all = join(work, 'repo');
    const scratch = join(work, 'scratch');
    mkdirSync(all, { recursive: true });
    mkdirSync(scratch, { recursive: true });
    const dead = await deadPid();
    // `.kiln.tgz.<pid>-<hex>` and `kiln-job-<pid>-XXXXXX` are today's names; the pkgname-bearing ones an older kiln left.
    for (const name of [`.a-1.0.tgz.${dead}-0a1b2c3d`, `.kiln.tgz.${dead}-0a1b2c3d`, `.kiln.tgz.${process.pid}-0a1b2c3d`, `pkg_summary.gz.${dead}-0a1b2c3d.tmp`, 'a-1.0.tgz', '.hidden']) {
      writeFileSync(join(all, name), '');
    }
    for (const name of [`kiln-a-1.0-${dead}-AbC123`, `kiln-job-${dead}-XyZ789`, `kiln-job-${process.pid}-AbC123`, `kiln-a-1.0-AbC123`]) mkdirSync(join(scratch, name, 'work'), { recursive: true });
    assert.deepEqual(cleanRepository(all).sort(), [`.a-1.0.tgz.${dead}-0a1b2c3d`, `.kiln.tgz.${dead}-0a1b2c3d`, `pkg_summary.gz.${dead}-0a1b2c3d.tmp`]);
    assert.deepEqual(readdirSync(all).sort(), ['.hidden', `.kiln.tgz.${process.pid}-0a1b2c3d`, 'a-1.0.tgz']);
    assert.deepEqual(cleanScratch(scratch).sort(), [`kiln-a-1.0-${dead}-AbC123`, `kiln-job-${dead}-XyZ789`]);
    assert.deepEqual(readdirSync(scratch).sort(), ['kiln-a-1.0-AbC123', `kiln-job-${process.pid}-AbC123`]);
  });
});
