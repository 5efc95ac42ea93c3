import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { gunzipSync } from 'node:zlib';

import { eventTime, RUN_START, sampleRun } from '../../../test/support/sample-run.js';
import { MemoryEventLog } from './event-log.js';
import type { WireUpdate } from '../view/page-wire.js';
import { parseWebAddress } from './web-address.js';
import { WebServer } from './web-server.js';

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string; raw: Buffer }

/** A raw request: the path goes out exactly as written, as an attacker would send it. */
function get(url: string, path: string, host?: string, headers: Record<string, string> = {}): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET', headers: { ...headers, ...(host !== undefined && { host }) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

interface ServerEvent { id: string | undefined; event: string; data: string }

/** Reads a server-sent event stream until `count` events came (or it ended), then hangs up. */
function stream(url: string, path: string, count: number, headers: Record<string, string> = {}): Promise<ServerEvent[]> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const found: ServerEvent[] = [];
    let text = '';
    const req = request({ host: u.hostname, port: u.port, path, headers }, (res) => {
      assert.match(String(res.headers['content-type']), /text\/event-stream/);
      res.setEncoding('utf8');
      const done = (): void => { req.destroy(); resolve(found); };
      res.on('data', (chunk: string) => {
        text += chunk;
        let end: number;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const field = (name: string): string | undefined => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
          const data = field('data');
          if (data !== undefined) found.push({ id: field('id'), event: field('event') ?? 'message', data });
          if (found.length >= count) return done();
        }
      });
      res.on('end', done);
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

  void test('a loading page gets a snapshot of every package and bar, gzipped when it asks', async () => {
    const plain = JSON.parse((await get(url, '/api/snapshot')).body) as WireUpdate;
    assert.equal(plain.from, 0);
    assert.equal(plain.packages.length, 38);
    assert.equal(plain.bars.length, sampleRun().filter((e) => e.type === 'job-started').length);
    assert.equal(plain.head.result, 'complete');
    const zipped = await get(url, '/api/snapshot', undefined, { 'accept-encoding': 'gzip, deflate' });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.deepEqual(JSON.parse(gunzipSync(zipped.raw).toString('utf8')), plain);
  });

  void test('a stream naming no revision, or one of another server, is told to load a snapshot', async () => {
    const events = await stream(url, '/api/events', 1);
    assert.equal(events[0]?.event, 'reset');
    const other = await stream(url, '/api/events?since=0badc0de.12', 1);
    assert.equal(other[0]?.event, 'reset');
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
    // Names an attacker's DNS can point at 127.0.0.1 that only start like a loopback address.
    for (const host of ['127.0.0.1.example.com', '127.0.0.1.example.com:8080', '127.evil.example', '127.0.0.1.', '127.0.0.256',
      'localhost.evil.example', '[::1].evil.example', '[::1]x', '127.0.0.1:80:80', '0x7f.0.0.1', '127.0.0.01']) {
      const reply = await get(url, '/report.txt', host);
      assert.equal(reply.status, 421, host);
      assert.ok(!reply.body.includes('kiln bulk build report'), host);
    }
    for (const host of ['127.0.0.1', '127.0.0.1:8080', '127.1.2.3:9', '[::1]:8080', '[::1]', 'LOCALHOST:80']) {
      assert.equal((await get(url, '/report.txt', host)).status, 200, host);
    }
  });
});

void describe('web server, live', () => {
  const events = sampleRun();
  let now = RUN_START;
  let fed = 0;
  const root = mkdtempSync(join(tmpdir(), 'kiln-web-live-'));
  const server = new WebServer({ logdir: root, clock: () => now, tickMs: 60_000 });
  const feed = (until: number): void => {
    while (fed < events.length && eventTime(events[fed]!) <= until) server.emit(events[fed++]!);
    now = until;
  };
  let url = '';
  before(async () => { url = await server.listen({ host: '127.0.0.1', port: 0 }); });
  after(async () => { await server.close(); rmSync(root, { recursive: true, force: true }); });

  void test('after a snapshot, the stream sends only what changed since, with the revision as the event id; a reconnecting page catches up from Last-Event-ID', async () => {
    feed(RUN_START + 200);
    const snapshot = JSON.parse((await get(url, '/api/snapshot')).body) as WireUpdate;
    feed(RUN_START + 320);
    const [first] = await stream(url, `/api/events?since=${snapshot.epoch}.${snapshot.to}`, 1);
    assert.equal(first?.event, 'update');
    const update = JSON.parse(first.data) as WireUpdate;
    assert.equal(update.from, snapshot.to);
    assert.equal(first.id, `${snapshot.epoch}.${update.to}`);
    assert.equal(update.packages.length, 0);
    const changed = new Set(events.filter((e) => eventTime(e) > RUN_START + 200 && eventTime(e) <= RUN_START + 320)
      .flatMap((e) => (e.type === 'status' ? [e.change.pkgname] : [])));
    const pkgnames = new Map(snapshot.packages.map((row) => [row[0], row[1]]));
    const names = (rows: readonly (readonly [number, ...unknown[]])[]): Set<unknown> => new Set(rows.map((row) => pkgnames.get(row[0])));
    assert.deepEqual(names(update.statuses), changed);
    assert.ok(first.data.length < JSON.stringify(snapshot).length / 3, 'much smaller than the snapshot');

    // The page was away for a while; the browser reconnects naming the last id it got.
    feed(RUN_START + 600);
    const [again] = await stream(url, '/api/events', 1, { 'last-event-id': first.id });
    const caught = JSON.parse(again!.data) as WireUpdate;
    assert.equal(caught.from, update.to);
    const missed = new Set(events.filter((e) => eventTime(e) > RUN_START + 320 && eventTime(e) <= RUN_START + 600)
      .flatMap((e) => (e.type === 'status' ? [e.change.pkgname] : [])));
    assert.deepEqual(names(caught.statuses), missed);
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
