import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

import { RUN_START, sampleRunUntil } from '../../../test/support/sample-run.js';
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
