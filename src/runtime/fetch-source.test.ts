// Fetches begin when the scan finds a port that will surely be built, before
// it is planned; its result (and a failure's log) reaches the run only once
// the plan wants the port. A loopback server (127.0.0.1) serves the files.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import type { EngineEvent } from '../core/engine/engine-events.js';
import type { PlanEntry } from '../core/engine/engine-plan.js';
import { parseIndex } from '../core/formats/pbulk-index.js';
import type { ResolvedPackage } from '../core/resolve/resolve.js';
import { DistfileServer } from '../../test/support/distfile-server.js';
import { portfileLister } from './distfile-lister.js';
import { FetchSource } from './fetch-source.js';

const server = new DistfileServer();
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kiln-fetch-source-'));
  await server.start();
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A port `cat/<name>` whose block names `<name>.dat` on the server; `served`: whether the server has it. */
function port(tree: string, name: string, served: boolean): ResolvedPackage {
  const body = Buffer.from(`${name} distfile\n`);
  mkdirSync(join(tree, 'cat', name), { recursive: true });
  writeFileSync(join(tree, 'cat', name, 'distinfo'), `SHA512 (${name}.dat) = ${createHash('sha512').update(body).digest('hex')}\nSize (${name}.dat) = ${body.length} bytes\n`);
  if (served) server.set('s', `${name}.dat`, { kind: 'serve', body });
  const entry = parseIndex(`PKGNAME=${name}-1.0\nPKG_LOCATION=cat/${name}\nALL_DEPENDS=\nDISTFILES=${name}.dat\nMASTER_SITES=${server.url('s')}\n`).entries[0]!;
  return { entry, pkgname: `${name}-1.0`, pkgpath: `cat/${name}`, depends: [], runDepends: undefined, prefailed: undefined, cause: undefined, unresolved: [] } as unknown as ResolvedPackage;
}

const planned = (p: ResolvedPackage): PlanEntry => ({
  pkgname: p.pkgname, pkgpath: p.pkgpath, deps: [], initial: { status: 'open' }, makeJobsSafe: true, fetch: true,
  estimate: { wallS: 1, cpuS: 1, buildWallS: 1, buildCpuS: 1, makeJobs: 1, source: 'estimate' },
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), 'in time');
}

void test('a scanned port is fetched for before it is planned; the run hears of it (and a failure gets its log) only once planned; a packaged one waits for the plan', async () => {
  const tree = join(dir, 'tree');
  const logdir = join(dir, 'logs');
  mkdirSync(logdir, { recursive: true });
  const good = port(tree, 'good', true);
  const gone = port(tree, 'gone', false);
  const old = port(tree, 'old', true);
  const events: EngineEvent[] = [];
  const source = new FetchSource({ distdir: join(dir, 'distfiles'), override: [], limits: { jobs: 4, perSite: 4 } }, portfileLister(tree, []), logdir, () => 0,
    () => ({ ready: true, priority: 1 }), new AbortController().signal, () => undefined);
  source.start((event) => events.push(event));
  for (const p of [good, gone, old]) source.scanned(p.pkgpath, [p.entry], (pkgname) => pkgname === 'old-1.0');

  await until(() => existsSync(join(dir, 'distfiles', 'good.dat')) && server.requests.some((r) => r.name === 'gone.dat'));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(events.length, 0, 'nothing reaches the run before the plan');
  assert.ok(!existsSync(join(logdir, 'packages', 'gone-1.0.log')), 'no failure log for a port not planned');
  assert.ok(!server.requests.some((r) => r.name === 'old.dat'), 'a port whose package is there may be current: not fetched before the plan');

  const packages = new Map([good, gone, old].map((p) => [p.pkgname, p]));
  source.want([good, gone, old].map(planned), packages);
  await until(() => events.length === 3);
  assert.deepEqual(events.map((e) => `${e.type} ${'pkgname' in e ? e.pkgname : ''}`).sort(), ['distfiles-ready good-1.0', 'distfiles-ready old-1.0', 'fetch-failed gone-1.0']);
  assert.ok(existsSync(join(logdir, 'packages', 'gone-1.0.log')), 'the failure is logged once planned');
  assert.equal(server.requests.filter((r) => r.name === 'good.dat').length, 1, 'fetched once, not again when planned');
});

void test('when a build ends, a port it made ready gets the fetch job kept for ready ports at once, not when a slow fetch ends', async () => {
  const tree = join(dir, 'tree-ready');
  const logdir = join(dir, 'logs-ready');
  mkdirSync(logdir, { recursive: true });
  const slow = ['slow1', 'slow2'].map((name) => port(tree, name, true));
  // About 20 bytes a second: each slow file takes most of a second.
  for (const p of slow) server.set('s', `${p.entry.pkgname.replace(/-1\.0$/, '')}.dat`, { kind: 'slow', body: Buffer.from(`${p.pkgpath.slice(4)} distfile\n`), bytesPerS: 1 });
  const next = port(tree, 'next', true);
  const ready = new Set<string>();
  const events: EngineEvent[] = [];
  // Three jobs: two fetch ahead, one is kept for ready ports; `next` is worth less until it is ready.
  const source = new FetchSource({ distdir: join(dir, 'distfiles-ready'), override: [], limits: { jobs: 3, perSite: 3 } }, portfileLister(tree, []), logdir, () => 0,
    (pkgname) => ({ ready: ready.has(pkgname), priority: pkgname === 'next-1.0' ? 1 : 100 }), new AbortController().signal, () => undefined);
  source.start((event) => events.push(event));
  const all = [...slow, next];
  source.want(all.map(planned), new Map(all.map((p) => [p.pkgname, p])));
  await until(() => server.requests.filter((r) => r.name.startsWith('slow')).length === 2);
  assert.ok(!server.requests.some((r) => r.name === 'next.dat'), 'not fetched ahead of the more urgent ones');
  ready.add('next-1.0');
  source.ended();
  await until(() => events.length > 0);
  assert.deepEqual(events.map((e) => `${e.type} ${'pkgname' in e ? e.pkgname : ''}`), ['distfiles-ready next-1.0'], 'the ready port first, the slow ones still coming');
  await until(() => events.length === 3);
});
