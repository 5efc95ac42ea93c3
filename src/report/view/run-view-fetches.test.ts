import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import type { RunEvent } from '../../core/run-events.js';
import { measuredNow } from '../sinks/live-logs.js';
import { reportJson } from '../sinks/report-json.js';
import { RunViewState } from './run-view-state.js';
import { terminalLines } from '../sinks/terminal-lines.js';

const T = 1_795_000_000;
const info = (pkgname: string) => ({ pkgname, pkgpath: `fetch/${pkgname.replace(/-.*/, '')}`, maintainer: '', comment: '', categories: '', depends: [], expectedS: 1 });

void test('a running fetch shows its file, site, bytes so far as its part file grows, and rate; when it ends, the package and the run count its bytes and seconds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-fetch-view-'));
  try {
    const part = join(dir, 'big.tar.gz.kiln-part');
    const state = new RunViewState();
    state.emit({ type: 'run-started', at: T, run: '1', tree: '/t', logdir: '/l', packages: '/p', resumed: false });
    state.emit({ type: 'resolved', at: T, packages: 3, prefailed: 0, upToDate: 0, entries: [info('a-1.0'), info('b-1.0'), info('c-1.0')] });
    state.emit({ type: 'fetch-started', at: T + 1, name: 'big.tar.gz', site: '127.0.0.1:8000', size: 4096, part, ports: ['a-1.0', 'b-1.0'] });
    // Nothing there yet: nothing measured.
    assert.deepEqual(measuredNow(state, T + 2).filter((e) => e.type === 'fetch-progress'), []);
    writeFileSync(part, Buffer.alloc(1024));
    for (const e of measuredNow(state, T + 3)) state.emit(e);
    let view = state.view(T + 3);
    assert.deepEqual(view.fetches.running.map((f) => [f.name, f.site, f.bytes, f.size, f.rate]), [['big.tar.gz', '127.0.0.1:8000', 1024, 4096, 512]]);
    const line = terminalLines(view, { width: 200, color: false }).find((l) => l.startsWith('fetch '));
    assert.match(line ?? '', /^fetch big\.tar\.gz 127\.0\.0\.1:8000 1(\.0)? KiB\/4(\.0)? KiB 512 B\/s/);
    writeFileSync(part, Buffer.alloc(3000));
    for (const e of measuredNow(state, T + 4)) state.emit(e);
    assert.equal(state.view(T + 4).fetches.running[0]!.bytes, 3000, 'the bytes grow as the file does');

    state.emit({ type: 'fetch-ended', at: T + 5, name: 'big.tar.gz', site: '127.0.0.1:8000', bytes: 4096, seconds: 4, ok: true, ports: ['a-1.0', 'b-1.0'] });
    state.emit({ type: 'fetch-ended', at: T + 6, name: 'gone.tar.gz', site: '127.0.0.1:8000', bytes: 0, seconds: 0.5, ok: false, ports: ['c-1.0'] });
    for (const [pkgname, phase] of [['a-1.0', 'done'], ['b-1.0', 'done'], ['c-1.0', 'failed']] as const) {
      state.emit({ type: 'status', change: { type: 'status', at: T + 7, pkgname, status: phase, ...(phase === 'failed' && { phase: 'fetch', error: 'fetch' }) } });
    }
    state.emit({ type: 'run-finished', at: T + 8, result: 'complete' });
    view = state.view(T + 8);
    assert.deepEqual(view.fetches.running, []);
    const report = reportJson(view);
    assert.deepEqual([report.summary.fetched, report.summary.fetch_failed, report.summary.fetched_bytes, report.summary.fetch_s], [1, 1, 4096, 4.5]);
    const byName = new Map(report.packages.map((p) => [p.pkgname, [p.fetch_s, p.fetch_bytes]]));
    assert.deepEqual(Object.fromEntries(byName), { 'a-1.0': [4, 4096], 'b-1.0': [4, 4096], 'c-1.0': [0.5, 0] });
    const lines = terminalLines(view, { width: 200, color: false });
    assert.ok(lines.some((l) => /^fetched 1 file, 4(\.0)? KiB in 5s \(1 failed\)$/.test(l)), lines.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a resumed run: the fetches its killed process had running are gone, those that ended count for packages resolved after them', () => {
  const state = new RunViewState();
  const events: RunEvent[] = [
    { type: 'run-started', at: T, run: '1', tree: '/t', logdir: '/l', packages: '/p', resumed: false },
    { type: 'fetch-ended', at: T + 1, name: 'a.tar.gz', site: 's', bytes: 10, seconds: 1, ok: true, ports: ['a-1.0'] },
    { type: 'fetch-started', at: T + 1, name: 'b.tar.gz', site: 's', size: 10, part: '/nonexistent/b.part', ports: ['b-1.0'] },
    { type: 'run-started', at: T + 9, run: '1', tree: '/t', logdir: '/l', packages: '/p', resumed: true },
    { type: 'resolved', at: T + 10, packages: 2, prefailed: 0, upToDate: 0, entries: [info('a-1.0'), info('b-1.0')] },
  ];
  for (const e of events) state.emit(e);
  const view = state.view(T + 10);
  assert.deepEqual(view.fetches.running, [], 'no ghost fetch');
  assert.deepEqual(view.packages.map((p) => [p.pkgname, p.fetchBytes]), [['a-1.0', 10], ['b-1.0', undefined]]);
});
