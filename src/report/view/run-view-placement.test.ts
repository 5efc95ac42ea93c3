// Hosts from a cluster manager (Slurm) seen like hosts: an allocation asked
// for and pending shows as such with the manager's reason, and where a host
// runs (its Slurm job and node) is shown by its name and kept in report.json
// for the packages built there.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { RunEvent } from '../../core/run-events.js';
import { HOST_LOST_AT, RUN_START, sampleRun } from '../../../test/support/sample-run.js';
import { reportJson } from '../sinks/report-json.js';
import { terminalLines } from '../sinks/terminal-lines.js';
import { encodeUpdate } from './page-delta.js';
import type { WireUpdate } from './page-wire.js';
import { RunViewState } from './run-view-state.js';

const WHERE = 'Slurm job 812 on node17';

function placed(): RunEvent[] {
  const events = sampleRun().map((e): RunEvent => (e.type === 'host' && e.host === 'builder2' && e.state === 'up' && e.at < HOST_LOST_AT ? { ...e, where: WHERE } : e));
  return [
    events[0]!,
    { type: 'host', at: RUN_START + 1, host: 'slurm-p-3', state: 'requested', slots: 4 },
    { type: 'host', at: RUN_START + 2, host: 'slurm-p-3', state: 'pending', reason: 'Resources', slots: 4 },
    ...events.slice(1),
  ];
}

function viewAt(events: readonly RunEvent[], now: number): RunViewState {
  const state = new RunViewState();
  for (const e of events) if (eventAt(e) <= now) state.emit(e);
  return state;
}

const eventAt = (e: RunEvent): number => (e.type === 'status' ? e.change.at : e.at);

void test('the hosts line shows a pending allocation with its reason and where a host runs; not where a lost host ran', () => {
  const events = placed();
  const hostsLine = (now: number): string => terminalLines(viewAt(events, now).view(now), { width: 400, color: false }).find((l) => l.startsWith('hosts: '))!;
  const early = hostsLine(HOST_LOST_AT - 1);
  assert.match(early, /slurm-p-3 pending 0\/4 \(Resources\)/);
  assert.match(early, /builder2 up \d\/2 \[Slurm job 812 on node17\]/);
  assert.doesNotMatch(hostsLine(HOST_LOST_AT + 1), /Slurm job 812/, 'a lost host is no longer there');
});

void test('report.json says where each package\'s host was placed, null on a host of its own', () => {
  const events = placed();
  const last = eventAt(events.at(-1)!);
  const report = reportJson(viewAt(events, last).view(last));
  const built = report.packages.filter((p) => p.host !== null);
  const onBuilder2 = built.filter((p) => p.host === 'builder2' && p.allocation !== null);
  assert.ok(onBuilder2.length > 0, 'some package was built on builder2 while Slurm had placed it');
  assert.ok(onBuilder2.every((p) => p.allocation === WHERE));
  assert.ok(built.filter((p) => p.host === 'localhost').every((p) => p.allocation === null));
});

void test('the live page is told where a host runs, as the terminal is', () => {
  const events = placed();
  const at = HOST_LOST_AT - 1;
  const update = JSON.parse(encodeUpdate(viewAt(events, at), { epoch: 'e', from: 0, now: at }).json) as WireUpdate;
  const builder2 = update.hosts.find((h) => h.name === 'builder2');
  assert.equal(builder2?.where, WHERE);
  assert.equal(typeof builder2?.speed, 'number');
});
