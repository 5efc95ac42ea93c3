import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import type { DistfileRequest } from '../../src/fetch/fetch-distfile.js';
import { FetchQueue, type PortFetchResult } from '../../src/fetch/fetch-queue.js';
import { readPorts } from '../../src/fetch/port-distfiles.js';
import { lockDistfile } from '../../src/runtime/distfile-lock.js';
import { DistfileServer } from '../support/distfile-server.js';

// Two servers: a site is a host and port.
const server = new DistfileServer();
const other = new DistfileServer();
const work = mkdtempSync(join(tmpdir(), 'kiln-fetch-queue-'));
before(async () => { await server.start(); await other.start(); });
after(async () => {
  await server.stop();
  await other.stop();
  rmSync(work, { recursive: true, force: true });
});

function distfile(site: string, name: string, size: number, bytesPerS: number, on = server): DistfileRequest {
  const body = Buffer.alloc(size, name);
  on.set(site, name, { kind: 'slow', body, bytesPerS });
  return { name, size, digests: [{ algorithm: 'SHA256', hex: createHash('sha256').update(body).digest('hex') }], urls: [`${on.url(site)}${name}`] };
}

/** Runs one queue over `ports`; resolves with each port's result. */
function fetchAll(distdir: string, ports: Array<{ port: string; requests: readonly DistfileRequest[] }>, jobs: number): Promise<Map<string, PortFetchResult>> {
  return new Promise((resolve) => {
    const results = new Map<string, PortFetchResult>();
    const queue = new FetchQueue({
      distdir, limits: { jobs, perSite: 2 }, lock: lockDistfile, signal: new AbortController().signal,
      portEnded: (port, result) => {
        results.set(port, result);
        if (results.size === ports.length) resolve(results);
      },
    });
    queue.want(ports);
  });
}

void test('at most `jobs` fetches at once and two from one site; every distfile fetched once', async () => {
  const distdir = join(work, 'limits');
  const a = [0, 1, 2, 3, 4].map((i) => distfile('a', `a${i}.dat`, 20_000, 100_000));
  const b = [0, 1].map((i) => distfile('b', `b${i}.dat`, 20_000, 100_000, other));
  const ports = [...a, ...b].map((request, i) => ({ port: `p${i}`, requests: [request] }));
  ports.push({ port: 'also-a0', requests: [a[0]!] });
  const results = await fetchAll(distdir, ports, 3);
  assert.ok([...results.values()].every((r) => r.ok));
  assert.equal(server.most.get('a'), 2);
  assert.equal(server.mostInAll + (other.most.get('b') ?? 0), 3, 'two from the first site, one from the other');
  assert.equal(server.requestsFor('a0.dat').length, 1);
  assert.deepEqual(readdirSync(distdir).sort(), ['a0.dat', 'a1.dat', 'a2.dat', 'a3.dat', 'a4.dat', 'b0.dat', 'b1.dat']);
});

void test('two runs sharing DISTDIR fetch a distfile once: the second waits on its lock, then finds it there', async () => {
  const distdir = join(work, 'shared');
  const request = distfile('c', 'c.dat', 60_000, 100_000);
  const [first, second] = await Promise.all([fetchAll(distdir, [{ port: 'x', requests: [request] }], 4), fetchAll(distdir, [{ port: 'y', requests: [request] }], 4)]);
  assert.deepEqual([first.get('x'), second.get('y')], [{ ok: true }, { ok: true }]);
  assert.equal(server.requestsFor('c.dat').length, 1);
  assert.deepEqual(readdirSync(distdir), ['c.dat']);
});

void test('a port whose distinfo is a FIFO fails with the reason at once; the other ports fetch', async () => {
  const distdir = join(work, 'fifo');
  const good = distfile('d', 'd.dat', 1000, 1_000_000);
  const goodDir = join(work, 'ports', 'good');
  const fifoDir = join(work, 'ports', 'fifo');
  mkdirSync(goodDir, { recursive: true });
  mkdirSync(fifoDir, { recursive: true });
  writeFileSync(join(goodDir, 'distinfo'), `Size (d.dat) = 1000 bytes\nSHA256 (d.dat) = ${good.digests[0]!.hex}\n`);
  assert.equal(spawnSync('mkfifo', [join(fifoDir, 'distinfo')]).status, 0);
  const site = good.urls[0]!.slice(0, -'d.dat'.length);
  // As a build reads them (runtime/distfile-lister.ts): every port's distinfo first, then the queue fetches for those that could be read.
  const read = await readPorts([
    { port: 'fifo-1', dir: fifoDir, distfiles: ['d.dat'], sites: [site] },
    { port: 'good-1', dir: goodDir, distfiles: ['d.dat'], sites: [site] },
  ], []);
  const results = new Map<string, PortFetchResult>(read.flatMap(({ port, distfiles }) => (distfiles.ok ? [] : [[port, distfiles] as const])));
  const fetched = await fetchAll(distdir, read.flatMap(({ port, distfiles }) => (distfiles.ok ? [{ port, requests: distfiles.requests }] : [])), 4);
  for (const [port, result] of fetched) results.set(port, result);
  assert.deepEqual(results.get('fifo-1'), { ok: false, reason: 'its distinfo is not a regular file' });
  assert.deepEqual(results.get('good-1'), { ok: true });
  assert.deepEqual(readdirSync(distdir), ['d.dat']);
});
