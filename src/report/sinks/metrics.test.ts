import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

import { RUN_START, sampleRunUntil } from '../../../test/support/sample-run.js';
import type { HostLoadRecord } from '../../store/host-load-record.js';
import { hostLoadEvents } from '../view/host-loads.js';
import { metricsText } from './metrics.js';
import { RunViewState } from '../view/run-view-state.js';

/** Prometheus' own parser (`promtool check metrics`, Debian's prometheus package): it exits non-zero on a text it cannot read, or one that breaks its naming rules. */
function promtool(text: string): void {
  execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
}

/** The value of one sample line, by its name and labels as written. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

void test('/metrics is Prometheus text that promtool reads: packages, jobs, failures by phase and class, hosts, logs', () => {
  const state = new RunViewState();
  const events = sampleRunUntil(RUN_START + 700);
  for (const e of events) state.emit(e);
  const text = metricsText(state, RUN_START + 700);
  promtool(text);
  const view = state.view(RUN_START + 700, { tables: false });
  assert.equal(sample(text, 'kiln_jobs_running'), view.running.length);
  assert.ok(view.running.length > 0);
  assert.equal(sample(text, 'kiln_packages{status="done"}'), view.counts.byStatus.done);
  assert.equal(sample(text, 'kiln_jobs_queued'), view.counts.queued);
  const failed = state.packages.filter((p) => p.status === 'failed');
  assert.ok(failed.length > 0);
  const first = failed[0]!;
  assert.equal(sample(text, `kiln_failures{phase="${first.phase}",error="${first.error}"}`),
    failed.filter((p) => p.phase === first.phase && p.error === first.error).length);
  for (const h of view.hosts) {
    assert.equal(sample(text, `kiln_host_state{host="${h.name}",state="${h.state}"}`), 1);
    assert.equal(sample(text, `kiln_host_slots{host="${h.name}"}`), h.slots);
  }
  assert.ok(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).every((l) => l.startsWith('kiln_')), 'every name is kiln_');
});

void test('/metrics gives each host one state of up, down, draining and quarantined, and its free slots: none where it takes no job', () => {
  const state = new RunViewState();
  for (const [host, hostState] of [['a', 'up'], ['b', 'quarantined'], ['c', 'draining'], ['d', 'down']] as const) {
    state.emit({ type: 'host', at: RUN_START, host, state: hostState, slots: 3 });
  }
  const text = metricsText(state, RUN_START + 1);
  promtool(text);
  for (const [host, hostState, free] of [['a', 'up', 3], ['b', 'quarantined', 0], ['c', 'draining', 0], ['d', 'down', 0]] as const) {
    const states = ['up', 'down', 'draining', 'quarantined'].map((s) => [s, sample(text, `kiln_host_state{host="${host}",state="${s}"}`)]);
    assert.deepEqual(states.filter(([, v]) => v === 1), [[hostState, 1]], `${host}: ${JSON.stringify(states)}`);
    assert.ok(states.every(([, v]) => v === 0 || v === 1), `${host}: a series for every state`);
    assert.equal(sample(text, `kiln_host_free_slots{host="${host}"}`), free, host);
  }
});

void test('label values are escaped: a hostile host name or error class cannot break the text', () => {
  const state = new RunViewState();
  state.emit({ type: 'host', at: RUN_START, host: 'evil"host\\x\nkiln_fake 1', state: 'up', slots: 2 });
  const text = metricsText(state, RUN_START);
  promtool(text);
  assert.ok(!text.split('\n').some((l) => l.startsWith('kiln_fake')), text);
});

void test("/metrics gives each host's load, available memory and swap as it last measured them, read from the build's kept record as kiln serve reads it", () => {
  const state = new RunViewState();
  state.emit({ type: 'run-started', at: RUN_START, run: '7', tree: '/t', logdir: '/l', packages: '/p', resumed: false });
  for (const [host, hostState] of [['a', 'up'], ['b', 'up'], ['gone', 'down']] as const) state.emit({ type: 'host', at: RUN_START, host, state: hostState, slots: 2 });
  const load = (loadPerCore: number, memoryFreeMiB: number, swapUsed: number) => ({ loadPerCore, memoryFreeMiB, swapUsed });
  const record: HostLoadRecord = {
    run: 7,
    hosts: { a: { at: RUN_START + 5, load: load(0.75, 2048, 0) }, b: { at: RUN_START + 5, load: load(2.5, 100, 0.25) }, gone: { at: RUN_START, load: load(1, 1, 0) } },
  };
  assert.deepEqual(hostLoadEvents(record, '6', () => undefined), [], "another run's loads are not this run's");
  for (const event of hostLoadEvents(record, '7', (host) => state.hosts.get(host)?.load)) state.emit(event);
  assert.deepEqual(hostLoadEvents(record, '7', (host) => state.hosts.get(host)?.load), [], 'a load already shown is not told again');
  const text = metricsText(state, RUN_START + 6);
  promtool(text);
  assert.equal(sample(text, 'kiln_host_load_per_core{host="a"}'), 0.75);
  assert.equal(sample(text, 'kiln_host_load_per_core{host="b"}'), 2.5);
  assert.equal(sample(text, 'kiln_host_memory_available_bytes{host="b"}'), 100 * 1024 * 1024);
  assert.equal(sample(text, 'kiln_host_swap_used_ratio{host="b"}'), 0.25);
  assert.equal(sample(text, 'kiln_host_load_per_core{host="gone"}'), undefined, 'a host that is down has no current load');
  assert.equal(sample(text, 'kiln_host_free_slots{host="a"}'), 2);
});

void test('/metrics counts the fetch jobs: running, fetched and failed files, bytes and seconds', () => {
  const state = new RunViewState();
  const ports = ['a-1.0'];
  state.emit({ type: 'fetch-started', at: RUN_START, name: 'a.tar.gz', site: 's:80', size: 1000, part: '/nonexistent/a.tar.gz.kiln-part', ports });
  state.emit({ type: 'fetch-started', at: RUN_START, name: 'b.tar.gz', site: 's:80', size: 50, part: '/nonexistent/b.tar.gz.kiln-part', ports });
  state.emit({ type: 'fetch-progress', at: RUN_START + 1, name: 'a.tar.gz', bytes: 300 });
  state.emit({ type: 'fetch-ended', at: RUN_START + 2, name: 'b.tar.gz', site: 's:80', bytes: 50, seconds: 2, ok: true, ports });
  const text = metricsText(state, RUN_START + 2);
  promtool(text);
  assert.equal(sample(text, 'kiln_fetches_running'), 1);
  assert.equal(sample(text, 'kiln_fetched_files{result="fetched"}'), 1);
  assert.equal(sample(text, 'kiln_fetched_files{result="failed"}'), 0);
  assert.equal(sample(text, 'kiln_fetched_bytes'), 350);
  assert.equal(sample(text, 'kiln_fetch_seconds'), 2);
});
