import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { RunEvent } from '../../core/run-events.js';
import { eventTime, RUN_START, sampleRun } from '../../../test/support/sample-run.js';
import { encodeUpdate } from './page-delta.js';
import type { WireUpdate } from './page-wire.js';
import { RunViewState } from './run-view-state.js';

/** What a page keeps, applied as the page's script does: rows by index, the latest wins. */
interface Copy {
  rev: number;
  packages: Map<number, unknown[]>;
  bars: Map<number, unknown[]>;
  running: Map<number, unknown[]>;
  capacity: Map<number, unknown[]>;
  messages: Map<number, unknown[]>;
}

const blank = (): Copy => ({ rev: 0, packages: new Map(), bars: new Map(), running: new Map(), capacity: new Map(), messages: new Map() });

function apply(copy: Copy, json: string): WireUpdate {
  const u = JSON.parse(json) as WireUpdate;
  if (u.from === 0) Object.assign(copy, blank());
  assert.equal(u.from, u.from === 0 ? 0 : copy.rev, 'an update starts where the page is');
  copy.rev = u.to;
  for (const row of u.packages) copy.packages.set(row[0], [...(row.slice(4))]);
  for (const row of u.statuses) {
    assert.ok(copy.packages.has(row[0]), 'a status only for a package the page knows');
    copy.packages.set(row[0], [...row.slice(1)]);
  }
  for (const row of u.bars) copy.bars.set(row[0], [...row]);
  for (const row of u.running) copy.running.set(row[0], [...row]);
  for (const job of copy.running.keys()) if (!u.runningJobs.includes(job)) copy.running.delete(job);
  for (const row of u.capacity) copy.capacity.set(row[0], [...row]);
  for (const row of u.messages) copy.messages.set(row[0], [...row]);
  return u;
}

function fed(until: number, events = sampleRun()): RunViewState {
  const state = new RunViewState();
  for (const e of events) if (eventTime(e) <= until) state.emit(e);
  return state;
}

void describe('the page\'s updates', () => {
  const events = sampleRun();
  const end = eventTime(events.at(-1)!);

  void test('an update holds only what changed since the page\'s revision: the packages and bars of the events between', () => {
    const state = new RunViewState();
    const at = RUN_START + 240;
    for (const e of events) if (eventTime(e) <= at) state.emit(e);
    const from = state.rev;
    const later = events.filter((e) => eventTime(e) > at && eventTime(e) <= at + 120);
    for (const e of later) state.emit(e);
    const update = JSON.parse(encodeUpdate(state, { epoch: 'e', from, now: at + 120 }).json) as WireUpdate;
    const changed = new Set(later.flatMap((e) => (e.type === 'status' ? [e.change.pkgname] : e.type === 'job-started' || e.type === 'job-ended' ? [e.job.pkgname] : [])));
    assert.ok(changed.size > 0 && changed.size < 38);
    const names = update.statuses.map((row) => state.packages[row[0]]!.info.pkgname);
    assert.deepEqual(new Set(names), changed);
    assert.equal(update.packages.length, 0, 'no package the page already knows is sent whole');
    const jobs = new Set(later.flatMap((e) => (e.type === 'job-started' || e.type === 'job-ended' ? [e.job.id] : [])));
    assert.deepEqual(new Set(update.bars.map((row) => row[1])), jobs);
    assert.equal(update.from, from);
    assert.equal(update.to, state.rev);
    const snapshot = JSON.parse(encodeUpdate(state, { epoch: 'e', from: 0, now: at + 120 }).json) as WireUpdate;
    assert.equal(snapshot.packages.length, 38);
    assert.equal(snapshot.bars.length, state.bars.length);
  });

  void test('updates under a small budget, applied in turn at any pace, end as the snapshot does', () => {
    for (const budget of [600, 3000, undefined]) {
      const state = new RunViewState();
      const copy = blank();
      let next = 0;
      for (let t = RUN_START; t <= end + 1; t += 37) {
        while (next < events.length && eventTime(events[next]!) <= t) state.emit(events[next++]!);
        apply(copy, encodeUpdate(state, { epoch: 'e', from: copy.rev, now: t, ...(budget !== undefined && { budget }) }).json);
      }
      let rounds = 0;
      while (copy.rev < state.rev && rounds++ < 1000) apply(copy, encodeUpdate(state, { epoch: 'e', from: copy.rev, now: end, ...(budget !== undefined && { budget }) }).json);
      const whole = blank();
      apply(whole, encodeUpdate(state, { epoch: 'e', from: 0, now: end }).json);
      assert.deepEqual(copy, { ...whole, rev: copy.rev }, `budget ${budget ?? 'none'}`);
    }
  });

  void test('a burst bigger than the budget is sent in parts, each under it, saying how much is behind', () => {
    const state = fed(RUN_START + 30);
    const from = state.rev;
    const burst: RunEvent[] = Array.from({ length: 3000 }, (_, i) => ({
      type: 'status', change: { type: 'status', at: RUN_START + 31, pkgname: `dependent-${i}-1.0`, status: 'indirect-failed', blockedBy: ['perl-5.42.0'] },
    }));
    for (const e of burst) state.emit(e);
    const copy = blank();
    copy.rev = from;
    for (let i = 0; i < 38; i++) copy.packages.set(i, []);
    let parts = 0;
    while (copy.rev < state.rev) {
      const json = encodeUpdate(state, { epoch: 'e', from: copy.rev, now: RUN_START + 32, budget: 16 * 1024 }).json;
      assert.ok(Buffer.byteLength(json) <= 16 * 1024, `${Buffer.byteLength(json)} bytes`);
      const u = apply(copy, json);
      parts++;
      if (u.to < state.rev) assert.ok(u.behind > 0);
    }
    assert.ok(parts > 3, `${parts} parts`);
    assert.equal(copy.packages.size, 38 + 3000);
  });
});

void test('every update carries the running fetches with their bytes and what the run fetched, and each host its load, check and refusal', () => {
  const state = new RunViewState();
  state.emit({ type: 'host', at: RUN_START, host: 'a', state: 'up', slots: 2, checked: 'x86_64, linux 6.1, node 20.19.0, 2 cores, 4096 MiB' });
  state.emit({ type: 'host', at: RUN_START, host: 'b', state: 'down', slots: 1, reason: 'refused: node 18.19.1 is too old (kiln needs Node.js 20 or later)' });
  state.emit({ type: 'host-load', at: RUN_START, host: 'a', load: { loadPerCore: 0.5, swapUsed: 0, memoryFreeMiB: 512 } });
  state.emit({ type: 'fetch-started', at: RUN_START, name: 'x.tar.gz', site: 's:1', size: 100, part: '/nonexistent/x.part', ports: ['x-1.0'] });
  const first = JSON.parse(encodeUpdate(state, { epoch: 'e', from: 0, now: RUN_START + 1 }).json) as WireUpdate;
  state.emit({ type: 'fetch-progress', at: RUN_START + 2, name: 'x.tar.gz', bytes: 60 });
  const next = JSON.parse(encodeUpdate(state, { epoch: 'e', from: first.to, now: RUN_START + 2 }).json) as WireUpdate;
  assert.deepEqual(next.fetches.running.map((f) => [f.name, f.site, f.bytes, f.size, f.rate]), [['x.tar.gz', 's:1', 60, 100, 30]]);
  assert.equal(next.hosts[0]!.load?.loadPerCore, 0.5);
  assert.deepEqual(next.hosts.map((h) => [h.name, h.state, h.reason, h.checked]), [
    ['a', 'up', undefined, 'x86_64, linux 6.1, node 20.19.0, 2 cores, 4096 MiB'], ['b', 'down', 'refused: node 18.19.1 is too old (kiln needs Node.js 20 or later)', undefined]]);
  state.emit({ type: 'fetch-ended', at: RUN_START + 3, name: 'x.tar.gz', site: 's:1', bytes: 100, seconds: 3, ok: true, ports: ['x-1.0'] });
  const last = JSON.parse(encodeUpdate(state, { epoch: 'e', from: next.to, now: RUN_START + 3 }).json) as WireUpdate;
  assert.deepEqual([last.fetches.running.length, last.fetches.fetched, last.fetches.bytes], [0, 1, 100]);
});
