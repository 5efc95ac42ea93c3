import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { transfer } from './http-get.js';

const work = mkdtempSync(join(tmpdir(), 'kiln-http-get-'));
let server: Server;
let base = '';
const BODY = Buffer.from('0123456789'.repeat(100));

before(async () => {
  server = createServer((req, res) => {
    const hops = /^\/loop\/(\d+)$/.exec(req.url ?? '');
    if (hops) return void res.writeHead(302, { location: `/loop/${Number(hops[1]) + 1}` }).end();
    if (req.url === '/moved') return void res.writeHead(301, { location: '/file' }).end();
    if (req.url === '/file') return void res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
    if (req.url === '/stall') {
      res.writeHead(200, { 'content-length': BODY.length });
      res.write(BODY.subarray(0, 10)); // then nothing
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

const limits = { connectTimeoutS: 2, stallTimeoutS: 0.5, maxRedirects: 3 };
const signal = new AbortController().signal;

void test('a redirect is followed to the file; endless redirects stop at the bound', async () => {
  const file = join(work, 'moved');
  const got = await transfer(`${base}/moved`, file, 0, BODY.length, limits, signal);
  assert.equal(got.kind, 'complete');
  assert.equal(got.url, `${base}/file`, 'where the file came from');
  assert.deepEqual(readFileSync(file), BODY);
  const loop = await transfer(`${base}/loop/0`, join(work, 'loop'), 0, BODY.length, limits, signal);
  assert.deepEqual([loop.kind, loop.kind === 'broken' && loop.reason], ['broken', 'more than 3 redirects']);
});

void test('a server that stops sending is given up after the stall timeout, what came kept for a resume', async () => {
  const file = join(work, 'stall');
  const began = performance.now();
  const got = await transfer(`${base}/stall`, file, 0, BODY.length, limits, signal);
  assert.equal(got.kind, 'broken');
  assert.match(got.kind === 'broken' ? got.reason : '', /no data for 0.5 s/);
  assert.ok(performance.now() - began < 3000);
  assert.equal(readFileSync(file).length, 10);
});

void test('a body larger than the distinfo says is cut, and a 404 is a status', async () => {
  const big = await transfer(`${base}/file`, join(work, 'big'), 0, 100, limits, signal);
  assert.match(big.kind === 'broken' ? big.reason : '', /more than the distinfo's 100 bytes/);
  const missing = await transfer(`${base}/nothing`, join(work, 'missing'), 0, 100, limits, signal);
  assert.deepEqual(missing, { kind: 'status', status: 404, url: `${base}/nothing` });
  const ftp = await transfer('ftp://127.0.0.1/x', join(work, 'ftp'), 0, 100, limits, signal);
  assert.match(ftp.kind === 'broken' ? ftp.reason : '', /does not fetch ftp URLs/);
});
