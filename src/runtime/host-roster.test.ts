// The hosts files as the build reads them while it runs: the first read
// makes the hosts, a new line adds one, a line that goes removes its host, a
// changed line changes it, and a file that does not parse changes nothing.

import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';

import type { ConnectResult, Executor } from '../exec/executor.js';
import type { HostEntry, HostsFile } from '../exec/hosts-file.js';
import { HostsFileRoster, type RosterChanges, type RosterFactory } from './host-roster.js';

/** Stands for an executor: the roster only hands it on. Its `host` says which entry and STARTUP it was made for. */
function executorFor(entry: HostEntry, file: HostsFile): Executor {
  return {
    host: file.startup === undefined ? entry.name : `${entry.name} ${file.startup}`,
    connect: (): Promise<ConnectResult> => Promise.resolve({ ok: false, reason: 'not used' }),
    run: () => Promise.reject(new Error('not used')),
    onLost: () => undefined,
    close: () => Promise.resolve(),
  };
}

const factory: RosterFactory = {
  specs: (entry) => ({
    spec: { name: entry.name, slots: entry.jobs ?? 1, speed: entry.speed, cores: entry.cores ?? 1 },
    specFor: (info) => ({ name: entry.name, slots: entry.jobs ?? info.cores, speed: entry.speed, cores: info.cores }),
  }),
  executor: executorFor,
};

class Recorder implements RosterChanges {
  readonly seen: string[] = [];
  add(host: Parameters<RosterChanges['add']>[0]): void {
    this.seen.push(`add ${host.spec.name} slots=${host.spec.slots} executor=${host.executor.host}`);
  }
  remove(name: string): void {
    this.seen.push(`remove ${name}`);
  }
  change(host: Parameters<RosterChanges['change']>[0]): void {
    this.seen.push(`change ${host.spec.name} slots=${host.spec.slots} speed=${host.spec.speed}`);
  }
  problem(text: string): void {
    this.seen.push(`problem ${text}`);
  }
}

describe('HostsFileRoster', () => {
  let dir: string;
  let hosts: string;
  let added: string;
  let roster: HostsFileRoster | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-roster-'));
    hosts = join(dir, 'hosts');
    added = join(dir, 'hosts.added');
  });
  afterEach(() => {
    roster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(fixed: readonly string[] = []): Promise<{ recorder: Recorder; names: string[] }> {
    const opened = await HostsFileRoster.open({ hostsFile: hosts, added, fixed, factory, pollS: 0.02 });
    assert.ok(opened.ok, opened.ok ? '' : opened.problems.join('; '));
    roster = opened.roster;
    const recorder = new Recorder();
    roster.start(recorder);
    return { recorder, names: opened.hosts.map((h) => `${h.spec.name}/${h.executor.host}`) };
  }

  async function until(recorder: Recorder, count: number): Promise<string[]> {
    for (let i = 0; i < 200 && recorder.seen.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    return recorder.seen;
  }

  test('the first read makes the hosts of both files, in order; added hosts get the hosts file\'s STARTUP', async () => {
    writeFileSync(hosts, 'localhost jobs=2\nb@10.0.0.2 jobs=4 sf=2\nSTARTUP=/etc/kiln/startup.sh\n');
    writeFileSync(added, 'c@10.0.0.3\n');
    const { names } = await open();
    assert.deepEqual(names, ['localhost/localhost /etc/kiln/startup.sh', 'b@10.0.0.2/b@10.0.0.2 /etc/kiln/startup.sh', 'c@10.0.0.3/c@10.0.0.3 /etc/kiln/startup.sh']);
  });

  test('lines added, removed and changed while the build runs', async () => {
    writeFileSync(hosts, 'a jobs=1\nb jobs=1\n');
    const { recorder } = await open();
    appendFileSync(added, 'c jobs=3\n');
    assert.deepEqual(await until(recorder, 1), ['add c slots=3 executor=c']);
    writeFileSync(hosts, 'a jobs=2 sf=3\n');
    assert.deepEqual(await until(recorder, 3), ['add c slots=3 executor=c', 'remove b', 'change a slots=2 speed=3']);
  });

  test('a file that does not parse is reported and changes nothing; fixed and repeated names are problems', async () => {
    writeFileSync(hosts, 'a jobs=1\n');
    const { recorder } = await open(['localhost']);
    writeFileSync(hosts, 'a jobs=many\n');
    const [first] = await until(recorder, 1);
    assert.match(first ?? '', /^problem the hosts stay as they were: .*hosts:1: jobs must be a whole number/);
    writeFileSync(hosts, 'a jobs=1\nlocalhost\n');
    writeFileSync(added, 'a jobs=2\n');
    const seen = await until(recorder, 2);
    assert.match(seen[1] ?? '', /hosts:2: localhost is already a host of this build; .*hosts\.added:1: a is already listed at .*hosts:1/);
    assert.equal(seen.length, 2, 'nothing was added or removed');
  });

  test('a hosts file emptied (a half-written one, or every line deleted) keeps the hosts', async () => {
    writeFileSync(hosts, 'a jobs=1\n');
    const { recorder } = await open();
    writeFileSync(hosts, '# nothing here\n');
    const [first] = await until(recorder, 1);
    assert.match(first ?? '', /^problem the hosts stay as they were: no host is left in them/);
  });

  test('a hosts file that cannot be read is refused at the start; a missing hosts.added is no host', async () => {
    const missing = await HostsFileRoster.open({ hostsFile: join(dir, 'nope'), added, fixed: [], factory });
    assert.equal(missing.ok, false);
    assert.match(missing.ok ? '' : missing.problems.join(), /nope: cannot read: ENOENT/);
    const none = await HostsFileRoster.open({ added, fixed: ['localhost'], factory });
    assert.ok(none.ok);
    assert.deepEqual(none.ok ? none.hosts : undefined, []);
  });
});
