// When an agent starts, it ends what earlier sessions left on the host:
// agents of the same coordinator (`owner`) that lost their connection but
// still run, and jobs whose agent is gone or was one of those. Jobs of other
// live agents (another coordinator using the same account) are left alone.
//
// Layout under the agent's root:
//   agents/<owner>.json       {pid, start} of the agent serving that owner
//   jobs/<owner>-<id>/agent.json   the agent that made the job
//   jobs/<owner>-<id>/pid          {pid, start} of the job's process group leader
//   scans/<owner>-<id>/            a scan's files (its sandbox died with its agent)

import { readdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive, parseRecord, recordOf, signalGroup, type ProcessRecord } from './proc-identity.js';

async function readRecord(file: string): Promise<ProcessRecord | undefined> {
  try {
    return parseRecord(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return undefined;
  }
}

export async function writeRecord(file: string, record: ProcessRecord): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, JSON.stringify(record));
  await rename(temp, file);
}

const same = (a: ProcessRecord, b: ProcessRecord): boolean => a.pid === b.pid && a.start === b.start;

/**
 * Ends stale agents of `owner` and the jobs no live agent looks after.
 * Returns how many processes (agents and job groups) it signalled.
 */
export async function endLeftovers(root: string, owner: string): Promise<number> {
  const me = recordOf(process.pid);
  const stale: ProcessRecord[] = [];
  let ended = 0;
  const agentsDir = join(root, 'agents');
  for (const file of await list(agentsDir)) {
    if (!file.endsWith('.json')) continue;
    const record = await readRecord(join(agentsDir, file));
    if (record && same(record, me)) continue;
    if (record && isAlive(record)) {
      if (file !== `${owner}.json`) continue; // another coordinator's live agent
      process.kill(record.pid, 'SIGTERM');
      stale.push(record);
      ended++;
    }
    await rm(join(agentsDir, file), { force: true });
  }
  const jobsDir = join(root, 'jobs');
  for (const name of await list(jobsDir)) {
    const dir = join(jobsDir, name);
    const agent = await readRecord(join(dir, 'agent.json'));
    const ownAgent = agent !== undefined && same(agent, me);
    const liveOther = agent !== undefined && !ownAgent && isAlive(agent) && !stale.some((s) => same(s, agent));
    if (ownAgent || liveOther) continue;
    const leader = await readRecord(join(dir, 'pid'));
    if (leader && isAlive(leader)) {
      signalGroup(leader.pid, 'SIGKILL');
      ended++;
    }
    await rm(dir, { recursive: true, force: true });
  }
  const scansDir = join(root, 'scans');
  for (const name of await list(scansDir)) {
    if (name.startsWith(`${owner}-`)) await rm(join(scansDir, name), { recursive: true, force: true });
  }
  await writeRecord(join(agentsDir, `${owner}.json`), me);
  return ended;
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}
