// endLeftovers with real processes: stale agents of the same owner and jobs
// nobody looks after are ended; another coordinator's live work is not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endLeftovers, writeRecord } from './leftovers.js';
import { isAlive, recordOf } from './proc-identity.js';

const OWNER = 'aaaaaaaaaaaaaaaa';
const OTHER = 'bbbbbbbbbbbbbbbb';

function liveInGroup(pgid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z') out.push(Number(e));
    } catch { /* gone */ }
  }
  return out;
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (check()) return true;
  return check();
}

function group(): ChildProcess {
  return spawn('sh', ['-c', 'sleep 60 & sleep 60'], { detached: true, stdio: 'ignore' });
}

async function job(root: string, name: string, agent: ChildProcess | number, leader: ChildProcess): Promise<void> {
  const dir = join(root, 'jobs', name);
  await mkdir(dir, { recursive: true });
  await writeRecord(join(dir, 'agent.json'), typeof agent === 'number' ? { pid: agent, start: '1' } : recordOf(agent.pid ?? 0));
  await writeRecord(join(dir, 'pid'), recordOf(leader.pid ?? 0));
}

void test('stale agents of the owner and orphaned jobs end; another live agent\'s jobs stay', async () => {
  const root = await mkdtemp(join(tmpdir(), 'kiln-leftovers-'));
  const started: ChildProcess[] = [];
  try {
    await mkdir(join(root, 'agents'), { recursive: true });
    const staleAgent = spawn('sleep', ['60'], { stdio: 'ignore' });
    const otherAgent = spawn('sleep', ['60'], { stdio: 'ignore' });
    const orphan = group();
    const ofStale = group();
    const ofOther = group();
    started.push(staleAgent, otherAgent, orphan, ofStale, ofOther);
    await writeRecord(join(root, 'agents', `${OWNER}.json`), recordOf(staleAgent.pid ?? 0));
    await writeRecord(join(root, 'agents', `${OTHER}.json`), recordOf(otherAgent.pid ?? 0));
    await job(root, `${OWNER}-1`, 999_999, orphan); // its agent is long gone
    await job(root, `${OWNER}-2`, staleAgent, ofStale);
    await job(root, `${OTHER}-1`, otherAgent, ofOther);
    assert.ok(await until(() => [orphan, ofStale, ofOther].every((g) => liveInGroup(g.pid ?? 0).length === 3), 3000), 'sh and two sleeps in each group');

    const ended = await endLeftovers(root, OWNER);
    assert.equal(ended, 3, 'the stale agent and two job groups');
    assert.ok(await until(() => liveInGroup(orphan.pid ?? 0).length === 0 && liveInGroup(ofStale.pid ?? 0).length === 0, 3000));
    assert.ok(await until(() => !isAlive(recordOf(staleAgent.pid ?? 0)) || staleAgent.signalCode === 'SIGTERM', 3000));
    assert.equal(liveInGroup(ofOther.pid ?? 0).length, 3, 'another coordinator\'s job runs on');
    assert.ok(isAlive(recordOf(otherAgent.pid ?? 0)));
    assert.deepEqual((await readdir(join(root, 'jobs'))).sort(), [`${OTHER}-1`]);
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'agents', `${OWNER}.json`), 'utf8')), recordOf(process.pid));
  } finally {
    for (const c of started) if (c.pid) try { process.kill(-c.pid, 'SIGKILL'); } catch { try { c.kill('SIGKILL'); } catch { /* gone */ } }
    await rm(root, { recursive: true, force: true });
  }
});

void test('a pid file never signals a process that merely reuses the pid', () => {
  const record = recordOf(process.pid);
  assert.ok(isAlive(record));
  assert.equal(isAlive({ pid: process.pid, start: `${record.start ?? ''}0` }), false);
  assert.equal(isAlive({ pid: 1, start: null }), false, 'never pid 1');
});
