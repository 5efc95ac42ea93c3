import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { sampleRun } from '../../test/support/sample-run.js';
import { MemoryEventLog } from './event-log.js';
import { parseWebAddress } from './web-address.js';
import { WebServer } from './web-server.js';

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** A raw request: the path goes out exactly as written, as an attacker would send it. */
function get(url: string, path: string, host?: string): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET', headers: host === undefined ? {} : { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

void describe('web server', () => {
  const root = mkdtempSync(join(tmpdir(), 'kiln-web-'));
  const logdir = join(root, 'run');
  const outside = join(root, 'secret.txt');
  let server: WebServer;
  let url = '';

  before(async () => {
    mkdirSync(join(logdir, 'packages'), { recursive: true });
    writeFileSync(join(logdir, 'packages', 'icu-75.1.log'), 'icu.c:1:1: error: <b>boom</b>\n');
    writeFileSync(join(logdir, 'report.txt'), 'kiln bulk build report\n');
    writeFileSync(outside, 'SECRET\n');
    symlinkSync(outside, join(logdir, 'packages', 'link.log'));
    symlinkSync(root, join(logdir, 'up'));
    const log = new MemoryEventLog();
    for (const e of sampleRun()) log.emit(e);
    server = new WebServer({ logdir, log, clock: () => 1_795_003_000, tickMs: 50 });
    const address = parseWebAddress('127.0.0.1:0');
    assert.ok(typeof address !== 'string');
    url = await server.listen(address);
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  void test('serves the live page under a policy that allows only its own script and style', async () => {
    const reply = await get(url, '/');
    assert.equal(reply.status, 200);
    const csp = String(reply.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.doesNotMatch(reply.body, /https?:\/\/(?!www\.w3\.org)/, 'no external resource');
    assert.equal(reply.headers['x-content-type-options'], 'nosniff');
  });

  void test('the view as JSON, from the followed event log', async () => {
    const reply = await get(url, '/api/view');
    const view = JSON.parse(reply.body) as { result: string; counts: { total: number }; packages: unknown[] };
    assert.equal(view.result, 'complete');
    assert.equal(view.counts.total, 38);
    assert.equal(view.packages.length, 0);
    const all = JSON.parse((await get(url, '/api/packages')).body) as unknown[];
    assert.equal(all.length, 38);
  });

  void test('server-sent events start with the current view', async () => {
    const u = new URL(url);
    const first = await new Promise<string>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, path: '/api/events' }, (res) => {
        assert.match(String(res.headers['content-type']), /text\/event-stream/);
        res.setEncoding('utf8');
        res.once('data', (c: string) => { req.destroy(); resolve(c); });
      });
      req.on('error', reject);
      req.end();
    });
    assert.match(first, /^retry: 2000\nevent: view\ndata: \{"run":"20261118\.1053"/);
  });

  void test('logs and reports of the run directory, as plain text', async () => {
    const log = await get(url, '/packages/icu-75.1.log');
    assert.equal(log.status, 200);
    assert.equal(log.body, 'icu.c:1:1: error: <b>boom</b>\n');
    assert.equal(log.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal((await get(url, '/report.txt')).status, 200);
  });

  void test('nothing outside the run directory, however the path is spelled', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/packages/..%2f..%2fsecret.txt', '/packages/%2e%2e/%2e%2e/secret.txt',
      '/packages/link.log', '/up/secret.txt', `/${encodeURIComponent(outside)}`, '//etc/passwd', '/%00', '/..\\secret.txt', '/packages/']) {
      const reply = await get(url, path);
      assert.ok([400, 403, 404].includes(reply.status), `${path}: ${reply.status}`);
      assert.ok(!reply.body.includes('SECRET'), path);
    }
  });

  void test('answers only requests that name a loopback host (no DNS rebinding)', async () => {
    assert.equal((await get(url, '/api/view', 'evil.example:80')).status, 421);
    assert.equal((await get(url, '/api/view', 'localhost:1234')).status, 200);
  });
});

void test('--web addresses: loopback unless a host is named', () => {
  assert.deepEqual(parseWebAddress('8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseWebAddress(':8080'), { host: '127.0.0.1', port: 8080 });
  assert.deepEqual(parseWebAddress('0.0.0.0:80'), { host: '0.0.0.0', port: 80 });
  assert.deepEqual(parseWebAddress('[::1]:9000'), { host: '::1', port: 9000 });
  assert.equal(typeof parseWebAddress('localhost:99999'), 'string');
  assert.equal(typeof parseWebAddress('http://x:1'), 'string');
});
