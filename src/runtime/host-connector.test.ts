// Hosts held on demand (Slurm allocations): one at the start, more while
// ready work finds no free slot, given back when idle with nothing waiting,
// a lost one asked for again only when work waits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectResult, Executor } from '../exec/executor.js';
import { type ConnectorHost, type Demand, HostConnector, type HostListener } from './host-connector.js';

class FakeHost implements Executor {
  connects = 0;
  closes = 0;
  readonly #lost: Array<(reason: string) => void> = [];
  constructor(readonly host: string, readonly onDemand: Executor['onDemand']) {}
  connect(): Promise<ConnectResult> {
    this.connects++;
    return Promise.resolve({ ok: true, info: { arch: 'x86_64', os: 'Linux', node: this.host, cores: 1, memoryMiB: 1024 } });
  }
  run(): never { throw new Error('no jobs here'); }
  onLost(listener: (reason: string) => void): void { this.#lost.push(listener); }
  lose(reason: string): void { for (const l of this.#lost) l(reason); }
  close(): Promise<void> { this.closes++; return Promise.resolve(); }
}

function setup(idleS = 0.05, limitS?: number, now?: () => number): { hosts: FakeHost[]; connector: HostConnector; said: string[] } {
  const hosts = [1, 2, 3].map((i) => new FakeHost(`slurm-p-${i}`, { idleS, limitS }));
  const said: string[] = [];
  const listener: HostListener = {
    up: (spec) => said.push(`up ${spec.name}${spec.until === undefined ? '' : ` until ${spec.until}`}`),
    down: (host, reason, retryS) => said.push(`down ${host} ${String(retryS)}`),
    givenBack: (host, reason) => said.push(`given back ${host}${limitS === undefined ? '' : `: ${reason}`}`),
    refused: (host, reason) => said.push(`refused ${host} ${reason}`),
    none: () => said.push('none'),
  };
  const connector = new HostConnector(hosts.map((executor) => ({ executor, spec: { name: executor.host, slots: 1, speed: 1, cores: 1 } })),
    new AbortController().signal, listener, now);
  return { hosts, connector, said };
}

const settle = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
const view = (up: readonly string[], running: Readonly<Record<string, number>> = {}): Demand['hosts'] =>
  ['slurm-p-1', 'slurm-p-2', 'slurm-p-3'].map((name) => ({ name, up: up.includes(name), slots: 1, running: running[name] ?? 0 }));

void test('one on-demand host is held at the start; more only for ready work that no free slot takes, never more than there are', async () => {
  const { hosts, connector, said } = setup();
  connector.start();
  await settle();
  assert.deepEqual(hosts.map((h) => h.connects), [1, 0, 0]);
  connector.demand({ ready: 1, hosts: view(['slurm-p-1']) }); // a free slot takes it
  await settle();
  assert.deepEqual(hosts.map((h) => h.connects), [1, 0, 0]);
  connector.demand({ ready: 1, hosts: view(['slurm-p-1'], { 'slurm-p-1': 1 }) });
  connector.demand({ ready: 1, hosts: view(['slurm-p-1'], { 'slurm-p-1': 1 }) }); // the one asked for is on its way: not asked twice
  await settle();
  assert.deepEqual(hosts.map((h) => h.connects), [1, 1, 0]);
  connector.demand({ ready: 9, hosts: view(['slurm-p-1', 'slurm-p-2'], { 'slurm-p-1': 1, 'slurm-p-2': 1 }) });
  await settle();
  assert.deepEqual(hosts.map((h) => h.connects), [1, 1, 1]);
  assert.deepEqual(said.filter((s) => s.startsWith('up')), ['up slurm-p-1', 'up slurm-p-2', 'up slurm-p-3']);
  connector.stop();
});

void test('an idle on-demand host is given back once nothing waits, and held again when work waits', async () => {
  const { hosts, connector, said } = setup(0.05);
  connector.start();
  await settle();
  connector.demand({ ready: 2, hosts: view(['slurm-p-1']) }); // idle, but work waits (another reason holds it): kept
  await settle(120);
  assert.equal(hosts[0]!.closes, 0);
  connector.demand({ ready: 0, hosts: view(['slurm-p-1'], { 'slurm-p-1': 1 }) }); // busy: kept
  await settle(120);
  assert.equal(hosts[0]!.closes, 0);
  connector.demand({ ready: 0, hosts: view(['slurm-p-1']) });
  await settle(120);
  assert.equal(hosts[0]!.closes, 1, 'given back: its allocation ends');
  assert.ok(said.includes('given back slurm-p-1'));
  connector.demand({ ready: 1, hosts: view([]) });
  await settle();
  assert.equal(hosts[0]!.connects, 2, 'held again for the work that waits');
  connector.stop();
});

void test('a lost on-demand host is not retried on a timer: it is asked for again when work waits', async () => {
  const { hosts, connector, said } = setup(60);
  connector.start();
  await settle();
  hosts[0]!.lose('allocation cancelled');
  assert.ok(said.includes('down slurm-p-1 on-demand'));
  assert.ok(!said.includes('none'), 'a host like it worked: the build goes on');
  connector.demand({ ready: 0, hosts: view([]) });
  await settle();
  assert.equal(hosts[0]!.connects, 1);
  connector.demand({ ready: 1, hosts: view([]) });
  await settle();
  assert.equal(hosts[0]!.connects, 2);
  connector.stop();
});

void test('an allocation with a time limit takes jobs until its end less a margin, is given back once its jobs are done, and another is asked for', async () => {
  let now = 1000;
  const { hosts, connector, said } = setup(600, 600, () => now);
  connector.start();
  await settle();
  assert.deepEqual(said, [`up slurm-p-1 until ${1000 + 600 - 120}`], 'the engine is told when it takes its last job');
  now = 1000 + 481;
  connector.demand({ ready: 0, hosts: view(['slurm-p-1'], { 'slurm-p-1': 1 }) });
  await settle();
  assert.equal(hosts[0]!.closes, 0, 'a job still runs there: kept');
  connector.demand({ ready: 1, hosts: view(['slurm-p-1'], { 'slurm-p-1': 1 }) });
  await settle();
  assert.deepEqual(hosts.map((h) => h.connects), [1, 1, 0], 'its free slot counts for nothing: another allocation is asked for the work that waits');
  connector.demand({ ready: 0, hosts: view(['slurm-p-1', 'slurm-p-2'], { 'slurm-p-2': 1 }) });
  await settle();
  assert.equal(hosts[0]!.closes, 1);
  assert.ok(said.includes('given back slurm-p-1: its allocation\'s time limit is near (10 min from when it came up)'), said.join('; '));
  connector.stop();
});

void test('work that the allocations up end too soon for asks for a fresh one, but not work too long for any allocation', async (t) => {
  let now = 1000;
  const { hosts, connector } = setup(600, 600, () => now); // a fresh allocation has 600 - 120 s for jobs
  connector.start();
  t.after(() => connector.stop());
  await settle();
  now = 1400;
  connector.demand({ ready: 1, late: [300], hosts: view(['slurm-p-1']) });
  connector.demand({ ready: 1, late: [300], hosts: view(['slurm-p-1']) }); // the one asked for is on its way: not asked twice
  await settle();
  assert.deepEqual(hosts.map((h) => h.connects), [1, 1, 0], 'a free slot up, but 80 s left there: a fresh allocation is asked for the 300 s job');
  for (let step = 0; step < 3; step++) connector.demand({ ready: 1, late: [3000], hosts: view(['slurm-p-1', 'slurm-p-2'], { 'slurm-p-1': 1, 'slurm-p-2': 1 }) });
  await settle();
  assert.deepEqual(hosts.map((h) => h.connects), [1, 1, 0], 'longer than any allocation gives: it waits, and no slot busy makes it ask, step after step');
  connector.demand({ ready: 2, late: [3000], hosts: view(['slurm-p-1', 'slurm-p-2'], { 'slurm-p-1': 1, 'slurm-p-2': 1 }) });
  await settle();
  assert.deepEqual(hosts.map((h) => h.connects), [1, 1, 1], 'work that fits the hosts up still asks when no slot is free');
});

class RefusedHost extends FakeHost {
  constructor(host: string, private readonly lasting: boolean) {
    super(host, undefined);
  }
  override connect(): Promise<ConnectResult> {
    this.connects++;
    return Promise.resolve({ ok: false, reason: 'it is aarch64, the build is for x86_64 (kiln build --arch)', ...(this.lasting && { lasting: true as const }) });
  }
}

void test('a host of another arch is refused once for the run; a host refused for what may mend is tried again with backoff', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const up = new FakeHost('up', undefined);
  const otherArch = new RefusedHost('other-arch', true);
  const mending = new RefusedHost('mending', false);
  const said: string[] = [];
  const listener: HostListener = {
    up: (spec) => said.push(`up ${spec.name}`), down: () => undefined, givenBack: () => undefined,
    refused: (host) => said.push(`refused ${host}`), none: () => said.push('none'),
  };
  const spec = (name: string): ConnectorHost['spec'] => ({ name, slots: 1, speed: 1, cores: 1 });
  const connector = new HostConnector([up, otherArch, mending].map((executor) => ({ executor, spec: spec(executor.host) })), new AbortController().signal, listener);
  connector.start();
  for (let s = 0; s < 600; s += 5) {
    await new Promise((r) => setImmediate(r));
    t.mock.timers.tick(5000);
  }
  assert.equal(otherArch.connects, 1);
  assert.ok(mending.connects >= 4, `retried ${mending.connects} times in 10 min`);
  assert.ok(!said.includes('none'));
  connector.add({ executor: otherArch, spec: spec('other-arch') }); // not retired: still in the build, nothing new
  connector.retire('other-arch');
  connector.add({ executor: otherArch, spec: spec('other-arch') }); // its line came back: tried again
  await new Promise((r) => setImmediate(r));
  assert.equal(otherArch.connects, 2);
  connector.stop();
});
