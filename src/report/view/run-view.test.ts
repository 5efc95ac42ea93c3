import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { Status } from '../../core/model.js';
import type { RunEvent } from '../../core/run-events.js';
import { HOST_LOST_AT, HOSTILE_PKGNAME, RUN_START, sampleRun, sampleRunUntil } from '../../../test/support/sample-run.js';
import { estimateRemaining } from './run-view-eta.js';
import { PackageGraph } from './run-view-graph.js';
import { RunViewState } from './run-view-state.js';
import type { RunView } from './run-view.js';

function fold(events: readonly RunEvent[], now: number): RunView {
  const state = new RunViewState();
  for (const e of events) state.emit(e);
  return state.view(now);
}

void describe('run view of a finished run', () => {
  const events = sampleRun();
  const end = events.at(-1)!;
  const view = fold(events, end.type === 'status' ? end.change.at : end.at + 1000);

  void test('counts every status, and the run is complete at its finish time', () => {
    assert.equal(view.result, 'complete');
    assert.equal(view.now, view.finishedAt);
    assert.equal(view.counts.total, 38);
    assert.deepEqual(view.counts.byStatus, {
      open: 0, building: 0, done: 23, failed: 5, prefailed: 2, 'indirect-failed': 4, 'indirect-prefailed': 2, 'up-to-date': 2,
    });
    assert.equal(view.counts.queued, 0);
    assert.equal(view.running.length, 0);
    assert.equal(view.eta, undefined);
  });

  void test('breaks counts how many packages name a root cause, most breaking first', () => {
    const breaks = Object.fromEntries(view.failures.map((f) => [f.pkgname, f.breaks]));
    assert.deepEqual(breaks, {
      'icu-75.1': 3, 'pixman-0.43.4': 3, 'rust-1.79.0': 2, 'hostile-reason-1.0': 0, 'lockf-1': 0, 'mutt-2.2.13': 0, [HOSTILE_PKGNAME]: 0,
    });
    assert.deepEqual(view.failures.slice(0, 2).map((f) => f.pkgname), ['icu-75.1', 'pixman-0.43.4']);
    const firefox = view.indirect.find((r) => r.pkgname === 'firefox-127.0')!;
    assert.deepEqual([...firefox.blockedBy].sort(), ['pixman-0.43.4', 'rust-1.79.0']);
    const icu = view.failures.find((f) => f.pkgname === 'icu-75.1')!;
    assert.equal(icu.phase, 'build');
    assert.equal(icu.error, 'compiler error');
    assert.equal(icu.log, 'packages/icu-75.1.log');
    assert.equal(icu.maintainer, 'adam@NetBSD.org');
    const rust = view.failures.find((f) => f.pkgname === 'rust-1.79.0')!;
    assert.equal(rust.status, 'prefailed');
    assert.match(rust.reason ?? '', /no bootstrap kit/);
  });

  void test('the timeline holds every job, the lost ones too, and no two jobs share a slot at once', () => {
    const lost = view.timeline.filter((b) => b.outcome === 'lost');
    assert.deepEqual(lost.map((b) => [b.pkgname, b.host, b.end]).sort(), [
      ['git-base-2.45.2', 'builder2', HOST_LOST_AT], ['python311-3.11.9', 'builder2', HOST_LOST_AT],
    ]);
    const python = view.timeline.filter((b) => b.pkgname === 'python311-3.11.9');
    assert.deepEqual(python.map((b) => [b.host, b.outcome]), [['builder2', 'lost'], ['localhost', 'built']]);
    assert.equal(view.timeline.filter((b) => b.outcome === 'failed').length, 5);
    const bySlot = new Map<string, { start: number; end: number }[]>();
    for (const bar of view.timeline) {
      assert.ok(bar.end >= bar.start);
      const key = `${bar.host}:${bar.slot}`;
      for (const other of bySlot.get(key) ?? []) assert.ok(bar.start >= other.end || bar.end <= other.start, `${key} overlaps`);
      bySlot.set(key, [...(bySlot.get(key) ?? []), bar]);
    }
  });

  void test('utilisation: busy never above the slots, and the slots drop when a host is lost', () => {
    for (const point of view.utilisation) assert.ok(point.busy <= point.slots);
    const before = view.utilisation.filter((p) => p.at < HOST_LOST_AT).at(-1)!;
    const after = view.utilisation.find((p) => p.at >= HOST_LOST_AT)!;
    assert.equal(before.slots, 4);
    assert.equal(after.slots, 2);
    assert.deepEqual(view.hosts.map((h) => [h.name, h.state]), [['localhost', 'up'], ['builder2', 'down']]);
  });
});

void describe('run view while the run goes on', () => {
  void test('scan progress before the packages are known', () => {
    const view = fold(sampleRunUntil(RUN_START + 10), RUN_START + 10);
    assert.equal(view.resolved, false);
    assert.deepEqual(view.scan, { scanned: 19, total: 38, cached: 6, errors: 0 });
    assert.equal(view.result, 'running');
  });

  void test('running jobs with host, slot, phase, elapsed and log growth; queued counts only ready packages', () => {
    const at = RUN_START + 200;
    const events = sampleRunUntil(at);
    const view = fold(events, at + 5);
    assert.equal(view.running.length, 4);
    for (const job of view.running) {
      assert.ok(job.elapsedS > 0);
      assert.ok(job.phase !== 'start', `${job.pkgname} has a phase`);
      assert.ok(job.logPercent !== undefined && job.logPercent >= 0 && job.logPercent <= 100);
      assert.equal(job.stuck, false);
    }
    assert.deepEqual(view.running.map((j) => `${j.host}:${j.slot}`), ['builder2:0', 'builder2:1', 'localhost:0', 'localhost:1']);
    // Every queued package has all its dependencies built; every waiting one does not.
    const status = new Map(view.packages.map((p) => [p.pkgname, p.status]));
    const entries = events.flatMap((e) => (e.type === 'resolved' ? e.entries : []));
    const ready = entries.filter((p) => status.get(p.pkgname) === 'open' && p.depends.every((d) => ['done', 'up-to-date'].includes(status.get(d) ?? '')));
    assert.equal(view.counts.queued, ready.length);
    assert.equal(view.counts.queued, 4);
    assert.equal(view.counts.waiting, view.counts.byStatus.open - ready.length);
    assert.ok(view.eta !== undefined && view.eta.remainingS > 0 && view.eta.at > at);
  });

  void test('a job whose log stops growing shows as stuck, with how long', () => {
    const events = sampleRun();
    const mutt = events.find((e) => e.type === 'job-started' && e.job.pkgname === 'mutt-2.2.13');
    assert.ok(mutt?.type === 'job-started');
    const at = mutt.at + 75 + 300;
    const view = fold(events.filter((e) => (e.type === 'status' ? e.change.at : e.at) <= at), at + 4);
    const job = view.running.find((j) => j.pkgname === 'mutt-2.2.13')!;
    assert.equal(job.stuck, true);
    assert.equal(job.idleS, 304);
    assert.equal(job.logPercent, 100);
  });
});

void describe('ETA', () => {
  /** Packages as `name: [expected seconds, ...dependencies]`, all open unless `status` says. */
  function eta(packages: Record<string, [number, ...string[]]>, hosts: { slots: number; speed: number }[],
    status: Record<string, Status> = {}, running: { pkgname: string; leftS: number; speed: number }[] = []): number | undefined {
    const names = Object.keys(packages);
    const graph = new PackageGraph(names.map((pkgname, index) => ({ index, pkgname, depends: packages[pkgname]!.slice(1) as string[] })));
    return estimateRemaining({
      graph, statuses: names.map((name) => status[name] ?? 'open'), expected: names.map((name) => packages[name]![0]), hosts,
      running: running.map((r) => ({ pkg: names.indexOf(r.pkgname), leftS: r.leftS, speed: r.speed })),
    });
  }
  const one = [{ slots: 4, speed: 1 }];

  void test('a chain takes its length, whatever the slots', () => {
    assert.equal(eta({ a: [10], b: [20, 'a'], c: [30, 'b'] }, one), 60);
  });

  void test('independent work spreads over the slots', () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, [100] as [number]]));
    assert.equal(eta(ten, [{ slots: 2, speed: 1 }]), 500);
  });

  void test('speed factors: a host twice as fast does twice the work, and builds the chain in half the time', () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, [100] as [number]]));
    assert.equal(eta(ten, [{ slots: 2, speed: 2 }]), 250);
    assert.equal(eta(ten, [{ slots: 1, speed: 1 }, { slots: 1, speed: 3 }]), 250);
    assert.equal(eta({ a: [10], b: [20, 'a'], c: [30, 'b'] }, [{ slots: 4, speed: 1 }, { slots: 1, speed: 2 }]), 30);
  });

  void test('a running job counts with what it has left on its own host; built packages count nothing', () => {
    const left = eta({ a: [100], b: [40, 'a'], c: [5] }, [{ slots: 4, speed: 2 }], { a: 'building', c: 'done' }, [{ pkgname: 'a', leftS: 30, speed: 2 }]);
    assert.equal(left, 50);
  });

  void test('no slot up and nothing running: unknown; nothing left: zero', () => {
    assert.equal(eta({ a: [10] }, []), undefined);
    assert.equal(eta({ a: [10] }, one, { a: 'failed' }), 0);
  });
});

void describe('a stream without run-started or resolved (what the coordinator may send first)', () => {
  void test('statuses alone mark the run resolved, logs are made relative to the known run directory', () => {
    const state = new RunViewState({ logdir: '/var/kiln/logs' });
    const job = { id: 1, pkgname: 'a-1', pkgpath: 'cat/a', host: 'localhost', slot: 0, makeJobs: 1, attempt: 1, startedAt: 10 };
    state.emit({ type: 'status', change: { type: 'status', at: 10, pkgname: 'a-1', status: 'building', job: 1 } });
    state.emit({ type: 'job-started', at: 10, job, expectedS: 5, lastLogBytes: undefined });
    state.emit({ type: 'job-ended', at: 20, job, outcome: { kind: 'failed', phase: 'build', error: 'compiler error', phases: [] }, durationS: 10, log: '/var/kiln/logs/packages/a-1.log' });
    state.emit({ type: 'status', change: { type: 'status', at: 20, pkgname: 'a-1', status: 'failed', phase: 'build', error: 'compiler error', job: 1 } });
    const view = state.view(30);
    assert.equal(view.resolved, true);
    assert.equal(view.failures[0]?.log, 'packages/a-1.log');
    assert.equal(view.failures[0]?.pkgpath, 'cat/a');
  });

  void test('a log that answers in batches is read whole by one poll', async () => {
    const { EventLogFollower } = await import('../sinks/event-log.js');
    const events = sampleRun();
    const batched = { read: (after: number) => events.slice(after, after + 100).map((event, i) => ({ seq: after + i + 1, event })) };
    const state = new RunViewState();
    assert.equal(new EventLogFollower(batched, state).poll(), events.length);
    assert.equal(state.finished, true);
  });
});
