// The fetch queue with no build behind it (`kiln fetch`): every file is
// wanted now, so every fetch job is used (none is kept for ports that
// become ready). A loopback server (127.0.0.1) serves the files slowly.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { DistfileServer } from '../../test/support/distfile-server.js';
import { FetchQueue } from './fetch-queue.js';

void test('with no priority given, all fetch jobs run at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-fetch-queue-'));
  const server = new DistfileServer();
  await server.start();
  try {
    const body = Buffer.alloc(20_000, 'x');
    const names = ['a', 'b', 'c', 'd', 'e'].map((n) => `${n}.dat`);
    for (const name of names) server.set('s', name, { kind: 'slow', body, bytesPerS: 100_000 });
    const ended: string[] = [];
    const failures: string[] = [];
    await new Promise<void>((resolve) => {
      const queue = new FetchQueue({
        distdir: dir, limits: { jobs: 4, perSite: 4 }, lock: () => Promise.resolve({ release: () => undefined }), signal: new AbortController().signal,
        portEnded: (port, result) => {
          if (!result.ok) failures.push(result.reason);
          if (ended.push(port) === names.length) resolve();
        },
      });
      queue.want(names.map((name) => ({
        port: name, requests: [{ name, size: body.length, digests: [{ algorithm: 'SHA512', hex: createHash('sha512').update(body).digest('hex') }], urls: [`${server.url('s')}${name}`] }],
      })));
    });
    assert.deepEqual(failures, []);
    assert.equal(server.mostInAll, 4);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
