// The scan pool over hosts written here in memory: ports go to hosts with
// free slots, a lost host gets no more, and an answer that is no answer (a
// broken index, `elsewhere`) is scanned again on the coordinator, unless
// the build is for another architecture: then nothing is scanned here.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { PkgPath } from '../core/model.js';
import type { ScanResult, TreeDriver } from './driver.js';
import type { ScanInputs } from './scan-cache.js';
import { ScanPool, type HostScan, type ScanHost } from './scan-pool.js';

const block = (pkgpath: string, where: string): string => `PKGNAME=${pkgpath.split('/')[1]}-1.0\nPKG_LOCATION=${pkgpath}\nCOMMENT=${where}\n`;

class LocalTree implements TreeDriver, ScanInputs {
  readonly kind = 'portfile' as const;
  readonly root = '/tree';
  readonly fingerprint = 'f';
  readonly scanned: string[] = [];
  listPorts(): Promise<PkgPath[]> {
    return Promise.resolve(['a/one', 'a/two']);
  }
  scanPort(pkgpath: PkgPath): Promise<ScanResult> {
    this.scanned.push(pkgpath);
    return Promise.resolve({ kind: 'scanned', pkgpath, index: block(pkgpath, 'here'), seconds: 0 });
  }
  inputs(): Promise<string[]> {
    return Promise.resolve([]);
  }
}

/** A host whose answers the test sets per port; it holds each scan until `release`. */
class HandHost implements ScanHost {
  readonly asked: string[] = [];
  private readonly held: Array<() => void> = [];
  constructor(readonly name: string, readonly slots: number, private readonly answer: (pkgpath: string) => HostScan) {}
  scanPort(pkgpath: PkgPath): Promise<HostScan> {
    this.asked.push(pkgpath);
    return new Promise((resolve) => this.held.push(() => resolve(this.answer(pkgpath))));
  }
  release(): void {
    for (const go of this.held.splice(0)) go();
  }
}

const signal = new AbortController().signal;
const scanned = (pkgpath: string, where: string): HostScan => ({ kind: 'scanned', pkgpath, index: block(pkgpath, where), seconds: 0 });

test('ports go to the host with the most free slots; the pool has the slots of all', async () => {
  const local = new LocalTree();
  const h1 = new HandHost('h1', 2, (p) => scanned(p, 'h1'));
  const h2 = new HandHost('h2', 1, (p) => scanned(p, 'h2'));
  const pool = new ScanPool(local, 1, [h1, h2]);
  assert.equal(pool.slots, 4);
  const running = ['a/p1', 'a/p2', 'a/p3', 'a/p4'].map((p) => pool.scanPort(p, signal));
  h1.release();
  h2.release();
  const results = await Promise.all(running);
  assert.deepEqual(h1.asked, ['a/p1', 'a/p3']);
  assert.deepEqual(h2.asked, ['a/p2']);
  assert.deepEqual(local.scanned, ['a/p4'], 'here when the remote slots are full');
  assert.deepEqual(results.map((r) => (r.kind === 'scanned' ? /COMMENT=(\w+)/.exec(r.index)?.[1] : r.kind)), ['h1', 'h2', 'h1', 'here']);
  assert.deepEqual([...pool.scannedBy()], [['localhost', 1], ['h1', 2], ['h2', 1]]);
});

test('a lost host gets no more ports: its port and the rest are scanned here', async () => {
  const local = new LocalTree();
  const lost: string[] = [];
  const gone = new HandHost('gone', 4, () => ({ kind: 'elsewhere', reason: 'host gone lost: Timeout', lost: true }));
  const pool = new ScanPool(local, 0, [gone], { lost: (host, reason) => lost.push(`${host}: ${reason}`) });
  const first = pool.scanPort('a/one', signal);
  gone.release();
  assert.equal((await first).kind, 'scanned');
  assert.equal((await pool.scanPort('a/two', signal)).kind, 'scanned');
  assert.deepEqual(gone.asked, ['a/one']);
  assert.deepEqual(local.scanned, ['a/one', 'a/two']);
  assert.deepEqual(lost, ['gone: host gone lost: Timeout']);
});

test('a broken index from a host, or an answer to scan elsewhere, is scanned again here', async () => {
  const local = new LocalTree();
  const odd = new HandHost('odd', 2, (p) => (p === 'a/broken'
    ? { kind: 'scanned', pkgpath: p, index: `${block(p, 'odd')}KILN_SCAN_ERROR="Portfile: line 1: no such file"\n`, seconds: 0 }
    : { kind: 'elsewhere', reason: 'it sources ../other/x.sh, which the host was not given', lost: false }));
  const pool = new ScanPool(local, 1, [odd]);
  const both = [pool.scanPort('a/broken', signal), pool.scanPort('a/borrower', signal)];
  odd.release();
  for (const r of await Promise.all(both)) assert.match(r.kind === 'scanned' ? r.index : '', /COMMENT=here/);
  assert.deepEqual(local.scanned, ['a/broken', 'a/borrower']);
  assert.equal(pool.scannedBy().get('odd'), 0);
  const third = pool.scanPort('a/three', signal);
  odd.release();
  assert.equal((await third).kind, 'scanned');
  assert.equal(odd.asked.length, 3, 'a host that answered elsewhere is still asked');
});

test('for another architecture nothing is scanned here: a lost host\'s ports go to the others, and a host\'s verdict stands', async () => {
  const local = new LocalTree();
  const gone = new HandHost('gone', 1, () => ({ kind: 'elsewhere', reason: 'Timeout', lost: true }));
  const arm = new HandHost('arm', 1, (p) => (p === 'a/broken'
    ? { kind: 'scanned', pkgpath: p, index: `${block(p, 'arm')}KILN_SCAN_ERROR="no"\n`, seconds: 0 }
    : p === 'a/borrower' ? { kind: 'elsewhere', reason: 'it sources ../x.sh, which the host was not given', lost: false } : scanned(p, 'arm')));
  const why = 'the build is for aarch64 and this machine is x86_64: ports are scanned on hosts of aarch64 only';
  const pool = new ScanPool(local, 4, [gone, arm], {}, why);
  assert.equal(pool.slots, 2, 'no slot here');
  let settled = false;
  const all = Promise.all(['a/one', 'a/two', 'a/broken', 'a/borrower'].map((p) => pool.scanPort(p, signal))).finally(() => { settled = true; });
  // The hosts answer what they hold until every port has its result (a lost host's ports come to arm later).
  for (let i = 0; i < 100 && !settled; i++) {
    gone.release();
    arm.release();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const results = await all;
  assert.deepEqual(local.scanned, [], 'nothing here');
  assert.equal(pool.remoteSlots, 1, 'the lost host no more');
  assert.deepEqual(results.map((r) => (r.kind === 'scanned' ? /COMMENT=(\w+)/.exec(r.index)?.[1] : r.error)),
    ['arm', 'arm', 'arm', 'it sources ../x.sh, which the host was not given']);
  const alone = new ScanPool(local, 4, [gone], {}, why);
  const three = alone.scanPort('a/three', signal);
  gone.release();
  assert.deepEqual(await three, { kind: 'error', pkgpath: 'a/three', error: `no host is left to scan it (${why})`, seconds: 0 });
});
