import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import type { PkgPath } from '../core/model.js';
import type { ScanResult, TreeDriver } from './driver.js';
import { formatBlock } from './index-block.js';
import { DirectoryScanCache } from './scan-cache-dir.js';
import type { ScanInputs } from './scan-cache.js';
import { type ScannedPort, scanPorts } from './scanner.js';

const block = (pkgpath: PkgPath, deps: string[] = []): string => formatBlock({
  pkgname: `${pkgpath.split('/')[1]!}-1.0`, pkgpath, allDepends: deps, skipReasons: [], failReasons: [], noBinOnFtp: '',
  restricted: '', categories: 'cat', maintainer: '', scanDepends: [], runDepends: deps, comment: '', homepage: '', license: '',
  makeJobsSafe: 'yes',
});

/** A tree in memory: each port's block, or an error; counts calls and concurrency; each scan waits until released. */
class MemoryDriver implements TreeDriver {
  readonly kind = 'portfile' as const;
  scans: PkgPath[] = [];
  running = 0;
  mostAtOnce = 0;
  constructor(readonly root: string, private readonly ports: Record<PkgPath, string | { error: string }>) {}
  listPorts(): Promise<PkgPath[]> {
    return Promise.resolve(Object.keys(this.ports).sort());
  }
  async scanPort(pkgpath: PkgPath): Promise<ScanResult> {
    this.scans.push(pkgpath);
    this.running++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    await new Promise((resolve) => setImmediate(resolve));
    this.running--;
    const port = this.ports[pkgpath];
    if (port === undefined) return { kind: 'scanned', pkgpath, index: block(pkgpath).replace('PKGNAME=', 'BAD LINE\nPKGNAME='), seconds: 0 };
    if (typeof port !== 'string') return { kind: 'error', pkgpath, error: port.error, seconds: 0 };
    return { kind: 'scanned', pkgpath, index: port, seconds: 0 };
  }
}

async function all(source: AsyncIterable<ScannedPort>): Promise<ScannedPort[]> {
  const out: ScannedPort[] = [];
  for await (const port of source) out.push(port);
  return out;
}

const signal = new AbortController().signal;

void test('scans the whole tree with at most N scans at once, counting progress', async () => {
  const ports: Record<PkgPath, string> = {};
  for (let i = 0; i < 20; i++) ports[`cat/p${i}`] = block(`cat/p${i}`);
  const driver = new MemoryDriver('/nowhere', ports);
  const results = await all(scanPorts(driver, { jobs: 3, signal }));
  assert.equal(results.length, 20);
  assert.equal(driver.mostAtOnce, 3);
  assert.deepEqual(results.map((r) => r.progress.scanned), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.ok(results.every((r) => r.progress.total === 20 && r.error === undefined && !r.cached));
});

void test('closure mode follows ALL_DEPENDS from the listed ports only, normalising directories', async () => {
  const driver = new MemoryDriver('/nowhere', {
    'cat/top': block('cat/top', ['mid>=1:../../cat/mid', 'lib-[0-9]*:../../lib/base', 'esc-1:../../../etc']),
    'cat/mid': block('cat/mid', ['lib>=1:../../lib/base', 'gone-1:../../cat/gone']),
    'lib/base': block('lib/base'),
    'cat/unrelated': block('cat/unrelated'),
    'cat/gone': { error: 'there is no directory cat/gone in the tree' },
  });
  const results = await all(scanPorts(driver, { jobs: 2, signal, pkgpaths: ['cat/top'] }));
  assert.deepEqual(results.map((r) => r.pkgpath).sort(), ['cat/gone', 'cat/mid', 'cat/top', 'lib/base']);
  assert.deepEqual([...driver.scans].sort(), ['cat/gone', 'cat/mid', 'cat/top', 'lib/base']);
  const gone = results.find((r) => r.pkgpath === 'cat/gone')!;
  assert.equal(gone.error, 'there is no directory cat/gone in the tree');
  assert.equal(gone.entries[0]?.pkgname, 'gone');
  assert.equal(results.at(-1)!.progress.errors, 1);
  assert.equal(results.at(-1)!.progress.total, 4);
});

void test('an index the parser rejects becomes an unscannable block rather than passing bad lines on', async () => {
  const driver = new MemoryDriver('/nowhere', {});
  const [result] = await all(scanPorts(driver, { jobs: 1, signal, pkgpaths: ['cat/odd'] }));
  assert.match(result!.error ?? '', /bad line 1/);
  assert.equal(result!.entries.length, 1);
});

void test('the cache answers while the inputs are unchanged, and misses after a change', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'kiln-scanner-'));
  try {
    await mkdir(path.join(root, 'cat/a'), { recursive: true });
    await writeFile(path.join(root, 'cat/a/Portfile'), 'one');
    const driver = new MemoryDriver(root, { 'cat/a': block('cat/a') });
    const scanner: ScanInputs = { fingerprint: 'test-1', inputs: (pkgpath) => Promise.resolve([pkgpath, `${pkgpath}/Portfile`]) };
    const cache = { store: new DirectoryScanCache(path.join(root, '.cache')), scanner };
    const run = async (): Promise<boolean> => (await all(scanPorts(driver, { jobs: 1, signal, cache })))[0]!.cached;
    assert.equal(await run(), false);
    assert.equal(await run(), true);
    await writeFile(path.join(root, 'cat/a/Portfile'), 'two');
    assert.equal(await run(), false);
    await writeFile(path.join(root, 'cat/a/new-file'), '');
    assert.equal(await run(), false);
    assert.equal(await run(), true);
    const other = { store: cache.store, scanner: { ...scanner, fingerprint: 'test-2' } };
    assert.equal((await all(scanPorts(driver, { jobs: 1, signal, cache: other })))[0]!.cached, false);
    await writeFile(path.join(root, '.cache/cat/a.json'), '{"not": "an entry"');
    assert.equal(await run(), false);
    assert.equal(driver.scans.length, 5);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

void test('a stopped scan ends with the abort reason', async () => {
  const controller = new AbortController();
  const ports: Record<PkgPath, string> = {};
  for (let i = 0; i < 10; i++) ports[`cat/p${i}`] = block(`cat/p${i}`);
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const port of scanPorts(new MemoryDriver('/nowhere', ports), { jobs: 2, signal: controller.signal })) {
      seen.push(port.pkgpath);
      controller.abort(new Error('stop asked'));
    }
  }, /stop asked/);
  assert.equal(seen.length, 1);
});
